package render_test

import (
	"fmt"
	"slices"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render/object"
)

// The delivery facts (FACTS §1 order, §2 accounts) as the GitOps engines
// see them, on the base site of facts_test.go.

var installOrder = []string{"cluster", "data-controllers", "data", "app-controllers", "enterprise"}

func lookup(t *testing.T, doc map[string]any, path ...string) any {
	t.Helper()
	var v any = doc
	for _, p := range path {
		m, ok := v.(map[string]any)
		require.True(t, ok, "%v: %v is not a map", path, p)
		v = m[p]
	}
	return v
}

func field(t *testing.T, doc map[string]any, path ...string) string {
	t.Helper()
	s, _ := lookup(t, doc, path...).(string)
	return s
}

func (s site) engine(kind, name string) object.Object {
	for _, o := range s.gitops {
		if o.Kind() == kind && o.Name() == name {
			return o
		}
	}
	return object.Object{}
}

// kindsOf returns "group/Kind" of the tier's objects, cluster-scoped or not.
func (s site) kindsOf(tiers []string, clusterScoped bool) []string {
	var out []string
	for _, o := range s.objs {
		if slices.Contains(tiers, o.Tier) && (o.Namespace() == "") == clusterScoped {
			out = append(out, o.Group()+"/"+o.Kind())
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func listedKinds(t *testing.T, list any) []string {
	t.Helper()
	var out []string
	for _, e := range list.([]any) {
		m := e.(map[string]any)
		out = append(out, fmt.Sprint(m["group"])+"/"+fmt.Sprint(m["kind"]))
	}
	return out
}

// The GitOps variations of the facts fleet (factsVariants).
const (
	argoOptions = `gitops: {engine: argocd, repoURL: "https://git.example.net/d.git", prune: false, selfHeal: false, destination: {name: lab}, revision: "refs/tags/v1"}`
	fluxSSH     = `gitops: {engine: flux, repoURL: "ssh://git@git.example.net/d.git", path: fleet, interval: 5m, credentials: {secretRef: {name: git-ssh}}}`
)

func fluxRevision(rev string) string {
	return `gitops: {engine: flux, repoURL: "https://git.example.net/d.git", revision: "` + rev + `"}`
}

func TestArgoCDWiring(t *testing.T) {
	s := renderWith(t)
	// The cluster component is in the cluster directory: its Application
	// and AppProject are the cluster's (issue 12), not the site's.
	assert.Nil(t, s.engine("Application", s.name+"-cluster").Doc)
	assert.Nil(t, s.engine("AppProject", s.name+"-cluster").Doc)
	wave := -1
	for _, tier := range installOrder[1:] {
		app := s.engine("Application", s.name+"-"+tier)
		require.NotNil(t, app.Doc, tier)
		assert.Equal(t, "gitops", app.Tier)
		assert.Equal(t, "argocd", app.Namespace())
		w, err := strconv.Atoi(app.Annotations()["argocd.argoproj.io/sync-wave"].(string))
		require.NoError(t, err)
		assert.Greater(t, w, wave, "wave of %s", tier)
		wave = w
		assert.Equal(t, s.name+"/"+tier, field(t, app.Doc, "spec", "source", "path"))
		assert.Equal(t, "main", field(t, app.Doc, "spec", "source", "targetRevision"))
		assert.Equal(t, "thingpark-enterprise", field(t, app.Doc, "spec", "destination", "namespace"))
		assert.Equal(t, "https://kubernetes.default.svc", field(t, app.Doc, "spec", "destination", "server"))
		assert.Equal(t, map[string]any{"prune": true, "selfHeal": true}, lookup(t, app.Doc, "spec", "syncPolicy", "automated"))
		assert.NotNil(t, lookup(t, app.Doc, "spec", "syncPolicy", "retry"))
		assert.Equal(t, s.name, field(t, app.Doc, "spec", "project"), tier)
		// CRDs are too large for client-side apply: only the cluster
		// directory holds them.
		ssa := slices.Contains(lookup(t, app.Doc, "spec", "syncPolicy", "syncOptions").([]any), "ServerSideApply=true")
		assert.False(t, ssa, "ServerSideApply on %s", tier)
	}

	ns := s.engine("AppProject", s.name)
	require.NotNil(t, ns.Doc)
	assert.Nil(t, lookup(t, ns.Doc, "spec", "clusterResourceWhitelist"))
	assert.Equal(t, []string{"*/*"}, listedKinds(t, lookup(t, ns.Doc, "spec", "clusterResourceBlacklist")))
	assert.Equal(t, s.kindsOf(installOrder[1:], false), listedKinds(t, lookup(t, ns.Doc, "spec", "namespaceResourceWhitelist")))
	assert.Equal(t, []any{map[string]any{"namespace": "thingpark-enterprise", "server": "https://kubernetes.default.svc"}}, lookup(t, ns.Doc, "spec", "destinations"))
	assert.Empty(t, s.kindsOf(installOrder[1:], true), "a namespaced tier holds a cluster-scoped object")

	root := s.engine("Application", s.name)
	require.NotNil(t, root.Doc)
	assert.Equal(t, "gitops/root", root.Tier)
	assert.Equal(t, s.name+"/gitops", field(t, root.Doc, "spec", "source", "path"))

	// Profile options.
	s = renderWith(t, argoOptions)
	app := s.engine("Application", s.name+"-data")
	assert.Equal(t, map[string]any{"prune": false, "selfHeal": false}, lookup(t, app.Doc, "spec", "syncPolicy", "automated"))
	assert.Equal(t, map[string]any{"name": "lab", "namespace": "thingpark-enterprise"}, lookup(t, app.Doc, "spec", "destination"))
	assert.Equal(t, s.name+"/data", field(t, app.Doc, "spec", "source", "path"))
	assert.Equal(t, "refs/tags/v1", field(t, app.Doc, "spec", "source", "targetRevision"))
}

func TestFluxWiring(t *testing.T) {
	s := renderWith(t, fluxSSH)
	repo := s.engine("GitRepository", s.name)
	require.NotNil(t, repo.Doc)
	assert.Equal(t, "flux-system", repo.Namespace())
	assert.Equal(t, map[string]any{"branch": "main"}, lookup(t, repo.Doc, "spec", "ref"))
	assert.Equal(t, "git-ssh", field(t, repo.Doc, "spec", "secretRef", "name"))
	assert.Equal(t, "5m", field(t, repo.Doc, "spec", "interval"))

	// The cluster component is in the cluster directory: its
	// Kustomization is the cluster's (issue 12), not the site's.
	assert.Nil(t, s.engine("Kustomization", s.name+"-cluster").Doc)

	var prev object.Object
	for i, tier := range installOrder[1:] {
		ks := s.engine("Kustomization", s.name+"-"+tier)
		require.NotNil(t, ks.Doc, tier)
		assert.Equal(t, "./fleet/"+s.name+"/"+tier, field(t, ks.Doc, "spec", "path"))
		assert.Equal(t, true, lookup(t, ks.Doc, "spec", "prune"))
		assert.Equal(t, true, lookup(t, ks.Doc, "spec", "wait"))
		assert.Equal(t, "10m", field(t, ks.Doc, "spec", "timeout"))
		assert.Equal(t, s.name, field(t, ks.Doc, "spec", "sourceRef", "name"))
		if i > 0 {
			// Install order is explicit: each tier depends on the one
			// before it.
			dep := map[string]any{"name": prev.Name()}
			if prev.Namespace() != ks.Namespace() {
				dep["namespace"] = prev.Namespace()
			}
			assert.Equal(t, []any{dep}, lookup(t, ks.Doc, "spec", "dependsOn"), tier)
		}
		// Applied by the operator account, from the site namespace,
		// where the cluster component renders that account.
		assert.Equal(t, "tpe-operator", field(t, ks.Doc, "spec", "serviceAccountName"))
		assert.Equal(t, "thingpark-enterprise", ks.Namespace())
		assert.Equal(t, "gitops/tiers", ks.Tier)
		assert.Equal(t, "flux-system", field(t, ks.Doc, "spec", "sourceRef", "namespace"))
		prev = ks
	}
	assert.Equal(t, "cluster", s.tier["ServiceAccount/thingpark-enterprise/tpe-operator"])
	bound := false
	for _, o := range s.objs {
		if o.Kind() == "RoleBinding" && o.Tier == "cluster" {
			for _, sub := range lookup(t, o.Doc, "subjects").([]any) {
				if sub.(map[string]any)["name"] == "tpe-operator" {
					bound = true
				}
			}
		}
	}
	assert.True(t, bound, "the cluster tier binds no role to tpe-operator")

	tiers := s.engine("Kustomization", s.name+"-tiers")
	require.NotNil(t, tiers.Doc)
	assert.Equal(t, "./fleet/"+s.name+"/gitops/tiers", field(t, tiers.Doc, "spec", "path"))
	// Its dependency on the cluster directory's Kustomization
	// (cluster-factsite) is the gitops stage's (issue 12).

	// Revisions: a commit and an exact ref.
	for rev, want := range map[string]map[string]any{
		"0123456789abcdef0123456789abcdef01234567": {"commit": "0123456789abcdef0123456789abcdef01234567"},
		"refs/tags/v2024.06":                       {"name": "refs/tags/v2024.06"},
	} {
		s := renderWith(t, fluxRevision(rev))
		assert.Equal(t, want, lookup(t, s.engine("GitRepository", s.name).Doc, "spec", "ref"), rev)
	}
}
