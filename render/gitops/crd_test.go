package gitops_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render/crd"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

func cm(ns, name string) object.Object {
	return object.Object{Doc: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": name, "namespace": ns}}}
}

// The objects of a component graph across namespaces and of a cluster
// unit, for both engines, are accepted by the upstream Argo CD and Flux
// CRDs and the Kubernetes API types.
func TestGraphAndClusterUnitAgainstUpstreamCRDs(t *testing.T) {
	upstream, err := crd.Load(shared.CRDs(t, "argo-cd-v3.5.1"), shared.CRDs(t, "flux-v2"))
	require.NoError(t, err)
	tiers := []gitops.Tier{
		{Name: "access", ClusterAdmin: true, Timeout: "2m", Namespace: "apps", Objects: []object.Object{cm("data", "a")}},
		{Name: "db", ServiceAccount: "deployer", Timeout: "10m", Namespace: "data", DependsOn: []string{"access", "crds"}, Objects: []object.Object{cm("data", "b")}},
		{Name: "api", ServiceAccount: "deployer", Timeout: "5m", Namespace: "apps", DependsOn: []string{"db", "access"}, Objects: []object.Object{cm("apps", "c")}},
	}
	unit := []object.Object{
		{Doc: map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": "data"}}},
		cm("apps", "shared"),
	}
	engines := []gitops.Engine{
		{Name: "argocd", Namespace: "argocd", RepoURL: "https://git.example.net/r.git", Revision: "main", Path: "deploy", Prune: true, SelfHeal: true, DestinationServer: "https://kubernetes.default.svc"},
		{Name: "flux", Namespace: "flux-system", RepoURL: "https://git.example.net/r.git", Revision: "main", Path: "deploy", Prune: true, Interval: "10m", Credentials: "git"},
	}
	checked := 0
	for _, e := range engines {
		site, err := gitops.Objects(gitops.Options{Site: "shop", Namespace: "apps", Namespaces: []string{"apps", "data"}, Cluster: "east", Tiers: tiers, Engine: e})
		require.NoError(t, err)
		cluster, err := gitops.ClusterObjects(gitops.ClusterOptions{Cluster: "east", Sites: []string{"shop"}, Objects: unit, Engine: e})
		require.NoError(t, err)
		// Without namespaced objects (a namespaced blacklist).
		clusterOnly, err := gitops.ClusterObjects(gitops.ClusterOptions{Cluster: "west", Objects: unit[:1], Engine: e})
		require.NoError(t, err)
		for _, o := range append(append(site, cluster...), clusterOnly...) {
			var errs []string
			if kube.Builtin(o.APIVersion(), o.Kind()) {
				for _, e := range kube.Check(o.Doc) {
					errs = append(errs, e.Error())
				}
			} else {
				for _, e := range upstream.Validate(o.Doc) {
					errs = append(errs, e.Error())
				}
				checked++
			}
			assert.Empty(t, errs, "%s: %s", e.Name, o.ID())
		}
	}
	// Argo CD: 2 projects, 3 Applications, root, and per unit its
	// project and Application; Flux: GitRepository, 3 Kustomizations,
	// S-tiers, and per unit its GitRepository and Kustomization.
	assert.Equal(t, 10+9, checked)
}
