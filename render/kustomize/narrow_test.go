package kustomize

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/object"
)

// zones patches named objects only: Apply narrows krusty to them.
const zones = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- target: {group: apps, kind: Deployment, name: "web|api"}
  patch: |-
    - op: add
      path: /metadata/labels
      value: {zone: aware}
- target: {kind: ConfigMap, namespace: other}
  patch: |-
    apiVersion: v1
    kind: ConfigMap
    metadata: {name: any}
    data: {patched: "yes"}
- target: {kind: Secret, name: gone}
  patch: |-
    $patch: delete
    apiVersion: v1
    kind: Secret
    metadata: {name: gone}
`

// narrowObjects are objects of every class Apply must treat as krusty
// does: selected or not, a List krusty expands, annotations krusty reads
// or drops, empty annotations, ids shared by two objects, cluster-scoped.
func narrowObjects() []object.Object {
	ob := func(apiVersion, kind, ns, name string, extra map[string]any) object.Object {
		meta := map[string]any{"name": name}
		if ns != "" {
			meta["namespace"] = ns
		}
		d := map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}
		for k, v := range extra {
			if k == "annotations" {
				meta[k] = v
				continue
			}
			d[k] = v
		}
		return object.Object{Tier: "app", Source: "chart demo@1.0.0 templates/" + name + ".yaml", Doc: d}
	}
	return []object.Object{
		ob("v1", "Namespace", "", "tpe", nil),
		ob("apps/v1", "Deployment", "tpe", "web", nil),
		ob("apps/v1", "Deployment", "tpe", "worker", map[string]any{"spec": map[string]any{"replicas": "1"}}),
		ob("apps/v1", "Deployment", "tpe", "api", map[string]any{"annotations": map[string]any{"a": "b"}}),
		ob("v1", "ConfigMap", "other", "c1", map[string]any{"data": map[string]any{"k": "on"}}),
		ob("v1", "ConfigMap", "tpe", "c2", map[string]any{"data": map[string]any{"k": "on", "n": "1.0"}}),
		ob("v1", "ConfigMap", "", "c3", map[string]any{"annotations": map[string]any{}}),
		ob("v1", "ConfigMap", "tpe", "c4", map[string]any{"annotations": map[string]any{"config.kubernetes.io/local-config": "true"}}),
		ob("v1", "Secret", "tpe", "gone", nil),
		ob("v1", "Service", "", "twice", nil),
		ob("v1", "Service", "default", "twice", nil),
		ob("v1", "ConfigMapList", "tpe", "list", map[string]any{"items": []any{
			map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "from-list", "namespace": "tpe"}},
		}}),
		ob("rbac.authorization.k8s.io/v1", "ClusterRole", "", "reader", nil),
	}
}

func TestApplyNarrowedEqualsKrusty(t *testing.T) {
	// The same Component with a field patchTargets does not accept (and
	// krusty ignores): every object goes through krusty.
	full := zones + "metadata: {name: zones}\n"
	overlays := fstest.MapFS{
		"zones/kustomization.yaml": {Data: []byte(zones)},
		"full/kustomization.yaml":  {Data: []byte(full)},
	}
	for _, dup := range []bool{false, true} {
		t.Run(fmt.Sprintf("duplicates=%v", dup), func(t *testing.T) {
			objs := narrowObjects()
			if !dup {
				objs = objs[:len(objs)-3] // drop the Services twice, the List, the ClusterRole
			}
			want, err := Apply(narrowObjects()[:len(objs)], Options{Overlays: overlays, Components: []string{"full"}})
			if dup && err != nil {
				// krusty refuses the shared id (no namespace is "default"): so must the narrowed run.
				if _, err2 := Apply(objs, Options{Overlays: overlays, Components: []string{"zones"}}); err2 == nil || err2.Error() != strings.ReplaceAll(err.Error(), "(full)", "(zones)") {
					t.Fatalf("narrowed: %v, want %v", err2, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, err := Apply(objs, Options{Overlays: overlays, Components: []string{"zones"}})
			if err != nil {
				t.Fatal(err)
			}
			for i := range want { // the overlay's name aside
				if want[i].Patched != "" {
					want[i].Patched = "overlay zones"
				}
				if want[i].Source == "overlay full" {
					want[i].Source = "overlay zones"
				}
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("narrowed Apply differs from krusty (-krusty +narrowed):\n%s", diff)
			}
		})
	}
}

func TestApplyPassesUnselectedObjectsUntouched(t *testing.T) {
	overlays := fstest.MapFS{"zones/kustomization.yaml": {Data: []byte(zones)}}
	objs := narrowObjects()[:3]
	out, err := Apply(objs, Options{Overlays: overlays, Components: []string{"zones"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 3 {
		t.Fatalf("got %d objects, want 3", len(out))
	}
	// Not selected: the very document, not krusty's copy of it.
	for _, i := range []int{0, 2} {
		if reflect.ValueOf(out[i].Doc).Pointer() != reflect.ValueOf(objs[i].Doc).Pointer() {
			t.Errorf("%s went through krusty", objs[i].ID())
		}
	}
	if out[1].Patched == "" || object.Dig(out[1].Doc, "metadata", "labels", "zone") != "aware" {
		t.Errorf("selected Deployment not patched: %v", out[1])
	}
}

func TestApplyNarrowedStillChecksOverlays(t *testing.T) {
	bad := "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- target: {kind: Nothing}\n  path: missing.yaml\n"
	overlays := fstest.MapFS{"bad/kustomization.yaml": {Data: []byte(bad)}}
	_, err := Apply(narrowObjects()[:2], Options{Overlays: overlays, Components: []string{"bad"}})
	if err == nil {
		t.Fatal("a patch naming a missing file passed, want krusty's error")
	}
}

// TestApplyConcurrent runs builds at once (go test -race): the lock is
// shared unless an overlay sets openapi:.
func TestApplyConcurrent(t *testing.T) {
	withSchema := zones + "openapi: {version: v1.21.2}\n"
	overlays := fstest.MapFS{
		"zones/kustomization.yaml":  {Data: []byte(zones)},
		"schema/kustomization.yaml": {Data: []byte(withSchema)},
		"full/kustomization.yaml":   {Data: []byte(zones + "metadata: {name: zones}\n")},
	}
	var wg sync.WaitGroup
	errs := make([]error, 12)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			comp := []string{"zones", "full", "schema"}[i%3]
			out, err := Apply(narrowObjects()[:9], Options{Overlays: overlays, Components: []string{comp}})
			if err == nil && len(out) != 7 { // a Secret deleted, a local ConfigMap dropped
				err = fmt.Errorf("%s: %d objects, want 7", comp, len(out))
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
}

// A build served from the memo equals krusty's and is the caller's: a
// change to one site's objects does not reach the next site's.
func TestApplyMemoGivesCopies(t *testing.T) {
	overlays := fstest.MapFS{"zones/kustomization.yaml": {Data: []byte(zones)}}
	opts := Options{Overlays: overlays, Components: []string{"zones"}}
	first, err := Apply(narrowObjects()[:6], opts)
	if err != nil {
		t.Fatal(err)
	}
	want := make([]object.Object, len(first))
	for i, ob := range first {
		want[i] = ob
		want[i].Doc = object.DeepCopy(ob.Doc)
	}
	for range 2 {
		again, err := Apply(narrowObjects()[:6], opts)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, again); diff != "" {
			t.Fatalf("memoized Apply differs (-first +again):\n%s", diff)
		}
		for _, ob := range again {
			ob.SetNamespace("changed")
		}
	}
}
