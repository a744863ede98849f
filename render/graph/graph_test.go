package graph

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render/object"
)

func app(name, path, project string, wave int) object.Object {
	meta := map[string]any{"name": name, "namespace": "argocd"}
	if wave >= 0 {
		meta["annotations"] = map[string]any{"argocd.argoproj.io/sync-wave": []string{"0", "1", "2", "3"}[wave]}
	}
	return object.Object{Tier: "gitops", Doc: map[string]any{
		"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": meta,
		"spec": map[string]any{"project": project, "source": map[string]any{"path": path}},
	}}
}

// diamond: db has nothing in the site but depends on the cluster unit's
// crds; api and jobs depend on db; web on api, jobs and (implied) db;
// restore, a manual component, on db.
func diamond() Site {
	return Site{Name: "shop", Cluster: "east",
		Tiers: []Tier{
			{Name: "db", Kind: "manifests", Namespace: "data", DependsOn: []string{"crds"}, Kinds: map[string]int{"StatefulSet": 1, "Service": 1}},
			{Name: "api", Kind: "helm", Namespace: "apps", DependsOn: []string{"db"}, Kinds: map[string]int{"Deployment": 1}},
			{Name: "jobs", Kind: "helm", Namespace: "apps", DependsOn: []string{"db"}, Kinds: map[string]int{"CronJob": 2}},
			{Name: "web", Kind: "kustomize", Namespace: "web", DependsOn: []string{"jobs", "db", "api"}, Kinds: map[string]int{"Deployment": 1, "Ingress": 1}},
			{Name: "restore", Kind: "manifests", Namespace: "data", Manual: true, DependsOn: []string{"db"}, Kinds: map[string]int{"Job": 1}},
		},
		GitOps: []object.Object{
			app("shop-db", "deploy/shop/db", "shop", 1),
			app("shop-api", "deploy/shop/api", "shop", 2),
			app("shop-jobs", "deploy/shop/jobs", "shop", 2),
			app("shop-web", "deploy/shop/web", "shop", 3),
			app("shop", "deploy/shop/gitops", "default", -1),
		},
	}
}

// The dependency graph of a diamond, with a dependency outside the site
// and a manual component, as Mermaid and dot: every declared edge, the
// implied one dotted, waves on the Application lines.
func TestDiamond(t *testing.T) {
	for _, tc := range []struct{ format, want string }{
		{FormatMermaid, `flowchart TD
  subgraph site_shop["shop · Argo CD"]
    direction TB
    shop_root["<b>Application shop</b><br/>root (app of apps), syncs deploy/shop/gitops"]
    shop_db["<b>db</b><br/>Application shop-db · wave 1 · project shop<br/>manifests in data<br/>1 Service, 1 StatefulSet"]
    shop_api["<b>api</b><br/>Application shop-api · wave 2 · project shop<br/>helm in apps<br/>1 Deployment"]
    shop_jobs["<b>jobs</b><br/>Application shop-jobs · wave 2 · project shop<br/>helm in apps<br/>2 CronJob"]
    shop_web["<b>web</b><br/>Application shop-web · wave 3 · project shop<br/>kustomize in web<br/>1 Deployment, 1 Ingress"]
    shop_restore["<b>restore</b><br/>manifests in data<br/>manual: rendered, never synced<br/>1 Job"]
    shop_crds["<b>crds</b><br/>nothing in the site directory<br/>(in the cluster unit clusters/east/)"]
  end
  shop_crds -->|"dependsOn"| shop_db
  shop_db -->|"dependsOn"| shop_api
  shop_db -->|"dependsOn"| shop_jobs
  shop_api -->|"dependsOn"| shop_web
  shop_db -.->|"dependsOn (implied)"| shop_web
  shop_jobs -->|"dependsOn"| shop_web
  shop_db -->|"dependsOn"| shop_restore
`},
		{FormatDot, `digraph tpgen {
  rankdir=TB;
  node [shape=box, fontname="Helvetica", fontsize=10];
  edge [fontname="Helvetica", fontsize=9];
  subgraph "cluster_shop" {
    label="shop · Argo CD";
    "shop/root" [label="Application shop\nroot (app of apps), syncs deploy/shop/gitops\l"];
    "shop/db" [label="db\nApplication shop-db · wave 1 · project shop\lmanifests in data\l1 Service, 1 StatefulSet\l"];
    "shop/api" [label="api\nApplication shop-api · wave 2 · project shop\lhelm in apps\l1 Deployment\l"];
    "shop/jobs" [label="jobs\nApplication shop-jobs · wave 2 · project shop\lhelm in apps\l2 CronJob\l"];
    "shop/web" [label="web\nApplication shop-web · wave 3 · project shop\lkustomize in web\l1 Deployment, 1 Ingress\l"];
    "shop/restore" [label="restore\nmanifests in data\lmanual: rendered, never synced\l1 Job\l"];
    "shop/crds" [label="crds\nnothing in the site directory\l(in the cluster unit clusters/east/)\l"];
  }
  "shop/crds" -> "shop/db" [label="dependsOn"];
  "shop/db" -> "shop/api" [label="dependsOn"];
  "shop/db" -> "shop/jobs" [label="dependsOn"];
  "shop/api" -> "shop/web" [label="dependsOn"];
  "shop/db" -> "shop/web" [label="dependsOn (implied)", style=dashed];
  "shop/jobs" -> "shop/web" [label="dependsOn"];
  "shop/db" -> "shop/restore" [label="dependsOn"];
}
`},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var b strings.Builder
			require.NoError(t, Write(&b, tc.format, []Site{diamond()}))
			assert.Equal(t, tc.want, b.String())
		})
	}
}

func ks(name, ns, path string, deps ...map[string]any) object.Object {
	spec := map[string]any{"path": path}
	if len(deps) > 0 {
		var l []any
		for _, d := range deps {
			l = append(l, d)
		}
		spec["dependsOn"] = l
	}
	tier := "gitops/tiers"
	if ns == "flux-system" {
		tier = "gitops"
	}
	return object.Object{Tier: tier, Doc: map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": name, "namespace": ns}, "spec": spec,
	}}
}

// With Flux, the Kustomizations' dependsOn between components are the
// reduced dependency edges already drawn; those on other Kustomizations
// (the one that applies gitops/tiers) and what it applies are drawn as
// before; the unit's Kustomization, not in the site, is not.
func TestDiamondFlux(t *testing.T) {
	s := diamond()
	unit := map[string]any{"name": "cluster-east", "namespace": "flux-system"}
	s.GitOps = []object.Object{
		ks("shop-db", "data", "./deploy/shop/db", unit),
		ks("shop-api", "apps", "./deploy/shop/api", map[string]any{"name": "shop-db", "namespace": "data"}),
		ks("shop-jobs", "apps", "./deploy/shop/jobs", map[string]any{"name": "shop-db", "namespace": "data"}),
		ks("shop-web", "web", "./deploy/shop/web", map[string]any{"name": "shop-api", "namespace": "apps"}, map[string]any{"name": "shop-jobs", "namespace": "apps"}),
		ks("shop-tiers", "flux-system", "./deploy/shop/gitops/tiers", map[string]any{"name": "cluster-east"}),
	}
	var b strings.Builder
	require.NoError(t, Write(&b, FormatMermaid, []Site{s}))
	got := b.String()
	for _, want := range []string{
		`  subgraph site_shop["shop · Flux"]` + "\n",
		`    shop_web["<b>web</b><br/>Kustomization shop-web<br/>kustomize in web<br/>1 Deployment, 1 Ingress"]` + "\n",
		`    shop_shop_tiers["<b>Kustomization shop-tiers</b><br/>applies ./deploy/shop/gitops/tiers"]` + "\n",
		`  shop_db -.->|"dependsOn (implied)"| shop_web` + "\n",
		`  shop_shop_tiers -.->|"applies"| shop_web` + "\n",
	} {
		assert.Contains(t, got, want)
	}
	assert.Equal(t, 1, strings.Count(got, "shop_api -->|\"dependsOn\"| shop_web"), "one edge per dependency:\n%s", got)
	assert.Equal(t, 7, strings.Count(got, "-->|\"dependsOn\"|")+strings.Count(got, "-.->|\"dependsOn (implied)\"|"), got)
}

func TestDrawingRefusesACycle(t *testing.T) {
	s := Site{Name: "s", Tiers: []Tier{{Name: "a", DependsOn: []string{"b"}}, {Name: "b", DependsOn: []string{"a"}}}}
	err := Write(&strings.Builder{}, FormatMermaid, []Site{s})
	require.Error(t, err)
	assert.Equal(t, "drawing site s: dependency cycle: a -> b -> a", err.Error())
}
