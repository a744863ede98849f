package helm_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/chartlock"
	"github.com/tpgen/tpgen/render/helm"
)

// benchCharts are ten charts of ../shared/helm-repo that render with their
// defaults, half from the Helm repository and half from the OCI registry.
var benchCharts = [][2]string{{"argo-workflows", "1.0.18"}, {"cert-manager", "v1.21.1"}, {"cluster", "0.8.1"}, {"ingress-nginx", "4.15.1"}, {"keycloakx", "7.1.11"}, {"knative-operator", "1.23.0"}, {"opensearch", "3.6.0"}, {"pgadmin4", "1.66.0"}, {"qdrant", "1.19.0"}, {"valkey", "0.11.0"}}

// BenchmarkTenRepositoryCharts renders a site of ten repository charts
// from the lockfile: cold (an empty cache: every archive fetched by its
// locked digest), warm (every archive in the cache) and offline (the cache
// only, no fetcher at all).
func BenchmarkTenRepositoryCharts(b *testing.B) {
	dir := chartrepotest.Dir(b)
	archives := chartrepotest.Archives(b, dir)
	repo := chartrepotest.HTTP(b, dir, "", "")
	reg := chartrepotest.OCI(b, "", "", archives...)
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true})
	var refs []chartfetch.Ref
	for i, n := range benchCharts {
		src := repo.URL
		if i%2 == 1 {
			src = "oci://" + reg.Host() + "/charts"
		}
		refs = append(refs, chartfetch.Ref{Source: src, Name: n[0], Version: n[1]})
	}
	ctx := context.Background()
	warm := &chartlock.Cache{Dir: b.TempDir()}
	lock, err := chartlock.Update(ctx, &chartlock.Lock{}, refs, f, warm, false)
	if err != nil {
		b.Fatal(err)
	}
	site := func(b *testing.B, ld *chartlock.Loader) {
		for _, ref := range refs {
			ch, _, err := ld.Load(ctx, ref)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := helm.Render(ch, helm.Options{Release: ref.Name, Namespace: "apps", KubeVersion: "1.33"}); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cold", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			cold := &chartlock.Cache{Dir: filepath.Join(b.TempDir(), "cache")}
			b.StartTimer()
			site(b, &chartlock.Loader{Lock: lock, File: "tpgen.lock", Cache: cold, Fetcher: f})
		}
	})
	b.Run("warm", func(b *testing.B) {
		for b.Loop() {
			site(b, &chartlock.Loader{Lock: lock, File: "tpgen.lock", Cache: warm, Fetcher: f})
		}
	})
	b.Run("offline", func(b *testing.B) {
		for b.Loop() {
			site(b, &chartlock.Loader{Lock: lock, File: "tpgen.lock", Cache: warm, Offline: true})
		}
	})
}
