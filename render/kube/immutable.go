package kube

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/tpgen/tpgen/render/object"
)

// immutableRule is a field of a built-in kind that the API server does not
// update in place (its update validation answers "field is immutable" or
// "spec: Forbidden"): the object must be deleted and created again.
type immutableRule struct {
	// GroupKind is kind.group (kind alone for the core group).
	GroupKind string
	// Path is the dotted path of the field.
	Path string
	// Except, when set, makes every key of the map at Path immutable but
	// these (StatefulSet's spec).
	Except []string
	// When limits the rule: "" always; "immutable" only when the old
	// object is immutable: true; "set" only when the old value is set;
	// "shrink" only when the new quantity is smaller; "to-external-name"
	// only when the type becomes ExternalName.
	When string
	// Consequence says in one line what the replacement does.
	Consequence string
}

// immutableRules is the table of in-place-immutable fields (Kubernetes
// 1.24 to 1.33 update validation, pkg/apis/*/validation). Keep it here, as
// data: render (refusing an unacknowledged replacement) and diff (flagging
// one) both read it.
var immutableRules = []immutableRule{
	{GroupKind: "StatefulSet.apps", Path: "spec", Except: []string{"replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"},
		Consequence: "the StatefulSet is deleted and created again: its pods restart, its claims are kept at their old size unless expanded"},
	{GroupKind: "Deployment.apps", Path: "spec.selector", Consequence: "the Deployment is deleted and created again: its pods restart"},
	{GroupKind: "DaemonSet.apps", Path: "spec.selector", Consequence: "the DaemonSet is deleted and created again: its pods restart"},
	{GroupKind: "ReplicaSet.apps", Path: "spec.selector", Consequence: "the ReplicaSet is deleted and created again: its pods restart"},
	{GroupKind: "Job.batch", Path: "spec.selector", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Job.batch", Path: "spec.template", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Job.batch", Path: "spec.completions", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Job.batch", Path: "spec.completionMode", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Job.batch", Path: "spec.podFailurePolicy", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Job.batch", Path: "spec.manualSelector", Consequence: "the Job is deleted and created again: it runs again"},
	{GroupKind: "Service", Path: "spec.clusterIP", When: "set", Consequence: "the Service is deleted and created again: a new cluster IP, connections drop"},
	{GroupKind: "Service", Path: "spec.clusterIPs", When: "set", Consequence: "the Service is deleted and created again: a new cluster IP, connections drop"},
	{GroupKind: "Service", Path: "spec.ipFamilies", When: "set", Consequence: "the Service is deleted and created again: a new cluster IP, connections drop"},
	{GroupKind: "Service", Path: "spec.type", When: "to-external-name", Consequence: "the Service is deleted and created again: its cluster IP is released"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.storageClassName", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.volumeName", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.accessModes", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.volumeMode", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.selector", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.dataSource", Consequence: "the claim is deleted and created again: its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "PersistentVolumeClaim", Path: "spec.resources.requests.storage", When: "shrink", Consequence: "a claim never shrinks: it is deleted and created again, its volume and data are lost unless its reclaim policy keeps them"},
	{GroupKind: "StorageClass.storage.k8s.io", Path: "parameters", Consequence: "the StorageClass is deleted and created again: existing volumes keep the old settings"},
	{GroupKind: "StorageClass.storage.k8s.io", Path: "provisioner", Consequence: "the StorageClass is deleted and created again: existing volumes keep the old provisioner"},
	{GroupKind: "StorageClass.storage.k8s.io", Path: "reclaimPolicy", Consequence: "the StorageClass is deleted and created again: existing volumes keep the old reclaim policy"},
	{GroupKind: "StorageClass.storage.k8s.io", Path: "volumeBindingMode", Consequence: "the StorageClass is deleted and created again: existing volumes keep the old binding"},
	{GroupKind: "ConfigMap", Path: "data", When: "immutable", Consequence: "the immutable ConfigMap is deleted and created again: running pods keep the old data until restarted"},
	{GroupKind: "ConfigMap", Path: "binaryData", When: "immutable", Consequence: "the immutable ConfigMap is deleted and created again: running pods keep the old data until restarted"},
	{GroupKind: "ConfigMap", Path: "immutable", When: "immutable", Consequence: "an immutable ConfigMap stays immutable: it is deleted and created again"},
	{GroupKind: "Secret", Path: "data", When: "immutable", Consequence: "the immutable Secret is deleted and created again: running pods keep the old data until restarted"},
	{GroupKind: "Secret", Path: "stringData", When: "immutable", Consequence: "the immutable Secret is deleted and created again: running pods keep the old data until restarted"},
	{GroupKind: "Secret", Path: "immutable", When: "immutable", Consequence: "an immutable Secret stays immutable: it is deleted and created again"},
	{GroupKind: "Secret", Path: "type", Consequence: "the Secret is deleted and created again"},
	{GroupKind: "PriorityClass.scheduling.k8s.io", Path: "value", Consequence: "the PriorityClass is deleted and created again: running pods keep their old priority until recreated"},
	{GroupKind: "PriorityClass.scheduling.k8s.io", Path: "preemptionPolicy", Consequence: "the PriorityClass is deleted and created again: running pods keep their old policy until recreated"},
	{GroupKind: "CSIDriver.storage.k8s.io", Path: "spec.attachRequired", Consequence: "the CSIDriver is deleted and created again: the driver's volumes may fail to attach meanwhile"},
	{GroupKind: "CSIDriver.storage.k8s.io", Path: "spec.fsGroupPolicy", Consequence: "the CSIDriver is deleted and created again: the driver's volumes may fail to attach meanwhile"},
	{GroupKind: "CSIDriver.storage.k8s.io", Path: "spec.volumeLifecycleModes", Consequence: "the CSIDriver is deleted and created again: the driver's volumes may fail to attach meanwhile"},
	{GroupKind: "RoleBinding.rbac.authorization.k8s.io", Path: "roleRef", Consequence: "the RoleBinding is deleted and created again: its subjects lose the permissions meanwhile"},
	{GroupKind: "ClusterRoleBinding.rbac.authorization.k8s.io", Path: "roleRef", Consequence: "the ClusterRoleBinding is deleted and created again: its subjects lose the permissions meanwhile"},
}

// ImmutableChange is one change of a field the API server does not update
// in place. It never carries a value (a Secret's data is immutable too).
type ImmutableChange struct {
	// Path is the changed field (the deepest changed fields under an
	// immutable map, up to three), e.g.
	// spec.volumeClaimTemplates[0].spec.resources.requests.storage.
	Path        string
	Consequence string
}

// ImmutableChanges lists the changes from old to new, two renderings of the
// same object of kind groupKind, that the API server refuses to apply in
// place. Nil when the object can be updated.
func ImmutableChanges(groupKind string, old, new map[string]any) []ImmutableChange {
	var out []ImmutableChange
	for _, r := range immutableRules {
		if r.GroupKind != groupKind {
			continue
		}
		p := strings.Split(r.Path, ".")
		a, hasA := dig(old, p)
		b, hasB := dig(new, p)
		if hasA == hasB && reflect.DeepEqual(a, b) {
			continue
		}
		switch r.When {
		case "immutable":
			if old["immutable"] != true {
				continue
			}
		case "set":
			if !hasA || a == "" || a == nil {
				continue // unset: the API server allocates
			}
		case "shrink":
			qa, errA := resource.ParseQuantity(fmt.Sprint(a))
			qb, errB := resource.ParseQuantity(fmt.Sprint(b))
			if !hasA || !hasB || errA != nil || errB != nil || qb.Cmp(qa) >= 0 {
				continue
			}
		case "to-external-name":
			if b != "ExternalName" || a == "ExternalName" {
				continue
			}
		}
		if len(r.Except) == 0 {
			out = append(out, ImmutableChange{Path: r.Path, Consequence: r.Consequence})
			continue
		}
		am, _ := a.(map[string]any)
		bm, _ := b.(map[string]any)
		var paths []string
		for _, k := range object.UnionKeys(am, bm) {
			if slices.Contains(r.Except, k) {
				continue
			}
			av, ha := am[k]
			bv, hb := bm[k]
			if ha == hb && reflect.DeepEqual(av, bv) {
				continue
			}
			paths = append(paths, leafDiffs(r.Path+"."+k, av, bv)...)
		}
		if len(paths) == 0 {
			continue
		}
		if len(paths) > 3 {
			paths = append(paths[:3], fmt.Sprintf("(%d more)", len(paths)-3))
		}
		out = append(out, ImmutableChange{Path: strings.Join(paths, ", "), Consequence: r.Consequence})
	}
	return out
}

// ClaimResize is a StatefulSet claim template whose storage request grew:
// the claims it made can be expanded in place where their StorageClass
// allows it.
type ClaimResize struct {
	// Template is the claim template's name; the StatefulSet's claims are
	// <Template>-<statefulset>-<ordinal>.
	Template     string
	StorageClass string
	AccessModes  []any
	Old, New     string
}

// ClaimResizes lists the claim templates of a StatefulSet whose storage
// request grew from old to new (templates matched by name).
func ClaimResizes(old, new map[string]any) []ClaimResize {
	size := func(t any) (string, resource.Quantity, bool) {
		v, _ := dig(t, []string{"spec", "resources", "requests", "storage"})
		s := fmt.Sprint(v)
		q, err := resource.ParseQuantity(s)
		return s, q, v != nil && err == nil
	}
	byName := func(doc map[string]any) map[string]any {
		out := map[string]any{}
		l, _ := dig(doc, []string{"spec", "volumeClaimTemplates"})
		ts, _ := l.([]any)
		for _, t := range ts {
			n, _ := dig(t, []string{"metadata", "name"})
			if s, ok := n.(string); ok {
				out[s] = t
			}
		}
		return out
	}
	was := byName(old)
	var out []ClaimResize
	l, _ := dig(new, []string{"spec", "volumeClaimTemplates"})
	ts, _ := l.([]any)
	for _, t := range ts {
		n, _ := dig(t, []string{"metadata", "name"})
		name, _ := n.(string)
		o, ok := was[name]
		if !ok {
			continue
		}
		os, oq, ok1 := size(o)
		ns, nq, ok2 := size(t)
		if !ok1 || !ok2 || nq.Cmp(oq) <= 0 {
			continue
		}
		sc, _ := dig(t, []string{"spec", "storageClassName"})
		am, _ := dig(t, []string{"spec", "accessModes"})
		r := ClaimResize{Template: name, Old: os, New: ns}
		r.StorageClass, _ = sc.(string)
		r.AccessModes, _ = am.([]any)
		out = append(out, r)
	}
	return out
}

func dig(v any, path []string) (any, bool) {
	for _, k := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		if v, ok = m[k]; !ok {
			return nil, false
		}
	}
	return v, true
}

// leafDiffs names the deepest fields where a and b differ (lists by
// index).
func leafDiffs(p string, a, b any) []string {
	am, aok := a.(map[string]any)
	bm, bok := b.(map[string]any)
	if aok && bok {
		var out []string
		for _, k := range object.UnionKeys(am, bm) {
			if !reflect.DeepEqual(am[k], bm[k]) {
				out = append(out, leafDiffs(p+"."+k, am[k], bm[k])...)
			}
		}
		return out
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if aok && bok && len(al) == len(bl) {
		var out []string
		for i := range al {
			if reflect.DeepEqual(al[i], bl[i]) {
				continue
			}
			step := fmt.Sprintf("[%d]", i)
			if n := itemName(al[i]); n != "" && n == itemName(bl[i]) {
				step = "[name=" + n + "]"
			}
			out = append(out, leafDiffs(p+step, al[i], bl[i])...)
		}
		return out
	}
	return []string{p}
}

// itemName is a list item's name (name, or metadata.name), or "".
func itemName(v any) string {
	m, _ := v.(map[string]any)
	if n, ok := m["name"].(string); ok {
		return n
	}
	n, _ := dig(v, []string{"metadata", "name"})
	s, _ := n.(string)
	return s
}

// ImmutableKinds returns the group-kinds (Kind.group) that have a field
// Kubernetes will not update in place, sorted: what render may refuse to
// change without an acknowledgement (shell completion of --allow-replace).
func ImmutableKinds() []string {
	var out []string
	for _, r := range immutableRules {
		if !slices.Contains(out, r.GroupKind) {
			out = append(out, r.GroupKind)
		}
	}
	slices.Sort(out)
	return out
}
