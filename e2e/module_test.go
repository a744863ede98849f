//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
)

// TestUserModuleOnAPIServer: the example user module (examples/modules/
// shop, not embedded: found on the module path) renders its three sites,
// two of them sharing one cluster, and each cluster, whole, is accepted
// by one real API server: the cluster directory and its GitOps bootstrap,
// then every site of the cluster, component by component in graph order,
// its manual components (rendered, never synced, still valid) and its
// GitOps objects.
func TestUserModuleOnAPIServer(t *testing.T) {
	sharedDir := shared.Dir(t)
	out := t.TempDir()
	res, err := render.Run(context.Background(), render.Options{
		Paths: []string{"../examples/shop"}, WriteOptions: render.WriteOptions{OutDir: out}, Jobs: 2,
		ModulePath: []string{"../examples/modules"}, GitOpsPath: "deploy",
	})
	if err != nil {
		t.Fatalf("rendering the shop sites: %v", err)
	}
	engines := upstreamCRDs(t, sharedDir, gitopsCRDs)
	var engineCRDs []file
	for _, f := range engines {
		engineCRDs = append(engineCRDs, f)
	}
	slices.SortFunc(engineCRDs, func(x, y file) int { return strings.Compare(x.obj.Name(), y.obj.Name()) })
	if len(res.Clusters) != 2 {
		t.Fatalf("%d cluster directories, want 2 (shop-eu shared by two sites, shop-us)", len(res.Clusters))
	}
	for _, c := range res.Clusters {
		t.Run(c.Name, func(t *testing.T) {
			ctx := context.Background()
			a := &applier{s: startServer(t, sharedDir)}
			a.apply(ctx, engineCRDs)
			if err := a.s.waitEstablished(ctx, crdNames(engineCRDs)); err != nil {
				t.Fatal(err)
			}
			dir := filepath.Join(out, render.ClustersDir, c.Name)
			a.apply(ctx, readTier(t, dir))
			want := len(engineCRDs)
			count := func(files []string) {
				for _, f := range files {
					if !strings.HasSuffix(f, "kustomization.yaml") {
						want++
					}
				}
			}
			var paths []string
			for _, f := range c.Files {
				paths = append(paths, f.Path)
			}
			count(paths)
			boot := readTree(t, filepath.Join(dir, "gitops"))
			for _, ns := range namespacesOf(boot) {
				if err := a.s.ensureNamespace(ctx, ns); err != nil {
					a.rejected = append(a.rejected, fmt.Sprintf("Namespace/%s: %v", ns, err))
				}
			}
			a.apply(ctx, boot)
			for _, site := range res.Sites {
				if site.Cluster != c.Name {
					continue
				}
				sdir := filepath.Join(out, site.Name)
				for _, comp := range site.Tiers {
					a.apply(ctx, readTier(t, filepath.Join(sdir, comp)))
					a.apply(ctx, readTier(t, filepath.Join(sdir, "manual", comp)))
				}
				gobjs := readTree(t, filepath.Join(sdir, "gitops"))
				for _, ns := range namespacesOf(gobjs) {
					if err := a.s.ensureNamespace(ctx, ns); err != nil {
						a.rejected = append(a.rejected, fmt.Sprintf("Namespace/%s: %v", ns, err))
					}
				}
				a.apply(ctx, gobjs)
				paths = paths[:0]
				for _, f := range site.Files {
					paths = append(paths, f.Path)
				}
				count(paths)
			}
			if len(a.rejected) > 0 {
				t.Fatalf("the API server rejected %d object(s):\n%s", len(a.rejected), strings.Join(a.rejected, "\n"))
			}
			if a.applied != want {
				t.Errorf("%d objects applied, want %d (every object file of the cluster and its sites, and the engines' CRDs)", a.applied, want)
			}
			t.Logf("cluster %s (%s): %d objects applied", c.Name, strings.Join(c.Sites, ", "), a.applied)
		})
	}
}
