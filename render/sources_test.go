package render_test

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartlock"
)

// sourcesFixture is the test module with component web-a's chart taken
// from a loopback Helm repository and web-b's from an in-process OCI
// registry with basic auth (zeta keeps the module's chart), the same chart
// packaged: the rendered tree must equal the module's.
type sourcesFixture struct {
	opts    render.Options
	sites   string
	archive string
}

func newSourcesFixture(t *testing.T) sourcesFixture {
	t.Helper()
	tmp := t.TempDir()
	mods := filepath.Join(tmp, "mods")
	require.NoError(t, os.CopyFS(filepath.Join(mods, "module"), os.DirFS("testdata/module")))
	repoDir := filepath.Join(tmp, "repo")
	require.NoError(t, os.MkdirAll(repoDir, 0o755))
	ch, err := loader.LoadDir("testdata/module/charts/web")
	require.NoError(t, err)
	archive, err := chartutil.Save(ch, repoDir)
	require.NoError(t, err)
	idx, err := repo.IndexDirectory(repoDir, "")
	require.NoError(t, err)
	require.NoError(t, idx.WriteFile(filepath.Join(repoDir, "index.yaml"), 0o644))
	helmRepo := chartrepotest.HTTP(t, repoDir, "", "")
	reg := chartrepotest.OCI(t, "robot", "s3cret-token", archive)

	cue := filepath.Join(mods, "module", "module.cue")
	b, err := os.ReadFile(cue)
	require.NoError(t, err)
	src := strings.Replace(string(b), "\tprefix!: #PlatformDNSLabel\n", "\tprefix!: #PlatformDNSLabel\n\thelmRepo!: string\n\tociRepo!: string\n", 1)
	src = strings.Replace(src, "chart: {name: \"web\", version: \"1.0.0\"}\n\t\t\trelease: \"web-a\"", "chart: {name: \"web\", version: \"~1.0\", repo: profile.helmRepo}\n\t\t\trelease: \"web-a\"", 1)
	src = strings.Replace(src, "chart: {name: \"web\", version: \"1.0.0\"}\n\t\t\trelease: \"web-b\"", "chart: {name: \"web\", version: \"1.0.0\", repo: profile.ociRepo, auth: {usernameFromEnv: \"REG_USER\", passwordFromEnv: \"REG_PASS\"}}\n\t\t\trelease: \"web-b\"", 1)
	require.Equal(t, 2, strings.Count(src, "repo: profile."), "the module's components changed")
	require.NoError(t, os.WriteFile(cue, []byte(src), 0o644))

	sites := filepath.Join(tmp, "sites")
	require.NoError(t, os.MkdirAll(sites, 0o755))
	entries, err := os.ReadDir("testdata/module-sites")
	require.NoError(t, err)
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata/module-sites", e.Name()))
		require.NoError(t, err)
		b = append(b, []byte("helmRepo: "+helmRepo.URL+"\nociRepo: oci://"+reg.Host()+"/charts\n")...)
		require.NoError(t, os.WriteFile(filepath.Join(sites, e.Name()), b, 0o644))
	}
	env := map[string]string{"REG_USER": "robot", "REG_PASS": "s3cret-token"}
	return sourcesFixture{
		sites:   sites,
		archive: archive,
		opts: render.Options{
			Paths: []string{sites}, ModulePath: []string{mods}, Jobs: 1,
			ChartSources: render.ChartSources{
				Cache: filepath.Join(tmp, "cache"), AllowLoopbackHTTP: true,
				LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			},
		},
	}
}

// TestRepositoryChartsLockAndRenderOffline: a profile whose components use
// a Helm repository chart and an OCI chart locks (the lockfile beside the
// profiles), renders offline from the cache, the same tree as with the
// module's own chart; an empty cache offline fails naming the chart and
// `tpgen charts pull`; a tampered cache entry is refused; two renders at
// once share one cold cache; a vendored directory serves offline.
func TestRepositoryChartsLockAndRenderOffline(t *testing.T) {
	fx := newSourcesFixture(t)
	ctx := context.Background()
	want, err := renderModule(t, render.Options{})
	require.NoError(t, err)

	res, err := render.Lock(ctx, fx.opts, false)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join(fx.sites, chartlock.FileName), res.File)
	require.Len(t, res.Lock.Charts, 2)
	assert.Equal(t, "~1.0", res.Lock.Charts[0].Range)
	assert.Equal(t, "1.0.0", res.Lock.Charts[0].Version)
	assert.True(t, strings.HasPrefix(res.Lock.Charts[1].Source, "oci://"))
	_, missing, unused, err := render.LockCheck(ctx, fx.opts)
	require.NoError(t, err)
	assert.Empty(t, missing)
	assert.Empty(t, unused)

	offline := fx.opts
	offline.ChartSources.Offline = true
	// The same tree as the module's, but for the profiles' directory in
	// the file headers.
	same := func(got *render.Result) {
		t.Helper()
		files := map[string]string{}
		for p, b := range treeFiles(got) {
			files[p] = strings.ReplaceAll(string(b), fx.sites, "testdata/module-sites")
		}
		wantFiles := map[string]string{}
		for p, b := range treeFiles(want) {
			wantFiles[p] = string(b)
		}
		assert.Equal(t, wantFiles, files, "the repository charts render as the module's")
	}
	got, err := render.Run(ctx, offline)
	require.NoError(t, err)
	same(got)

	cold := offline
	cold.ChartSources.Cache = t.TempDir()
	_, err = render.Run(ctx, cold)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "component web-a: chart web 1.0.0 from http://127.0.0.1:")
	assert.Contains(t, err.Error(), "is not in the chart cache "+cold.ChartSources.Cache+" (--offline)\nhint: run `tpgen charts pull` with network access to fill the cache from "+res.File)

	// Two renders at once fill one cold cache (run under -race).
	shared := fx.opts
	shared.ChartSources.Cache = t.TempDir()
	var wg sync.WaitGroup
	results := make([]*render.Result, 2)
	errs := make([]error, 2)
	for i := range 2 {
		wg.Add(1)
		go func() { defer wg.Done(); results[i], errs[i] = render.Run(ctx, shared) }()
	}
	wg.Wait()
	for i := range 2 {
		require.NoError(t, errs[i])
		same(results[i])
	}

	// pull, vendor, then offline from the vendored directory only.
	pulled := fx.opts
	pulled.ChartSources.Cache = t.TempDir()
	_, n, total, err := render.PullCharts(ctx, pulled)
	require.NoError(t, err)
	assert.Equal(t, 1, n, "both entries pin the same archive: fetched once")
	assert.Equal(t, 2, total)
	vendor := t.TempDir()
	_, _, err = render.VendorCharts(ctx, pulled, vendor)
	require.NoError(t, err)
	fromVendor := offline
	fromVendor.ChartSources.Cache = t.TempDir()
	fromVendor.ChartSources.Vendor = []string{vendor}
	got, err = render.Run(ctx, fromVendor)
	require.NoError(t, err)
	same(got)

	// A tampered cache entry is refused, naming the file.
	var tgz []string
	require.NoError(t, filepath.WalkDir(offline.ChartSources.Cache, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".tgz") {
			tgz = append(tgz, p)
		}
		return err
	}))
	require.Len(t, tgz, 1, "both sources serve the same archive: one cache entry")
	b, err := os.ReadFile(tgz[0])
	require.NoError(t, err)
	b[len(b)-10] ^= 0xff
	require.NoError(t, os.WriteFile(tgz[0], b, 0o644))
	_, err = render.Run(ctx, offline)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "chart archive "+tgz[0]+" has digest sha256:")
	assert.Contains(t, err.Error(), ": refused (tampered with or corrupt)\nhint: delete the file; `tpgen charts pull` fetches it again by its locked digest")
}

// TestChartsPathReplacesRepositoryCharts: the profile's charts.path
// replaces a repository's chart of the same name as it replaces the
// module's: nothing to lock, nothing fetched, no lockfile needed.
func TestChartsPathReplacesRepositoryCharts(t *testing.T) {
	fx := newSourcesFixture(t)
	local := filepath.Join(fx.sites, "local", "web")
	require.NoError(t, os.CopyFS(local, os.DirFS("testdata/module/charts/web")))
	tpl := filepath.Join(local, "templates", "web.yaml")
	b, err := os.ReadFile(tpl)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(tpl, []byte(strings.Replace(string(b), "replicas: 1", "replicas: 3", 1)), 0o644))
	entries, err := os.ReadDir(fx.sites)
	require.NoError(t, err)
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".yaml") {
			f, err := os.OpenFile(filepath.Join(fx.sites, e.Name()), os.O_APPEND|os.O_WRONLY, 0)
			require.NoError(t, err)
			_, err = f.WriteString("charts: {path: ./local}\n")
			require.NoError(t, err)
			require.NoError(t, f.Close())
		}
	}
	ctx := context.Background()
	refs, err := render.ChartRefs(ctx, fx.opts)
	require.NoError(t, err)
	assert.Empty(t, refs)
	o := fx.opts
	o.ChartSources.Offline = true
	o.ChartSources.Cache = t.TempDir()
	res, err := render.Run(ctx, o)
	require.NoError(t, err)
	files := treeFiles(res)
	for _, p := range []string{"alpha/web-a/deployment.apps_web-a.yaml", "alpha/web-b/deployment.apps_web-b.yaml", "alpha/zeta/deployment.apps_zeta.yaml"} {
		assert.Contains(t, string(files[p]), "replicas: 3", p)
	}
}

// TestRepositoryChartsIncremental: the sites whose charts come from the
// lockfile read it: a change to it plans them again (kept when the pins
// are the same), an unchanged one plans none.
func TestRepositoryChartsIncremental(t *testing.T) {
	fx := newSourcesFixture(t)
	ctx := context.Background()
	_, err := render.Lock(ctx, fx.opts, false)
	require.NoError(t, err)
	o := fx.opts
	o.Version, o.GitOpsPath, o.OutDir = "v1.0.0", "deploy", filepath.Join(t.TempDir(), "out")
	all := []string{"alpha", "beta", "gamma"}
	_, planned, rendered := planRun(t, o)
	require.Equal(t, all, planned)
	require.Equal(t, all, rendered)
	_, planned, rendered = planRun(t, o)
	require.Equal(t, []string{}, planned)
	require.Equal(t, []string{}, rendered)

	appendTo(t, filepath.Join(fx.sites, chartlock.FileName), "# a comment\n")
	_, planned, rendered = planRun(t, o)
	require.Equal(t, all, planned, "the lockfile changed")
	require.Equal(t, []string{}, rendered, "the same pins")
	_, planned, _ = planRun(t, o)
	require.Equal(t, []string{}, planned)
}
