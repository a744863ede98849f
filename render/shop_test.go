package render_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/object"
)

// TestShopExample: the README's example user module (examples/modules/
// shop, found on the module path) renders its sites into a tree whose
// Argo CD waves and Flux dependsOn follow the component graph (access ->
// postgres -> catalog, orders -> storefront; restore manual), with the
// chart web used by three components and one cluster directory for the
// two sites of cluster shop-eu.
func TestShopExample(t *testing.T) {
	res, err := render.Run(context.Background(), render.Options{
		Paths: []string{"../examples/shop"}, ModulePath: []string{"../examples/modules"}, Jobs: 2, GitOpsPath: "deploy",
	})
	require.NoError(t, err)
	files := treeFiles(res)
	obj := func(p string) object.Object {
		t.Helper()
		b, ok := files[p]
		require.True(t, ok, "no file %s", p)
		return decodeOne(t, b)
	}

	// Argo CD: a wave per depth of the graph (access, in the cluster
	// directory, is depth 0).
	waves := map[string]string{}
	for _, c := range []string{"postgres", "catalog", "orders", "storefront"} {
		a := obj("shop-prod/gitops/application.argoproj.io_argocd_shop-prod-" + c + ".yaml")
		waves[c], _ = a.Annotations()["argocd.argoproj.io/sync-wave"].(string)
	}
	assert.Equal(t, map[string]string{"postgres": "1", "catalog": "2", "orders": "2", "storefront": "3"}, waves)

	// Flux: dependsOn exactly the reduced graph, across namespaces.
	deps := func(c, ns string) []string {
		k := obj("shop-us/gitops/tiers/kustomization.kustomize.toolkit.fluxcd.io_" + ns + "_shop-us-" + c + ".yaml")
		assert.Equal(t, ns, k.Namespace(), c)
		var out []string
		for _, d := range k.Doc["spec"].(map[string]any)["dependsOn"].([]any) {
			m := d.(map[string]any)
			n, _ := m["namespace"].(string)
			out = append(out, n+"/"+m["name"].(string))
		}
		return out
	}
	assert.Equal(t, []string{"flux-system/cluster-shop-us"}, deps("postgres", "shop-us-data"), "access lives in the cluster directory")
	assert.Equal(t, []string{"shop-us-data/shop-us-postgres"}, deps("catalog", "shop-us-apps"), "catalog -> access is implied by postgres")
	assert.Equal(t, []string{"shop-us-apps/shop-us-catalog", "shop-us-apps/shop-us-orders"}, deps("storefront", "shop-us-web"))

	// The chart used by three components, each its own release.
	for _, c := range []string{"catalog", "orders", "storefront"} {
		d := obj("shop-prod/" + c + "/deployment.apps_" + c + ".yaml")
		assert.Equal(t, c, d.Name())
		assert.Contains(t, strings.SplitN(string(files["shop-prod/"+c+"/deployment.apps_"+c+".yaml"]), "\n", 2)[0], " via chart web@1.0.0 templates/deployment.yaml.")
	}
	// Exports read through uses.
	assert.Contains(t, string(files["shop-prod/storefront/deployment.apps_storefront.yaml"]), "value: http://catalog.shop-prod-apps.svc.cluster.local")

	// The manual component: rendered, never synced.
	assert.Equal(t, "shop-us-data", obj("shop-us/manual/restore/job.batch_postgres-restore.yaml").Namespace())
	for p, b := range files {
		if strings.Contains(p, "/gitops/") {
			assert.NotContains(t, string(b), "restore", p)
		}
	}

	// One cluster directory for shop-prod and shop-staging.
	require.Len(t, res.Clusters, 2)
	assert.Equal(t, "shop-eu", res.Clusters[0].Name)
	assert.Equal(t, []string{"shop-prod", "shop-staging"}, res.Clusters[0].Sites)
	eu := under(files, "clusters/shop-eu")
	assert.True(t, slices.Contains(eu, "priorityclass.scheduling.k8s.io_shop-standard.yaml"))
	assert.True(t, slices.Contains(eu, "namespace.core_shop-prod-data.yaml"))
	assert.True(t, slices.Contains(eu, "namespace.core_shop-staging-web.yaml"))
	assert.True(t, slices.Contains(eu, "gitops/application.argoproj.io_argocd_cluster-shop-eu.yaml"))
}
