package kube

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"
)

func TestLifecycle(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind, release string
		want                      Availability
		replacement               string
	}{
		{"batch/v1beta1", "CronJob", "1.24", Deprecated, "batch/v1"},
		{"batch/v1beta1", "CronJob", "1.25", Removed, "batch/v1"},
		{"policy/v1beta1", "PodDisruptionBudget", "1.25", Removed, "policy/v1"},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.25", Deprecated, "autoscaling/v2"},
		{"autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.26", Removed, "autoscaling/v2"},
		{"extensions/v1beta1", "Ingress", "1.22", Removed, "networking.k8s.io/v1"},
		{"apps/v1beta2", "Deployment", "1.16", Removed, "apps/v1"},
		{"flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.25", NotYet, "flowcontrol.apiserver.k8s.io/v1"},
		{"flowcontrol.apiserver.k8s.io/v1beta3", "FlowSchema", "1.32", Removed, "flowcontrol.apiserver.k8s.io/v1"},
		{"batch/v1", "CronJob", "1.20", NotYet, ""},
		{"batch/v1", "CronJob", "1.21", Served, ""},
		{"apps/v1", "Deployment", "1.27", Served, ""},
		{"kafka.strimzi.io/v1beta2", "Kafka", "1.27", Served, ""},
		{"rbac.authorization.k8s.io/v1alpha1", "RoleBinding", "1.22", Removed, "rbac.authorization.k8s.io/v1"},
		{"batch/v2alpha1", "CronJob", "1.21", Removed, "batch/v1"},
		{"settings.k8s.io/v1alpha1", "PodPreset", "1.20", Removed, ""},
	} {
		t.Run(tc.apiVersion+" "+tc.kind+" on "+tc.release, func(t *testing.T) {
			r, err := ParseRelease(tc.release)
			if err != nil {
				t.Fatal(err)
			}
			got, api := Lifecycle(tc.apiVersion, tc.kind, r)
			if got != tc.want || api.Replacement != tc.replacement {
				t.Errorf("got %v (replacement %q), want %v (%q)", got, api.Replacement, tc.want, tc.replacement)
			}
		})
	}
}

// The table agrees with the prerelease-lifecycle tags of k8s.io/api
// wherever k8s.io/api still has the type, and covers every non-alpha API
// that k8s.io/api says is removed up to 1.32.
func TestLifecycleAgreesWithK8sAPI(t *testing.T) {
	type deprecated interface{ APILifecycleDeprecated() (int, int) }
	type removed interface{ APILifecycleRemoved() (int, int) }
	for gvk := range scheme.AllKnownTypes() {
		obj, err := scheme.New(gvk)
		if err != nil {
			continue
		}
		d, okD := obj.(deprecated)
		r, okR := obj.(removed)
		if !okD || !okR || len(gvk.Kind) > 4 && gvk.Kind[len(gvk.Kind)-4:] == "List" {
			continue
		}
		dMaj, dMin := d.APILifecycleDeprecated()
		rMaj, rMin := r.APILifecycleRemoved()
		entry, inTable := apiIndex[[2]string{gvk.GroupVersion().String(), gvk.Kind}]
		if !inTable {
			if (Release{rMaj, rMin}).Before(Release{1, 33}) && !isAlpha(gvk.Version) && gvk.Kind != "Scale" && gvk.Kind != "Eviction" && gvk.Kind != "DeploymentRollback" && gvk.Kind != "SelfSubjectReview" && gvk.Kind != "ValidatingAdmissionPolicy" && gvk.Kind != "ValidatingAdmissionPolicyBinding" && gvk.Kind != "Event" {
				t.Errorf("%s: k8s.io/api removes it in %d.%d, the table does not list it", gvk, rMaj, rMin)
			}
			continue
		}
		if entry.Deprecated != (Release{dMaj, dMin}) || entry.Removed != (Release{rMaj, rMin}) {
			t.Errorf("%s: table deprecated %s removed %s; k8s.io/api %d.%d and %d.%d", gvk, entry.Deprecated, entry.Removed, dMaj, dMin, rMaj, rMin)
		}
	}
}

func isAlpha(v string) bool {
	for i := 0; i+5 <= len(v); i++ {
		if v[i:i+5] == "alpha" {
			return true
		}
	}
	return false
}

func TestParseRelease(t *testing.T) {
	for in, want := range map[string]Release{"1.27": {1, 27}, "v1.33.13": {1, 33}} {
		if got, err := ParseRelease(in); err != nil || got != want {
			t.Errorf("ParseRelease(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseRelease("27"); err == nil {
		t.Error("ParseRelease(27): want an error")
	}
}

func TestClusterScoped(t *testing.T) {
	for gk, want := range map[string]bool{
		"StorageClass.storage.k8s.io": true, "Namespace": true, "ClusterRole.rbac.authorization.k8s.io": true,
		"Role.rbac.authorization.k8s.io": false, "ConfigMap": false, "Deployment.apps": false,
	} {
		if got := ClusterScoped(gk); got != want {
			t.Errorf("ClusterScoped(%s) = %v", gk, got)
		}
	}
}

// The walk finds the required fields of Go API types under the OpenAPI
// definition names of the generated table.
func TestRequiredTableMatchesGoTypes(t *testing.T) {
	for _, x := range []any{appsv1.DeploymentSpec{}, corev1.Container{}, corev1.ServicePort{}, metav1.LabelSelectorRequirement{}, apiextensionsv1.CustomResourceDefinitionSpec{}} {
		name := definitionName(reflect.TypeOf(x))
		if len(required[name]) == 0 {
			t.Errorf("%s (%T): no required fields in the table", name, x)
		}
	}
	if requiredVersion == "" {
		t.Error("the table does not say which Kubernetes release it comes from")
	}
}

func TestCheck(t *testing.T) {
	const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: tpe, labels: {app: web}}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: app
        image: app:1.0
        ports: [{containerPort: 8080}]
`
	for _, tc := range []struct {
		name   string
		doc    string
		modify func(m map[string]any)
		want   []string
	}{
		{name: "valid", doc: deployment},
		{name: "unknown field", doc: deployment, modify: func(m map[string]any) { m["spec"].(map[string]any)["replcias"] = 2 },
			want: []string{"spec.replcias: Forbidden: unknown field"}},
		{name: "wrong type", doc: deployment, modify: func(m map[string]any) { m["spec"].(map[string]any)["replicas"] = "two" },
			want: []string{"spec.replicas: Invalid value: got string, want int32"}},
		{name: "missing required fields", doc: deployment, modify: func(m map[string]any) {
			delete(m["spec"].(map[string]any), "selector")
			c := m["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			delete(c["ports"].([]any)[0].(map[string]any), "containerPort")
		}, want: []string{"spec.selector: Required value", "spec.template.spec.containers[0].ports[0].containerPort: Required value"}},
		{name: "labels", doc: deployment, modify: func(m map[string]any) {
			m["metadata"].(map[string]any)["labels"] = map[string]any{"app": "not a label value"}
		}, want: []string{`metadata.labels: Invalid value: "not a label value": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`}},
		{name: "a Service name is a DNS-1035 label", doc: "apiVersion: v1\nkind: Service\nmetadata: {name: 1st, namespace: tpe}\nspec: {ports: [{port: 80}]}\n",
			want: []string{`metadata.name: Invalid value: "1st": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')`}},
		{name: "RBAC names may hold colons", doc: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: \"system:tpe\"}\n"},
		{name: "a namespaced object needs its namespace", doc: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n",
			want: []string{"metadata.namespace: Required value"}},
		{name: "selector", doc: deployment, modify: func(m map[string]any) {
			m["spec"].(map[string]any)["selector"] = map[string]any{"matchLabels": map[string]any{"app": "api"}}
		}, want: []string{"spec.selector: Invalid value: does not select spec.template.metadata.labels"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var m map[string]any
			if err := yaml.Unmarshal([]byte(tc.doc), &m); err != nil {
				t.Fatal(err)
			}
			if tc.modify != nil {
				tc.modify(m)
			}
			var got []string
			for _, e := range Check(m) {
				got = append(got, e.Error())
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

func TestBuiltin(t *testing.T) {
	for _, tc := range []struct {
		apiVersion, kind string
		want             bool
	}{
		{"apps/v1", "Deployment", true},
		{"apiextensions.k8s.io/v1", "CustomResourceDefinition", true},
		{"kafka.strimzi.io/v1beta2", "Kafka", false},
		{"apps/v1", "Deploymnet", false},
	} {
		if got := Builtin(tc.apiVersion, tc.kind); got != tc.want {
			t.Errorf("Builtin(%s, %s) = %v", tc.apiVersion, tc.kind, got)
		}
	}
	if !BuiltinGroup("apps") || !BuiltinGroup("networking.k8s.io") || BuiltinGroup("kafka.strimzi.io") {
		t.Error("BuiltinGroup")
	}
}
