package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestImmutableChanges(t *testing.T) {
	sts := func(size, svc string, replicas int) map[string]any {
		return map[string]any{"spec": map[string]any{
			"replicas": replicas, "serviceName": svc,
			"volumeClaimTemplates": []any{map[string]any{"metadata": map[string]any{"name": "data"},
				"spec": map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": size}}}}},
		}}
	}
	pvc := func(size, class string) map[string]any {
		return map[string]any{"spec": map[string]any{"storageClassName": class, "resources": map[string]any{"requests": map[string]any{"storage": size}}}}
	}
	svc := func(typ, ip string) map[string]any {
		spec := map[string]any{"type": typ}
		if ip != "" {
			spec["clusterIP"] = ip
		}
		return map[string]any{"spec": spec}
	}
	cm := func(immutable bool, v string) map[string]any {
		m := map[string]any{"data": map[string]any{"k": v}}
		if immutable {
			m["immutable"] = true
		}
		return m
	}
	tests := []struct {
		name      string
		groupKind string
		old, new  map[string]any
		want      []string
	}{
		{name: "statefulset replicas are mutable", groupKind: "StatefulSet.apps", old: sts("5Gi", "a", 1), new: sts("5Gi", "a", 3)},
		{name: "statefulset claim size", groupKind: "StatefulSet.apps", old: sts("5Gi", "a", 1), new: sts("10Gi", "a", 3),
			want: []string{"spec.volumeClaimTemplates[name=data].spec.resources.requests.storage"}},
		{name: "statefulset service name", groupKind: "StatefulSet.apps", old: sts("5Gi", "a", 1), new: sts("5Gi", "b", 1), want: []string{"spec.serviceName"}},
		{name: "deployment selector", groupKind: "Deployment.apps",
			old: map[string]any{"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "1"}}}},
			new: map[string]any{"spec": map[string]any{"selector": map[string]any{"matchLabels": map[string]any{"a": "2"}}}}, want: []string{"spec.selector"}},
		{name: "deployment template is mutable", groupKind: "Deployment.apps",
			old: map[string]any{"spec": map[string]any{"template": "a"}}, new: map[string]any{"spec": map[string]any{"template": "b"}}},
		{name: "claim grows", groupKind: "PersistentVolumeClaim", old: pvc("5Gi", "a"), new: pvc("10Gi", "a")},
		{name: "claim shrinks", groupKind: "PersistentVolumeClaim", old: pvc("10Gi", "a"), new: pvc("5Gi", "a"), want: []string{"spec.resources.requests.storage"}},
		{name: "claim class", groupKind: "PersistentVolumeClaim", old: pvc("5Gi", "a"), new: pvc("5Gi", "b"), want: []string{"spec.storageClassName"}},
		{name: "service cluster IP set", groupKind: "Service", old: svc("ClusterIP", "10.0.0.1"), new: svc("ClusterIP", "10.0.0.2"), want: []string{"spec.clusterIP"}},
		{name: "headless to allocated", groupKind: "Service", old: svc("ClusterIP", "None"), new: svc("ClusterIP", ""), want: []string{"spec.clusterIP"}},
		{name: "service cluster IP allocated", groupKind: "Service", old: svc("ClusterIP", ""), new: svc("ClusterIP", "10.0.0.2")},
		{name: "service to ExternalName", groupKind: "Service", old: svc("ClusterIP", ""), new: svc("ExternalName", ""), want: []string{"spec.type"}},
		{name: "service to LoadBalancer", groupKind: "Service", old: svc("ClusterIP", ""), new: svc("LoadBalancer", "")},
		{name: "immutable config map", groupKind: "ConfigMap", old: cm(true, "a"), new: cm(true, "b"), want: []string{"data"}},
		{name: "mutable config map", groupKind: "ConfigMap", old: cm(false, "a"), new: cm(false, "b")},
		{name: "config map made mutable", groupKind: "ConfigMap", old: cm(true, "a"), new: cm(false, "a"), want: []string{"immutable"}},
		{name: "storage class parameters", groupKind: "StorageClass.storage.k8s.io",
			old: map[string]any{"parameters": map[string]any{"fsType": "xfs"}}, new: map[string]any{"parameters": map[string]any{"fsType": "ext4"}}, want: []string{"parameters"}},
		{name: "storage class expansion is mutable", groupKind: "StorageClass.storage.k8s.io",
			old: map[string]any{"allowVolumeExpansion": false}, new: map[string]any{"allowVolumeExpansion": true}},
		{name: "priority class value", groupKind: "PriorityClass.scheduling.k8s.io", old: map[string]any{"value": 1}, new: map[string]any{"value": 2}, want: []string{"value"}},
		{name: "role binding roleRef", groupKind: "RoleBinding.rbac.authorization.k8s.io",
			old: map[string]any{"roleRef": map[string]any{"name": "a"}}, new: map[string]any{"roleRef": map[string]any{"name": "b"}}, want: []string{"roleRef"}},
		{name: "job template", groupKind: "Job.batch", old: map[string]any{"spec": map[string]any{"template": "a"}}, new: map[string]any{"spec": map[string]any{"template": "b"}}, want: []string{"spec.template"}},
		{name: "unknown kind", groupKind: "Kafka.kafka.strimzi.io", old: sts("5Gi", "a", 1), new: sts("10Gi", "b", 1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range ImmutableChanges(tt.groupKind, tt.old, tt.new) {
				if c.Consequence == "" {
					t.Errorf("%s: no consequence", c.Path)
				}
				got = append(got, c.Path)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("paths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestClaimResizes(t *testing.T) {
	tmpl := func(size string) map[string]any {
		return map[string]any{"spec": map[string]any{"volumeClaimTemplates": []any{
			map[string]any{"metadata": map[string]any{"name": "data"}, "spec": map[string]any{"storageClassName": "fast", "accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": size}}}},
		}}}
	}
	got := ClaimResizes(tmpl("5Gi"), tmpl("10Gi"))
	want := []ClaimResize{{Template: "data", StorageClass: "fast", AccessModes: []any{"ReadWriteOnce"}, Old: "5Gi", New: "10Gi"}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := ClaimResizes(tmpl("10Gi"), tmpl("5Gi")); len(got) != 0 {
		t.Errorf("a shrink is no resize: %v", got)
	}
}
