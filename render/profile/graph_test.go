package profile

import (
	"github.com/tpgen/tpgen/render/module"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
)

// TestThingParkComponents: the tiers became components of the same names,
// a dependsOn chain, with the same accounts and timeouts; the cluster is
// the site's by default.
func TestThingParkComponents(t *testing.T) {
	l := newTestLoader(t)
	srcs, err := Discover([]string{filepath.Join(profilesDir, "eu", "lyon-prod.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	s, err := l.Load(srcs[0])
	if err != nil {
		t.Fatal(err)
	}
	p, err := l.Plan(s)
	if err != nil {
		t.Fatal(err)
	}
	type comp struct {
		Name, Namespace, Kind, Chart, Release, Timeout, Account string
		DependsOn                                               []string
	}
	var got []comp
	for _, c := range p.Components {
		acc := c.Account.ServiceAccount
		if c.Account.ClusterAdmin {
			acc = "cluster-admin"
		}
		got = append(got, comp{c.Name, c.Namespace, c.Kind, c.Chart.Name, c.Release, c.Timeout, acc, c.DependsOn})
		if len(c.Values) == 0 {
			t.Errorf("component %s has no values", c.Name)
		}
	}
	ns := p.Namespace
	want := []comp{
		{"app-controllers", ns, "helm", "thingpark-application-controllers", "tpe-controllers", "10m", "tpe-operator", []string{"data"}},
		{"cluster", ns, "helm", "thingpark-cluster", "tpe-cluster", "10m", "cluster-admin", nil},
		{"data", ns, "helm", "thingpark-data", "tpe-data", "10m", "tpe-operator", []string{"data-controllers"}},
		{"data-controllers", ns, "helm", "thingpark-data-controllers", "tpe-data-controllers", "10m", "tpe-operator", []string{"cluster"}},
		{"enterprise", ns, "helm", "thingpark-enterprise", "tpe", "10m", "tpe-operator", []string{"app-controllers"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("components (-want +got):\n%s", d)
	}
	if p.Cluster != "eu-shared" {
		t.Errorf("cluster = %q, want the profile's", p.Cluster)
	}
	srcs, err = Discover([]string{filepath.Join(profilesDir, "nantes-iot.yaml")})
	if err != nil {
		t.Fatal(err)
	}
	n, err := l.Load(srcs[0])
	if err != nil {
		t.Fatal(err)
	}
	if np, err := l.Plan(n); err != nil || np.Cluster != "nantes-iot" {
		t.Errorf("nantes-iot: cluster %v, %v; want the site name", np, err)
	}
	if d := cmp.Diff([]Namespace{{Name: ns}}, p.Namespaces); d != "" {
		t.Errorf("namespaces (-want +got):\n%s", d)
	}
	g, err := p.Graph(s.Source.File)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"cluster", "data-controllers", "data", "app-controllers", "enterprise"}, g.Order()); d != "" {
		t.Errorf("order (-want +got):\n%s", d)
	}
}

// TestPlanGraphErrors: every graph defect names the site, the component
// and the field, with a hint.
func TestPlanGraphErrors(t *testing.T) {
	ns := []Namespace{{Name: "a"}, {Name: "b"}}
	c := func(name string, deps ...string) Component {
		return Component{Name: name, Namespace: "a", Kind: KindHelm, DependsOn: deps}
	}
	manual := c("restore")
	manual.Manual = true
	stray := c("web")
	stray.Namespace = "zz"
	for _, tc := range []struct {
		name  string
		comps []Component
		want  string
	}{
		{"unknown dependency", []Component{c("db"), c("web", "cache")},
			"plan of site s1 (p.yaml): components.web.dependsOn: web depends on cache, which is not a component (the components are db, web)\nhint: correct the name in components.web.dependsOn"},
		{"cycle", []Component{c("a", "c"), c("b", "a"), c("c", "b"), c("d")},
			"plan of site s1 (p.yaml): components.a.dependsOn: dependency cycle: a -> c -> b -> a\nhint: remove one dependency of the cycle"},
		{"self", []Component{c("a", "a")},
			"plan of site s1 (p.yaml): components.a.dependsOn: a depends on itself\nhint: remove one dependency of the cycle"},
		{"synced on manual", []Component{manual, c("web", "restore")},
			"plan of site s1 (p.yaml): components.web.dependsOn: component web is synced but depends on the manual component restore, which is never applied\nhint: make web manual too, or remove restore from components.web.dependsOn"},
		{"reserved manual", []Component{c("manual")},
			"plan of site s1 (p.yaml): components.manual: the component name manual is reserved (the site directory's manual/ directory)\nhint: rename the component; gitops and manual are reserved"},
		{"reserved gitops", []Component{c("gitops")},
			"plan of site s1 (p.yaml): components.gitops: the component name gitops is reserved (the site directory's gitops/ directory)\nhint: rename the component; gitops and manual are reserved"},
		{"undeclared namespace", []Component{stray},
			"plan of site s1 (p.yaml): components.web.namespace: namespace zz is not declared (the plan declares a, b)\nhint: add zz to the plan's namespaces, or put the component in a declared one"},
		{"no components", nil,
			"plan of site s1 (p.yaml): components.: the plan has no components\nhint: a module's #Plan declares components (see README, Components and clusters)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &Plan{Site: "s1", Namespaces: ns, Components: tc.comps}
			_, err := p.Graph("p.yaml")
			if err == nil {
				t.Fatal("no error")
			}
			if d := cmp.Diff(tc.want, err.Error()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}

// graphModule is a minimal module: its #Plan embeds #Platform (injected).
const graphModule = `package m

#Profile: {
	name!: string
	kubernetesVersion!: string
	deps: [string]: [...string]
}
profileDefaults: {}
#Plan: {
	#Platform
	profile: #Profile
	site: profile.name
	cluster: profile.name
	kubeVersion: profile.kubernetesVersion
	namespaces: a: {}
	components: {
		db: {namespace: "a", kind: "manifests", path: "manifests/db", account: serviceAccount: "x", timeout: "1m", exports: host: "db.a"}
		cache: C={namespace: "a", kind: "manifests", path: "manifests/cache", account: serviceAccount: "x", timeout: "1m", dependsOn: profile.deps.cache, exports: host: C.uses.db.host}
		web: W={namespace: "a", kind: "manifests", path: "manifests/web", account: serviceAccount: "x", timeout: "1m", dependsOn: profile.deps.web, exports: {host: W.uses.db.host}}
	}
	overlays: []
	gitops: {engine: "flux", repoURL: "r", revision: "main", path: ".", prune: true, namespace: "flux-system"}
	checks: {}
	acknowledgeReplace: []
}
`

// TestPlanUses: uses holds exactly the dependencies; reading another
// component's exports without depending on it is a plan error naming
// both, and a cycle is found before CUE's own cycle message.
func TestPlanUses(t *testing.T) {
	m := &module.Module{Name: "graph", Source: "test:graph", FS: fstest.MapFS{"m.cue": {Data: []byte(graphModule)}}}
	l, err := NewLoader(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, profile, want string
	}{
		{"declared", `{name: "s", kubernetesVersion: "1.27", deps: {cache: ["db"], web: ["db", "cache"]}}`, ""},
		{"undeclared", `{name: "s", kubernetesVersion: "1.27", deps: {cache: ["db"], web: ["cache"]}}`,
			"plan of site s (s.cue): components.web: component web reads uses.db but does not depend on db\nhint: add db to components.web.dependsOn"},
		{"two undeclared", `{name: "s", kubernetesVersion: "1.27", deps: {cache: [], web: []}}`,
			"plan of site s (s.cue): components.cache: component cache reads uses.db but does not depend on db\nhint: add db to components.cache.dependsOn\n" +
				"plan of site s (s.cue): components.web: component web reads uses.db but does not depend on db\nhint: add db to components.web.dependsOn"},
		{"unknown", `{name: "s", kubernetesVersion: "1.27", deps: {cache: ["db", "dbx"], web: ["db"]}}`,
			"plan of site s (s.cue): components.cache.dependsOn: cache depends on dbx, which is not a component (the components are cache, db, web)\nhint: correct the name in components.cache.dependsOn"},
		{"cycle", `{name: "s", kubernetesVersion: "1.27", deps: {cache: ["db", "web"], web: ["db", "cache"]}}`,
			"plan of site s (s.cue): components.cache.dependsOn: dependency cycle: cache -> web -> cache\nhint: remove one dependency of the cycle"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := l.ctx.CompileString(tc.profile)
			p, err := l.Plan(&Site{Name: "s", Source: Source{File: "s.cue"}, Profile: v, Module: m})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				web := p.Component("web")
				if web == nil || strings.Join(web.DependsOn, ",") != "db,cache" {
					t.Fatalf("web = %+v", web)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if d := cmp.Diff(tc.want, err.Error()); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
