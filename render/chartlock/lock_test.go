package chartlock_test

import (
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/chartlock"
)

var update = flag.Bool("update", false, "rewrite testdata golden files")

type fixture struct {
	dir, http, oci string
	refs           []chartfetch.Ref
	f              *chartfetch.Fetcher
}

func setup(t *testing.T) fixture {
	dir := chartrepotest.Dir(t)
	repo := chartrepotest.HTTP(t, dir, "", "")
	reg := chartrepotest.OCI(t, "bob", "hunter2", filepath.Join(dir, "valkey-0.11.0.tgz"), filepath.Join(dir, "qdrant-1.19.0.tgz"))
	oci := "oci://" + reg.Host() + "/charts"
	auth := chartfetch.Auth{UsernameEnv: "RU", PasswordEnv: "RP"}
	return fixture{
		dir: dir, http: repo.URL, oci: oci,
		refs: []chartfetch.Ref{
			{Source: oci, Name: "valkey", Version: "~0.11", Auth: auth},
			{Source: repo.URL, Name: "grafana", Version: "12.11.1"},
			{Source: oci, Name: "qdrant", Version: "1.19.0", Auth: auth},
			{Source: repo.URL, Name: "keycloakx", Version: ">=7"},
			{Source: repo.URL, Name: "grafana", Version: "12.11.1"}, // twice, one entry
		},
		f: chartfetch.New(chartfetch.Options{AllowHTTP: true, LookupEnv: func(k string) (string, bool) {
			v, ok := map[string]string{"RU": "bob", "RP": "hunter2"}[k]
			return v, ok
		}}),
	}
}

// TestLockGolden: the lockfile of a Helm repository and an OCI registry,
// sorted, stable, the same bytes when written twice.
func TestLockGolden(t *testing.T) {
	fx := setup(t)
	cache := &chartlock.Cache{Dir: t.TempDir()}
	l, err := chartlock.Update(context.Background(), &chartlock.Lock{}, fx.refs, fx.f, cache, false)
	require.NoError(t, err)
	b, err := l.Marshal()
	require.NoError(t, err)
	got := strings.NewReplacer(strings.TrimPrefix(fx.oci, "oci://"), "REGISTRY", fx.http, "http://REPOSITORY").Replace(string(b))
	golden := filepath.Join("testdata", "tpgen.lock.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)

	// Parse gives back the same lock; a second Update changes nothing and
	// needs no network (the pins are kept).
	p, err := chartlock.Parse("tpgen.lock", b)
	require.NoError(t, err)
	again, err := chartlock.Update(context.Background(), p, fx.refs, chartfetch.New(chartfetch.Options{}), cache, false)
	require.NoError(t, err)
	b2, err := again.Marshal()
	require.NoError(t, err)
	assert.Equal(t, string(b), string(b2))

	// Check: nothing missing nor unused; then one of each.
	missing, unused := chartlock.Check(p, fx.refs)
	assert.Empty(t, missing)
	assert.Empty(t, unused)
	refs := append(fx.refs[1:len(fx.refs):len(fx.refs)], chartfetch.Ref{Source: fx.http, Name: "vault", Version: "0.34.1"})
	missing, unused = chartlock.Check(p, refs)
	assert.Equal(t, []chartlock.Key{{Source: fx.http, Name: "vault", Version: "0.34.1"}}, missing)
	require.Len(t, unused, 1)
	assert.Equal(t, "valkey", unused[0].Name)
}

func TestParseRefuses(t *testing.T) {
	d := "sha256:" + strings.Repeat("a", 64)
	tests := []struct{ name, src, want string }{
		{"version", "lockVersion: 2\ncharts: []\n", "reading lockfile L: lockVersion 2, want 1\nhint: run `tpgen lock` to rewrite it"},
		{"unknown field", "lockVersion: 1\ncharts: []\nextra: 1\n", "reading lockfile L: error unmarshaling JSON: while decoding JSON: json: unknown field \"extra\"\nhint: the lockfile is written by `tpgen lock`; run it again rather than editing"},
		{"range as version", "lockVersion: 1\ncharts:\n- {source: https://x, name: a, version: '~1', digest: " + d + "}\n", "L: charts[0] (a ~1): version \"~1\" is not one exact version"},
		{"bad digest", "lockVersion: 1\ncharts:\n- {source: https://x, name: a, version: 1.0.0, digest: sha256:abc}\n", "L: charts[0] (a 1.0.0): digest \"sha256:abc\" is not sha256:<64 hex digits>"},
		{"oci without manifest", "lockVersion: 1\ncharts:\n- {source: oci://x/y, name: a, version: 1.0.0, digest: " + d + "}\n", "L: charts[0] (a 1.0.0): an OCI source needs a manifest digest, a Helm repository none"},
		{"twice", "lockVersion: 1\ncharts:\n- {source: https://x, name: a, version: 1.0.0, digest: " + d + "}\n- {source: https://x, name: a, version: 1.0.0, digest: " + d + "}\n", "L: charts[1] (a 1.0.0): a second entry for https://x a@1.0.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := chartlock.Parse("L", []byte(tt.src))
			require.Error(t, err)
			assert.Equal(t, tt.want, err.Error())
		})
	}
}

// TestLoaderOffline: a hit renders from the cache with no source at all;
// a miss with offline names the chart and the command that fills the cache;
// without offline the miss is fetched by its locked digest.
func TestLoaderOffline(t *testing.T) {
	fx := setup(t)
	warm := &chartlock.Cache{Dir: t.TempDir()}
	l, err := chartlock.Update(context.Background(), &chartlock.Lock{}, fx.refs, fx.f, warm, false)
	require.NoError(t, err)
	ref := fx.refs[0] // valkey ~0.11 from OCI

	hit := &chartlock.Loader{Lock: l, File: "tpgen.lock", Cache: warm, Offline: true}
	ch, e, err := hit.Load(context.Background(), ref)
	require.NoError(t, err)
	assert.Equal(t, "0.11.0", ch.Metadata.Version)
	assert.Equal(t, "~0.11", e.Range)

	coldDir := t.TempDir()
	miss := &chartlock.Loader{Lock: l, File: "tpgen.lock", Cache: &chartlock.Cache{Dir: coldDir}, Fetcher: fx.f, Offline: true}
	_, _, err = miss.Load(context.Background(), ref)
	require.Error(t, err)
	assert.Equal(t, "chart valkey 0.11.0 from "+fx.oci+" ("+e.Digest+") is not in the chart cache "+coldDir+" (--offline)\nhint: run `tpgen charts pull` with network access to fill the cache from tpgen.lock, or point --chart-vendor at a directory written by `tpgen charts vendor`", err.Error())

	miss.Offline = false
	_, _, err = miss.Load(context.Background(), ref)
	require.NoError(t, err)
	_, err = os.Stat(chartlock.Path(coldDir, e.Digest))
	require.NoError(t, err, "the fetched archive is cached")

	// Not in the lockfile at all.
	_, _, err = hit.Load(context.Background(), chartfetch.Ref{Source: fx.http, Name: "vault", Version: "0.34.1"})
	require.Error(t, err)
	assert.Equal(t, "chart vault 0.34.1 from "+fx.http+" is not in the lockfile tpgen.lock\nhint: run `tpgen lock` to pin it (render never resolves a chart)", err.Error())
}

// TestTamperedArchive: cache bytes that differ from the locked digest are
// refused on read, naming the file; so is a vendored copy.
func TestTamperedArchive(t *testing.T) {
	fx := setup(t)
	cache := &chartlock.Cache{Dir: t.TempDir()}
	l, err := chartlock.Update(context.Background(), &chartlock.Lock{}, fx.refs, fx.f, cache, false)
	require.NoError(t, err)
	ref := fx.refs[1] // grafana from HTTP
	e, ok := l.Find(chartlock.KeyOf(ref))
	require.True(t, ok)
	p := chartlock.Path(cache.Dir, e.Digest)
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	b[len(b)/2] ^= 1
	require.NoError(t, os.WriteFile(p, b, 0o644))
	ld := &chartlock.Loader{Lock: l, File: "tpgen.lock", Cache: cache, Fetcher: fx.f}
	_, _, err = ld.Load(context.Background(), ref)
	require.Error(t, err)
	assert.Equal(t, "chart grafana 12.11.1 from "+fx.http+": chart archive "+p+" has digest "+chartfetch.Digest(b)+", not "+e.Digest+": refused (tampered with or corrupt)\nhint: delete the file; `tpgen charts pull` fetches it again by its locked digest", err.Error())

	// A lock whose digest the source does not serve: refused on fetch.
	bad := &chartlock.Lock{LockVersion: 1, Charts: []chartlock.Entry{e}}
	bad.Charts[0].Digest = "sha256:" + strings.Repeat("1", 64)
	ld = &chartlock.Loader{Lock: bad, File: "tpgen.lock", Cache: &chartlock.Cache{Dir: t.TempDir()}, Fetcher: fx.f}
	_, _, err = ld.Load(context.Background(), ref)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the lockfile pins sha256:1111111111111111111111111111111111111111111111111111111111111111: refused")
}

// TestConcurrentLoads: renders running at once share one cold cache
// (run under -race): every load gets the pinned bytes, the cache ends
// with one file per archive and no temporary file.
func TestConcurrentLoads(t *testing.T) {
	fx := setup(t)
	l, err := chartlock.Update(context.Background(), &chartlock.Lock{}, fx.refs, fx.f, &chartlock.Cache{Dir: t.TempDir()}, false)
	require.NoError(t, err)
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for range 2 { // two renders, each its own Loader and Cache value
		ld := &chartlock.Loader{Lock: l, File: "tpgen.lock", Cache: &chartlock.Cache{Dir: dir}, Fetcher: fx.f}
		for _, ref := range fx.refs {
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					ch, e, err := ld.Load(context.Background(), ref)
					if err == nil && ch.Metadata.Version != e.Version {
						err = assert.AnError
					}
					if err != nil {
						errs <- err
					}
				}()
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "sha256", "*"))
	require.NoError(t, err)
	assert.Len(t, files, len(l.Charts))
	for _, f := range files {
		assert.True(t, strings.HasSuffix(f, ".tgz"), f)
	}
}

// TestPullAndVendor: pull fills an empty cache from the lock; vendor
// writes the archives into a directory that serves as a read-only cache
// for an offline load with an empty cache.
func TestPullAndVendor(t *testing.T) {
	fx := setup(t)
	l, err := chartlock.Update(context.Background(), &chartlock.Lock{}, fx.refs, fx.f, &chartlock.Cache{Dir: t.TempDir()}, false)
	require.NoError(t, err)
	cache := &chartlock.Cache{Dir: t.TempDir()}
	n, err := chartlock.Pull(context.Background(), l, fx.refs, cache, fx.f)
	require.NoError(t, err)
	assert.Equal(t, len(l.Charts), n)
	n, err = chartlock.Pull(context.Background(), l, fx.refs, cache, chartfetch.New(chartfetch.Options{}))
	require.NoError(t, err)
	assert.Equal(t, 0, n, "a warm cache fetches nothing")

	vendor := t.TempDir()
	require.NoError(t, chartlock.Vendor(l, cache, vendor))
	ro := &chartlock.Loader{Lock: l, File: "tpgen.lock", Cache: &chartlock.Cache{ReadOnly: []string{vendor}}, Offline: true}
	for _, ref := range fx.refs {
		_, _, err := ro.Load(context.Background(), ref)
		require.NoError(t, err, ref.String())
	}
}
