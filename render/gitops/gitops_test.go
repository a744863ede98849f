package gitops

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/object"
)

func obj(apiVersion, kind, ns, name string) object.Object {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	return object.Object{Doc: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}}
}

func find(objs []object.Object, kind, name string) object.Object {
	for _, o := range objs {
		if o.Kind() == kind && o.Name() == name {
			return o
		}
	}
	return object.Object{}
}

func spec(o object.Object) map[string]any { m, _ := o.Doc["spec"].(map[string]any); return m }

func TestObjectsRefusesBadInput(t *testing.T) {
	tier := Tier{Name: "a", ClusterAdmin: true, Timeout: "1m"}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"no tiers", Options{Site: "s", Engine: Engine{Name: "flux"}}, "site s has no tiers"},
		{"unknown engine", Options{Site: "s", Tiers: []Tier{tier}, Engine: Engine{Name: "jenkins"}}, `unknown GitOps engine "jenkins"`},
		{"two accounts", Options{Site: "s", Tiers: []Tier{{Name: "a", ClusterAdmin: true, ServiceAccount: "op"}}, Engine: Engine{Name: "flux"}}, "tier a: want exactly one"},
		{"no account", Options{Site: "s", Tiers: []Tier{{Name: "a"}}, Engine: Engine{Name: "argocd"}}, "tier a: want exactly one"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Objects(tc.o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// A large object anywhere in a tier turns on server-side apply for it;
// a small tier without CRDs stays client-side.
func TestServerSideApplyForLargeObjects(t *testing.T) {
	big := obj("v1", "ConfigMap", "ns", "big")
	big.Doc["data"] = map[string]any{"x": strings.Repeat("x", largeObject)}
	o := Options{Site: "s", Namespace: "ns", Engine: Engine{Name: "argocd", Namespace: "argocd", DestinationServer: "https://k"}, Tiers: []Tier{
		{Name: "small", ServiceAccount: "op", Objects: []object.Object{obj("v1", "ConfigMap", "ns", "small")}},
		{Name: "large", ServiceAccount: "op", Objects: []object.Object{big}},
	}}
	objs, err := Objects(o)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]bool{"s-small": false, "s-large": true} {
		opts := spec(find(objs, "Application", name))["syncPolicy"].(map[string]any)["syncOptions"].([]any)
		got := false
		for _, x := range opts {
			got = got || x == "ServerSideApply=true"
		}
		if got != want {
			t.Errorf("%s: ServerSideApply=%v, want %v", name, got, want)
		}
	}
}

// Tiers alternate between cluster-admin and a namespaced account: each
// depends on the one before it, across namespaces, and the Kustomization
// that creates the namespaced ones waits only for the cluster-admin tiers
// before the first namespaced one.
func TestFluxOrderAcrossAccounts(t *testing.T) {
	o := Options{Site: "s", Namespace: "app", Engine: Engine{Name: "flux", Namespace: "flux-system", Interval: "1m", Revision: "main", Path: "."},
		Tiers: []Tier{
			{Name: "crds", ClusterAdmin: true, Timeout: "1m"},
			{Name: "ns", ClusterAdmin: true, Timeout: "1m"},
			{Name: "apps", ServiceAccount: "op", Timeout: "2m"},
			{Name: "hooks", ClusterAdmin: true, Timeout: "3m"},
			{Name: "late", ServiceAccount: "op", Timeout: "4m"},
		}}
	objs, err := Objects(o)
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string]any{}
	for _, n := range []string{"s-crds", "s-ns", "s-apps", "s-hooks", "s-late", "s-tiers"} {
		deps[n] = spec(find(objs, "Kustomization", n))["dependsOn"]
	}
	want := map[string]any{
		"s-crds":  nil,
		"s-ns":    []any{map[string]any{"name": "s-crds"}},
		"s-apps":  []any{map[string]any{"name": "s-ns", "namespace": "flux-system"}},
		"s-hooks": []any{map[string]any{"name": "s-apps", "namespace": "app"}},
		"s-late":  []any{map[string]any{"name": "s-hooks", "namespace": "flux-system"}},
		"s-tiers": []any{map[string]any{"name": "s-crds"}, map[string]any{"name": "s-ns"}},
	}
	if d := cmp.Diff(want, deps); d != "" {
		t.Errorf("dependsOn (-want +got):\n%s", d)
	}
	if got := find(objs, "Kustomization", "s-late").Tier; got != TiersDir {
		t.Errorf("namespaced tier in %s, want %s", got, TiersDir)
	}
	if got := find(objs, "Kustomization", "s-hooks").Namespace(); got != "flux-system" {
		t.Errorf("cluster-admin tier in namespace %s", got)
	}
}

// Without namespaced tiers there is no tiers Kustomization, and an Argo CD
// site with only cluster-admin tiers gets only the cluster project.
func TestOnlyClusterAdminTiers(t *testing.T) {
	tiers := []Tier{{Name: "all", ClusterAdmin: true, Timeout: "1m", Objects: []object.Object{obj("v1", "Namespace", "", "app")}}}
	objs, err := Objects(Options{Site: "s", Namespace: "app", Tiers: tiers, Engine: Engine{Name: "flux", Namespace: "flux-system", Revision: "main"}})
	if err != nil {
		t.Fatal(err)
	}
	if find(objs, "Kustomization", "s-tiers").Doc != nil {
		t.Error("a tiers Kustomization with nothing to apply")
	}
	objs, err = Objects(Options{Site: "s", Namespace: "app", Tiers: tiers, Engine: Engine{Name: "argocd", Namespace: "argocd", DestinationServer: "https://k"}})
	if err != nil {
		t.Fatal(err)
	}
	if find(objs, "AppProject", "s").Doc != nil || find(objs, "AppProject", "s-cluster").Doc == nil {
		t.Error("want only the cluster project")
	}
}
