//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/chartlock"
)

// TestThinkubeOnAPIServer: the Thinkube example sites (examples/thinkube,
// the real upstream charts of ../shared/helm-repo, rendered offline from a
// chart cache filled with them by digest) are each accepted whole by a
// fresh real API server: the cluster unit (the CRDs the charts render
// first, then the rest: ingress controllers, cert-manager, the issuers and
// Certificates, the deployer accounts, every cluster-scoped object of the
// services), then every site component in graph order, then the GitOps
// objects after the Argo CD and Flux CRDs, and the admission webhook
// configurations last (no controller runs to answer them).
func TestThinkubeOnAPIServer(t *testing.T) {
	sharedDir := shared.Dir(t)
	repo := filepath.Join(sharedDir, "helm-repo")
	archives, err := filepath.Glob(filepath.Join(repo, "*.tgz"))
	if err != nil || len(archives) == 0 {
		t.Skipf("SKIPPED: no chart archives in %s (%v): the Thinkube sites were not applied", repo, err)
	}
	cache := &chartlock.Cache{Dir: t.TempDir()}
	for _, a := range archives {
		b, err := os.ReadFile(a)
		if err != nil {
			t.Fatal(err)
		}
		if err := cache.Put(chartfetch.Digest(b), b); err != nil {
			t.Fatal(err)
		}
	}
	out := t.TempDir()
	lim := render.DefaultLimits
	res, err := render.Run(context.Background(), render.Options{
		Paths: []string{"../examples/thinkube"}, WriteOptions: render.WriteOptions{OutDir: out}, Jobs: 2,
		GitOpsPath: "deploy", Limits: lim,
		ChartSources: render.ChartSources{Cache: cache.Dir, Offline: true},
	})
	if err != nil {
		t.Fatalf("rendering examples/thinkube: %v", err)
	}
	var engines []file
	for _, f := range upstreamCRDs(t, sharedDir, gitopsCRDs) {
		engines = append(engines, f)
	}
	slices.SortFunc(engines, func(x, y file) int { return strings.Compare(x.obj.Name(), y.obj.Name()) })
	if len(res.Sites) != 2 {
		t.Fatalf("%d sites, want thinkube-full and thinkube-min", len(res.Sites))
	}
	for _, site := range res.Sites {
		t.Run(site.Name, func(t *testing.T) {
			ctx := context.Background()
			t0 := time.Now()
			a := &applier{s: startServer(t, sharedDir)}

			// 1. The cluster unit: its CRDs, established, then the rest
			// (the tls component's ClusterIssuer and Certificates are
			// cert-manager's kinds).
			cluster := readTier(t, filepath.Join(out, render.ClustersDir, site.Cluster))
			// The admission webhooks (cert-manager's, ingress-nginx's)
			// go last: no controller runs here to answer them, and
			// registered first they would refuse every Certificate and
			// Ingress after them.
			var crds, rest, webhooks []file
			for _, f := range cluster {
				switch f.obj.Kind() {
				case "CustomResourceDefinition":
					crds = append(crds, f)
				case "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration":
					webhooks = append(webhooks, f)
				default:
					rest = append(rest, f)
				}
			}
			a.apply(ctx, crds)
			if err := a.s.waitEstablished(ctx, crdNames(crds)); err != nil {
				t.Fatal(err)
			}
			a.apply(ctx, rest)
			if len(a.rejected) > 0 {
				t.Fatalf("the API server refused the cluster unit:\n%s", strings.Join(a.rejected, "\n"))
			}

			// 2. The site's components in graph order.
			n := 0
			for _, comp := range site.Tiers {
				objs := readTier(t, filepath.Join(out, site.Name, comp))
				n += len(objs)
				a.apply(ctx, objs)
			}

			// 3. The GitOps objects, after the engines' CRDs.
			a.apply(ctx, engines)
			if err := a.s.waitEstablished(ctx, crdNames(engines)); err != nil {
				a.rejected = append(a.rejected, err.Error())
			}
			gobjs := readTree(t, filepath.Join(out, site.Name, "gitops"))
			for _, ns := range namespacesOf(gobjs) {
				if err := a.s.ensureNamespace(ctx, ns); err != nil {
					a.rejected = append(a.rejected, fmt.Sprintf("Namespace/%s: %v", ns, err))
				}
			}
			a.apply(ctx, gobjs)
			a.apply(ctx, webhooks)

			if len(a.rejected) > 0 {
				t.Fatalf("the API server rejected %d object(s):\n%s", len(a.rejected), strings.Join(a.rejected, "\n"))
			}
			want := len(cluster) + n + len(engines) + len(gobjs)
			if a.applied != want {
				t.Errorf("%d objects applied, want %d", a.applied, want)
			}
			if n < 100 {
				t.Errorf("%d objects in the site's components: the services did not render", n)
			}
			t.Logf("%s: %d objects applied (%d in the cluster unit, %d in %d components) in %v",
				site.Name, a.applied, len(cluster), n, len(site.Tiers), time.Since(t0).Round(time.Millisecond))
		})
	}
}
