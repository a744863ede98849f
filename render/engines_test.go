package render_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/crd"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
)

// Every example site, wired for Argo CD and for Flux (whichever its
// profile names), produces engine objects that the upstream Argo CD and
// Flux CRDs accept, and built-in objects the Kubernetes API types accept.
func TestBothEnginesAgainstUpstreamCRDs(t *testing.T) {
	upstream, err := crd.Load(shared.CRDs(t, "argo-cd-v3.5.1"), shared.CRDs(t, "flux-v2"))
	require.NoError(t, err)
	t.Chdir("..")
	_, objs := fleetObjects(t)
	l, err := profile.NewLoader(nil)
	require.NoError(t, err)
	sites, err := l.LoadAll([]string{"profiles"})
	require.NoError(t, err)
	require.Len(t, sites, 8) // six ThingPark sites, two Smart Emission sites

	engines := map[string]profile.GitOps{
		"argocd": {Engine: "argocd", Namespace: "argocd", SelfHeal: true, Destination: &profile.Destination{Server: "https://kubernetes.default.svc"}},
		"flux":   {Engine: "flux", Namespace: "flux-system", Interval: "10m", Credentials: "git-credentials"},
	}
	checked := map[string]int{}
	for _, s := range sites {
		p, err := l.Plan(s)
		require.NoError(t, err)
		var tiers []object.Object
		for _, o := range objs[s.Name] {
			if o.Tier != "gitops" {
				tiers = append(tiers, o)
			}
		}
		for name, e := range engines {
			q := *p
			if p.GitOps.Engine != name {
				e.RepoURL, e.Revision, e.Path, e.Prune = "https://git.example.net/platform/deploy.git", p.GitOps.Revision, p.GitOps.Path, p.GitOps.Prune
				q.GitOps = e
			}
			out, err := gitops.Objects(render.GitOpsOptions(&q, tiers))
			require.NoError(t, err)
			for _, o := range out {
				var errs []string
				if kube.Builtin(o.APIVersion(), o.Kind()) {
					for _, e := range kube.Check(o.Doc) {
						errs = append(errs, e.Error())
					}
				} else {
					for _, e := range upstream.Validate(o.Doc) {
						errs = append(errs, e.Error())
					}
					checked[name]++
				}
				assert.Empty(t, errs, "%s (%s): %s", s.Name, name, o.ID())
			}
		}
	}
	// Per ThingPark site: 1 project + 4 Applications + root; GitRepository
	// + 5 Kustomizations (the cluster component is in the cluster
	// directory, whose bootstrap is not the site's). Smart Emission: the
	// components of the site directory + 2 (nijmegen 19, nijmegen-lab 17;
	// cluster-admin and manual components have none).
	assert.Equal(t, map[string]int{"argocd": 6*6 + 21 + 19, "flux": 6*6 + 21 + 19}, checked)

	// The bootstrap examples of the README are valid too.
	for _, f := range []string{"examples/argocd/applicationset.yaml", "examples/flux/bootstrap.yaml"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		docs, err := object.Decode(b)
		require.NoError(t, err)
		require.Len(t, docs, 1, f)
		assert.Empty(t, upstream.Validate(docs[0]), f)
	}

	// The check bites: a broken Application and Kustomization are refused.
	app := map[string]any{"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
		"metadata": map[string]any{"name": "x", "namespace": "argocd"},
		"spec":     map[string]any{"project": "x", "source": map[string]any{"repoURL": "https://g", "path": "p"}, "syncPolicy": map[string]any{"automated": map[string]any{"prune": "yes"}}}}
	assert.NotEmpty(t, upstream.Validate(app), "an Application without destination and with prune: \"yes\"")
	ks := map[string]any{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
		"metadata": map[string]any{"name": "x", "namespace": "flux-system"},
		"spec":     map[string]any{"interval": "10m", "sourceRef": map[string]any{"kind": "GitRepository", "name": "x"}, "dependsOn": []any{map[string]any{"nme": "y"}}}}
	assert.NotEmpty(t, upstream.Validate(ks), "a Kustomization without prune, with a misspelt dependsOn key")
}
