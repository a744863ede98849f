package gitops

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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

func cm(ns, name string) object.Object { return obj("v1", "ConfigMap", ns, name) }

func fluxSite(cluster string, tiers ...Tier) Options {
	return Options{Site: "s", Namespace: "app", Cluster: cluster, Tiers: tiers,
		Engine: Engine{Name: "flux", Namespace: "flux-system", Interval: "1m", Revision: "main", Path: "deploy"}}
}

func argoSite(cluster string, tiers ...Tier) Options {
	return Options{Site: "s", Namespace: "app", Cluster: cluster, Tiers: tiers,
		Engine: Engine{Name: "argocd", Namespace: "argocd", DestinationServer: "https://k", RepoURL: "https://git/r", Revision: "main", Path: "deploy"}}
}

func waves(t *testing.T, objs []object.Object) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, o := range objs {
		if o.Kind() == "Application" && o.Tier == Dir {
			out[o.Name()], _ = o.Annotations()["argocd.argoproj.io/sync-wave"].(string)
		}
	}
	return out
}

func dependsOn(objs []object.Object) map[string]any {
	out := map[string]any{}
	for _, o := range objs {
		if o.Kind() == "Kustomization" {
			out[o.Namespace()+"/"+o.Name()] = spec(o)["dependsOn"]
		}
	}
	return out
}

// diamond: a; b and c depend on a; d depends on b, c and (implied) a.
func diamond() []Tier {
	return []Tier{
		{Name: "a", ServiceAccount: "op", Timeout: "1m", Namespace: "data", Objects: []object.Object{cm("data", "a")}},
		{Name: "b", ServiceAccount: "op", Timeout: "1m", Namespace: "apps", DependsOn: []string{"a"}, Objects: []object.Object{cm("apps", "b")}},
		{Name: "c", ServiceAccount: "op", Timeout: "1m", Namespace: "apps", DependsOn: []string{"a"}, Objects: []object.Object{cm("apps", "c")}},
		{Name: "d", ServiceAccount: "op", Timeout: "1m", Namespace: "web", DependsOn: []string{"c", "a", "b"}, Objects: []object.Object{cm("web", "d")}},
	}
}

// Argo CD waves are depths; Flux dependsOn the reduced edges (d -> a is
// implied by d -> b -> a and absent), across namespaces, and the root of
// the graph waits for the cluster unit.
func TestDiamond(t *testing.T) {
	for _, cluster := range []string{"", "east"} {
		t.Run("cluster="+cluster, func(t *testing.T) {
			objs, err := Objects(argoSite(cluster, diamond()...))
			require.NoError(t, err)
			assert.Equal(t, map[string]string{"s-a": "0", "s-b": "1", "s-c": "1", "s-d": "2"}, waves(t, objs))

			objs, err = Objects(fluxSite(cluster, diamond()...))
			require.NoError(t, err)
			want := map[string]any{
				"data/s-a":            nil,
				"apps/s-b":            []any{map[string]any{"name": "s-a", "namespace": "data"}},
				"apps/s-c":            []any{map[string]any{"name": "s-a", "namespace": "data"}},
				"web/s-d":             []any{map[string]any{"name": "s-b", "namespace": "apps"}, map[string]any{"name": "s-c", "namespace": "apps"}},
				"flux-system/s-tiers": nil,
			}
			if cluster != "" {
				want["data/s-a"] = []any{map[string]any{"name": "cluster-east", "namespace": "flux-system"}}
				want["flux-system/s-tiers"] = []any{map[string]any{"name": "cluster-east"}}
			}
			if d := cmp.Diff(want, dependsOn(objs)); d != "" {
				t.Errorf("dependsOn (-want +got):\n%s", d)
			}
		})
	}
}

// A dependency on a component outside the site directory (all its
// objects in the cluster unit) is a depth-0 node below its dependents,
// and with a cluster unit the Flux dependency is on the unit.
func TestDependencyOutsideTheSite(t *testing.T) {
	tiers := []Tier{
		{Name: "ctl", ServiceAccount: "op", Timeout: "1m", DependsOn: []string{"crds"}, Objects: []object.Object{cm("app", "x")}},
		{Name: "app", ServiceAccount: "op", Timeout: "1m", DependsOn: []string{"ctl", "crds"}, Objects: []object.Object{cm("app", "y")}},
	}
	objs, err := Objects(argoSite("east", tiers...))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"s-ctl": "1", "s-app": "2"}, waves(t, objs))
	objs, err = Objects(fluxSite("east", tiers...))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"app/s-ctl":           []any{map[string]any{"name": "cluster-east", "namespace": "flux-system"}},
		"app/s-app":           []any{map[string]any{"name": "s-ctl"}},
		"flux-system/s-tiers": []any{map[string]any{"name": "cluster-east"}},
	}, dependsOn(objs))
	// Without a cluster unit there is nothing to wait for.
	objs, err = Objects(fluxSite("", tiers...))
	require.NoError(t, err)
	assert.Nil(t, dependsOn(objs)["app/s-ctl"])
}

// With a cluster unit, a component with nothing in the site directory
// gets no Application or Kustomization (no <site>-cluster one for a
// cluster tier whose objects all moved), keeps its depth, and its Flux
// dependents wait for what it depends on.
func TestComponentWithoutSiteObjects(t *testing.T) {
	tiers := []Tier{
		{Name: "cluster", ClusterAdmin: true, Timeout: "1m"},
		{Name: "a", ServiceAccount: "op", Timeout: "1m", DependsOn: []string{"cluster"}, Objects: []object.Object{cm("app", "a")}},
		{Name: "hollow", ServiceAccount: "op", Timeout: "1m", DependsOn: []string{"a"}},
		{Name: "b", ServiceAccount: "op", Timeout: "1m", DependsOn: []string{"hollow"}, Objects: []object.Object{cm("app", "b")}},
	}
	objs, err := Objects(argoSite("east", tiers...))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"s-a": "1", "s-b": "3"}, waves(t, objs))
	assert.Nil(t, find(objs, "AppProject", "s-cluster").Doc, "no cluster-admin component in the site")
	objs, err = Objects(fluxSite("east", tiers...))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"app/s-a":             []any{map[string]any{"name": "cluster-east", "namespace": "flux-system"}},
		"app/s-b":             []any{map[string]any{"name": "s-a"}},
		"flux-system/s-tiers": []any{map[string]any{"name": "cluster-east"}},
	}, dependsOn(objs))
}

// Three declared namespaces: both AppProjects allow exactly them; each
// namespaced component's Kustomization is in its namespace, applied by
// its account; the cluster-admin one (which makes the accounts) is in
// the engine's namespace, and the tiers Kustomization waits for it and
// for the cluster unit.
func TestThreeNamespaces(t *testing.T) {
	tiers := []Tier{
		{Name: "access", ClusterAdmin: true, Timeout: "2m", Namespace: "apps", Objects: []object.Object{
			obj("v1", "ServiceAccount", "data", "deployer"), obj("v1", "ServiceAccount", "web", "deployer")}},
		{Name: "db", ServiceAccount: "deployer", Timeout: "10m", Namespace: "data", DependsOn: []string{"access"}, Objects: []object.Object{cm("data", "db")}},
		{Name: "api", ServiceAccount: "deployer", Timeout: "5m", Namespace: "apps", DependsOn: []string{"access", "db"}, Objects: []object.Object{cm("apps", "api")}},
		{Name: "front", ServiceAccount: "front-sa", Timeout: "5m", Namespace: "web", DependsOn: []string{"api"}, Objects: []object.Object{cm("web", "front")}},
	}
	declared := []string{"web", "data", "apps"}
	o := argoSite("east", tiers...)
	o.Namespaces = declared
	objs, err := Objects(o)
	require.NoError(t, err)
	want := []any{
		map[string]any{"namespace": "apps", "server": "https://k"},
		map[string]any{"namespace": "data", "server": "https://k"},
		map[string]any{"namespace": "web", "server": "https://k"},
	}
	for _, p := range []string{"s", "s-cluster"} {
		assert.Equal(t, want, spec(find(objs, "AppProject", p))["destinations"], p)
	}
	assert.Equal(t, "namespaced tiers of site s: the site's namespaces only, nothing cluster-scoped", spec(find(objs, "AppProject", "s"))["description"])
	for app, ns := range map[string]string{"s-access": "apps", "s-db": "data", "s-api": "apps", "s-front": "web"} {
		assert.Equal(t, ns, spec(find(objs, "Application", app))["destination"].(map[string]any)["namespace"], app)
	}
	assert.Equal(t, map[string]string{"s-access": "0", "s-db": "1", "s-api": "2", "s-front": "3"}, waves(t, objs))

	o = fluxSite("east", tiers...)
	o.Namespaces = declared
	objs, err = Objects(o)
	require.NoError(t, err)
	type ks struct{ Namespace, Dir, Account string }
	got := map[string]ks{}
	for _, k := range objs {
		if k.Kind() == "Kustomization" {
			sa, _ := spec(k)["serviceAccountName"].(string)
			got[k.Name()] = ks{k.Namespace(), k.Tier, sa}
		}
	}
	assert.Equal(t, map[string]ks{
		"s-access": {"flux-system", Dir, "s-cluster-admin"},
		"s-db":     {"data", TiersDir, "deployer"},
		"s-api":    {"apps", TiersDir, "deployer"},
		"s-front":  {"web", TiersDir, "front-sa"},
		"s-tiers":  {"flux-system", Dir, "s-cluster-admin"},
	}, got)
	assert.Equal(t, map[string]any{
		"flux-system/s-access": []any{map[string]any{"name": "cluster-east"}},
		"data/s-db":            []any{map[string]any{"name": "s-access", "namespace": "flux-system"}},
		"apps/s-api":           []any{map[string]any{"name": "s-db", "namespace": "data"}},
		"web/s-front":          []any{map[string]any{"name": "s-api", "namespace": "apps"}},
		"flux-system/s-tiers":  []any{map[string]any{"name": "cluster-east"}, map[string]any{"name": "s-access"}},
	}, dependsOn(objs))
	assert.Equal(t, map[string]any{"kind": "GitRepository", "name": "s", "namespace": "flux-system"}, spec(find(objs, "Kustomization", "s-front"))["sourceRef"])
}

// The old call (no DependsOn, no cluster) is the chain of the tiers in
// list order: the same objects as an explicit chain, waves by index.
func TestOldCallIsTheChain(t *testing.T) {
	old := []Tier{
		{Name: "crds", ClusterAdmin: true, Timeout: "1m", Objects: []object.Object{obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "x")}},
		{Name: "ops", ServiceAccount: "op", Timeout: "1m"},
		{Name: "apps", ServiceAccount: "op", Timeout: "1m"},
	}
	chain := slices.Clone(old)
	chain[1].DependsOn, chain[2].DependsOn = []string{"crds"}, []string{"ops"}
	for _, o := range []func(string, ...Tier) Options{argoSite, fluxSite} {
		a, err := Objects(o("", old...))
		require.NoError(t, err)
		b, err := Objects(o("", chain...))
		require.NoError(t, err)
		if d := cmp.Diff(a, b); d != "" {
			t.Errorf("old call and explicit chain differ (-old +chain):\n%s", d)
		}
		if o("").Engine.Name == "argocd" {
			assert.Equal(t, map[string]string{"s-crds": "0", "s-ops": "1", "s-apps": "2"}, waves(t, a))
		}
	}
	// Without DependsOn but with a cluster unit, the tiers are independent.
	objs, err := Objects(argoSite("east", old[0], Tier{Name: "ops", ServiceAccount: "op", Timeout: "1m", Objects: []object.Object{cm("app", "x")}}))
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"s-crds": "0", "s-ops": "0"}, waves(t, objs))
}

func TestGraphErrors(t *testing.T) {
	a := Tier{Name: "a", ServiceAccount: "op", Timeout: "1m", Namespace: "x", Objects: []object.Object{cm("x", "a")}}
	for _, tc := range []struct {
		name string
		o    Options
		want string
	}{
		{"cycle", argoSite("", Tier{Name: "a", ServiceAccount: "op", DependsOn: []string{"b"}}, Tier{Name: "b", ServiceAccount: "op", DependsOn: []string{"a"}}),
			"ordering the components of site s: dependency cycle: a -> b -> a"},
		{"twice", fluxSite("", a, a), "site s: tier a is given twice"},
		{"undeclared namespace", func() Options { o := fluxSite("east", a); o.Namespaces = []string{"y", "z"}; return o }(),
			"site s: component a is in namespace x, which the site does not declare (it declares y, z)\nhint: add x to the plan's namespaces, or move the component"},
		{"undeclared namespace, declared out of order", func() Options { o := argoSite("east", a); o.Namespaces = []string{"z", "y", "z"}; return o }(),
			"site s: component a is in namespace x, which the site does not declare (it declares y, z)\nhint: add x to the plan's namespaces, or move the component"},
		{"component named like the cluster unit", func() Options { o := fluxSite("east", a); o.Site = "cluster"; o.Tiers[0].Name = "east"; return o }(),
			"site cluster: its Kustomization cluster-east would have the name of an object of cluster east's unit\nhint: rename the site or the component"},
		{"site named like the cluster unit", func() Options { o := argoSite("east", a); o.Site = "cluster-east"; return o }(),
			"site cluster-east: its AppProject cluster-east would have the name of an object of cluster east's unit\nhint: rename the site or the component"},
		{"account named like the unit's", func() Options { o := fluxSite("cluster", a); o.Site = "cluster"; return o }(),
			"site cluster: its ServiceAccount cluster-cluster-admin would have the name of an object of cluster cluster's unit\nhint: rename the site or the component"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Objects(tc.o)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

func encode(t *testing.T, objs []object.Object) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		b.WriteString("--- " + o.Tier + "\n")
		require.NoError(t, object.Encode(&b, o.Doc))
	}
	return b.String()
}

// The cluster unit's bootstrap, for both engines: named after the
// cluster, syncing DIR/clusters/<c>, allowing exactly the kinds the unit
// holds, as cluster-admin.
func TestClusterObjects(t *testing.T) {
	unit := []object.Object{
		obj("apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "things.example.com"),
		obj("v1", "Namespace", "", "shop-data"),
		obj("scheduling.k8s.io/v1", "PriorityClass", "", "standard"),
	}
	argoOpts := ClusterOptions{Cluster: "east", Sites: []string{"shop-staging", "shop-prod"}, Objects: unit,
		Engine: Engine{Name: "argocd", Namespace: "argocd", DestinationServer: "https://k", RepoURL: "https://git/r", Revision: "main", Path: "deploy", Prune: true, SelfHeal: true}}
	objs, err := ClusterObjects(argoOpts)
	require.NoError(t, err)
	assert.Equal(t, `--- gitops
apiVersion: argoproj.io/v1alpha1
kind: AppProject
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east
  namespace: argocd
spec:
  clusterResourceWhitelist:
  - group: ""
    kind: Namespace
  - group: apiextensions.k8s.io
    kind: CustomResourceDefinition
  - group: scheduling.k8s.io
    kind: PriorityClass
  description: cluster-scoped objects of cluster east, shared by its sites shop-prod,
    shop-staging
  destinations:
  - namespace: argocd
    server: https://k
  namespaceResourceBlacklist:
  - group: '*'
    kind: '*'
  sourceRepos:
  - https://git/r
--- gitops
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east
  namespace: argocd
spec:
  destination:
    namespace: argocd
    server: https://k
  project: cluster-east
  source:
    path: deploy/clusters/east
    repoURL: https://git/r
    targetRevision: main
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
    retry:
      backoff:
        duration: 10s
        factor: 2
        maxDuration: 5m
      limit: 5
    syncOptions:
    - FailOnSharedResource=true
    - PruneLast=true
    - ServerSideApply=true
`, encode(t, objs))

	// Namespaced objects in the unit: their kinds and namespaces, and
	// nothing cluster-scoped.
	argoOpts.Objects = []object.Object{obj("v1", "ServiceAccount", "tpe", "op"), obj("rbac.authorization.k8s.io/v1", "RoleBinding", "tpe", "op")}
	objs, err = ClusterObjects(argoOpts)
	require.NoError(t, err)
	p := spec(find(objs, "AppProject", "cluster-east"))
	assert.Equal(t, []any{map[string]any{"namespace": "tpe", "server": "https://k"}}, p["destinations"])
	assert.Equal(t, []any{map[string]any{"group": "", "kind": "ServiceAccount"}, map[string]any{"group": "rbac.authorization.k8s.io", "kind": "RoleBinding"}}, p["namespaceResourceWhitelist"])
	assert.Equal(t, []any{map[string]any{"group": "*", "kind": "*"}}, p["clusterResourceBlacklist"])
	assert.Equal(t, "tpe", spec(find(objs, "Application", "cluster-east"))["destination"].(map[string]any)["namespace"])

	objs, err = ClusterObjects(ClusterOptions{Cluster: "east", Sites: []string{"a"}, Objects: unit,
		Engine: Engine{Name: "flux", Namespace: "flux-system", Interval: "30m", RepoURL: "ssh://git/r", Revision: "edge", Path: "deploy", Prune: true, Credentials: "git-creds"}})
	require.NoError(t, err)
	assert.Equal(t, `--- gitops
apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east
  namespace: flux-system
spec:
  interval: 30m
  ref:
    branch: edge
  secretRef:
    name: git-creds
  url: ssh://git/r
--- gitops
apiVersion: v1
kind: ServiceAccount
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east-admin
  namespace: flux-system
--- gitops
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east-admin
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: cluster-admin
subjects:
- kind: ServiceAccount
  name: cluster-east-admin
  namespace: flux-system
--- gitops
apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  labels:
    app.kubernetes.io/managed-by: tpgen
    tpgen.dev/cluster: east
  name: cluster-east
  namespace: flux-system
spec:
  interval: 30m
  path: ./deploy/clusters/east
  prune: true
  retryInterval: 2m
  serviceAccountName: cluster-east-admin
  sourceRef:
    kind: GitRepository
    name: cluster-east
  timeout: 10m
  wait: true
`, encode(t, objs))
	assert.Equal(t, []string{Dir}, ClusterDirs("flux"))
	assert.Equal(t, "clusters/east", ClusterDir("east"))
}

func TestClusterObjectsRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		o    ClusterOptions
		want string
	}{
		{"no name", ClusterOptions{Engine: Engine{Name: "flux"}}, "a cluster unit without a cluster name"},
		{"unknown engine", ClusterOptions{Cluster: "c", Engine: Engine{Name: "jenkins"}}, `cluster c: unknown GitOps engine "jenkins": want argocd or flux`},
		{"site named like the unit", ClusterOptions{Cluster: "c", Sites: []string{"a", "cluster-c"}, Engine: Engine{Name: "argocd"}},
			"cluster c: site cluster-c would own GitOps objects named cluster-c, as the cluster unit does\nhint: rename the site or the cluster"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ClusterObjects(tc.o)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
}

// The sops secret workflow: every Flux Kustomization that applies rendered
// objects (a tier's, the cluster unit's) decrypts with the profile's key
// Secret; the one that only applies gitops/tiers/ does not need to.
func TestFluxDecryption(t *testing.T) {
	o := Options{Site: "s", Namespace: "app", Cluster: "c", Engine: Engine{Name: "flux", Namespace: "flux-system", Interval: "1m", Revision: "main", Path: ".", Decryption: "sops-keys"},
		Tiers: []Tier{{Name: "ns", ClusterAdmin: true, Timeout: "1m"}, {Name: "apps", ServiceAccount: "op", Timeout: "2m"}}}
	for i := range o.Tiers {
		o.Tiers[i].Objects = []object.Object{{Tier: o.Tiers[i].Name, Doc: map[string]any{"apiVersion": "v1", "kind": "Secret", "metadata": map[string]any{"name": "x", "namespace": "app"}}}}
	}
	objs, err := Objects(o)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"provider": "sops", "secretRef": map[string]any{"name": "sops-keys"}}
	for _, n := range []string{"s-ns", "s-apps"} {
		if d := cmp.Diff(want, spec(find(objs, "Kustomization", n))["decryption"]); d != "" {
			t.Errorf("%s decryption (-want +got):\n%s", n, d)
		}
	}
	if got := spec(find(objs, "Kustomization", "s-tiers"))["decryption"]; got != nil {
		t.Errorf("s-tiers decrypts: %v", got)
	}
	cobjs, err := ClusterObjects(ClusterOptions{Cluster: "c", Engine: o.Engine, Sites: []string{"s"}})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want, spec(find(cobjs, "Kustomization", "cluster-c"))["decryption"]); d != "" {
		t.Errorf("cluster unit decryption (-want +got):\n%s", d)
	}
	o.Engine.Decryption = ""
	objs, _ = Objects(o)
	if got := spec(find(objs, "Kustomization", "s-apps"))["decryption"]; got != nil {
		t.Errorf("decryption without the sops workflow: %v", got)
	}
}
