package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/chartlock"
	"github.com/tpgen/tpgen/render/profile"
)

// ChartSources say where the charts of Helm repositories and OCI
// registries come from: a lockfile and a content-addressed cache (see
// render/chartlock). Render reads only those; it never resolves a version
// and fetches a missing archive by its locked digest unless Offline.
type ChartSources struct {
	// Lockfile is the lockfile's path; empty: tpgen.lock in the directory
	// of the first profile path (the directory itself when it is one).
	Lockfile string
	// Cache is the cache directory; empty: $TPGEN_CHART_CACHE, else
	// os.UserCacheDir()/tpgen/charts.
	Cache string
	// Vendor are directories written by `tpgen charts vendor`, read before
	// the cache and never written.
	Vendor []string
	// Offline: a cache miss is an error, nothing is fetched.
	Offline bool
	// AllowLoopbackHTTP allows plain HTTP to loopback addresses.
	AllowLoopbackHTTP bool
	// LookupEnv reads the environment variables credentials name
	// (os.LookupEnv when nil).
	LookupEnv func(string) (string, bool)
}

// LockfilePath returns the lockfile of a run over paths.
func (c ChartSources) LockfilePath(paths []string) string {
	if c.Lockfile != "" {
		return c.Lockfile
	}
	first := "profiles"
	if len(paths) > 0 {
		first = paths[0]
	}
	if fi, err := os.Stat(first); err == nil && fi.IsDir() {
		return filepath.Join(first, chartlock.FileName)
	}
	return filepath.Join(filepath.Dir(first), chartlock.FileName)
}

func (c ChartSources) cache() (*chartlock.Cache, error) {
	dir := c.Cache
	if dir == "" {
		var err error
		if dir, err = chartlock.DefaultDir(os.Getenv); err != nil {
			return nil, err
		}
	}
	return &chartlock.Cache{Dir: dir, ReadOnly: c.Vendor}, nil
}

func (c ChartSources) fetcher() *chartfetch.Fetcher {
	env := c.LookupEnv
	if env == nil {
		env = os.LookupEnv
	}
	return chartfetch.New(chartfetch.Options{AllowHTTP: c.AllowLoopbackHTTP, LookupEnv: env})
}

// ChartRefs returns the charts from Helm repositories and OCI registries
// the selected sites' plans use, in site order, each with its credentials
// (config file paths made absolute from the profile's directory).
func ChartRefs(ctx context.Context, o Options) ([]chartfetch.Ref, error) {
	sites, plans, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	var refs []chartfetch.Ref
	for i, p := range plans {
		refs = append(refs, planRefs(sites[i], p)...)
	}
	return refs, nil
}

// planRefs returns the remote charts of one plan, but those the
// profile's charts.path replaces.
func planRefs(s *profile.Site, p *profile.Plan) []chartfetch.Ref {
	var refs []chartfetch.Ref
	for _, c := range p.Components {
		if c.Chart == nil {
			continue
		}
		if p.ChartsDir != "" {
			local := filepath.Join(filepath.Dir(s.Source.File), p.ChartsDir, c.Chart.Name)
			if fi, err := os.Stat(local); err == nil && fi.IsDir() {
				continue
			}
		}
		if r, ok := chartRef(s, *c.Chart); ok {
			refs = append(refs, r)
		}
	}
	return refs
}

// chartRef returns the Ref of a chart from a repository or registry.
func chartRef(s *profile.Site, c profile.ChartRef) (chartfetch.Ref, bool) {
	if c.Repo == "" {
		return chartfetch.Ref{}, false
	}
	a := chartfetch.Auth(c.Auth)
	dir := filepath.Dir(s.Source.File)
	for _, f := range []*string{&a.RegistryConfig, &a.DockerConfig} {
		if *f != "" && !filepath.IsAbs(*f) {
			*f = filepath.Join(dir, *f)
		}
	}
	return chartfetch.Ref{Source: c.Repo, Name: c.Name, Version: c.Version, Auth: a}, true
}

// LockResult is what Lock did.
type LockResult struct {
	File    string
	Lock    *chartlock.Lock
	Changed bool // the file was written
}

// Lock resolves the charts the plans use (a range to the highest version
// it accepts), stores their archives in the cache and writes the lockfile.
// Pins still asked for are kept unless update.
func Lock(ctx context.Context, o Options, update bool) (*LockResult, error) {
	refs, err := ChartRefs(ctx, o)
	if err != nil {
		return nil, err
	}
	file := o.ChartSources.LockfilePath(o.Paths)
	old, exists, err := chartlock.Read(file)
	if err != nil {
		return nil, err
	}
	if len(refs) == 0 && !exists {
		return &LockResult{File: file, Lock: old}, nil // nothing to pin, no file
	}
	cache, err := o.ChartSources.cache()
	if err != nil {
		return nil, err
	}
	l, err := chartlock.Update(ctx, old, refs, o.ChartSources.fetcher(), cache, update)
	if err != nil {
		return nil, err
	}
	before, _ := old.Marshal()
	after, err := l.Marshal()
	if err != nil {
		return nil, err
	}
	_, statErr := os.Stat(file)
	res := &LockResult{File: file, Lock: l, Changed: string(before) != string(after) || statErr != nil}
	if res.Changed {
		if err := chartlock.Write(file, l); err != nil {
			return nil, fmt.Errorf("writing lockfile %s: %w", file, err)
		}
	}
	return res, nil
}

// LockCheck compares the lockfile with the charts the plans use, without
// network: the keys it lacks and the entries nothing uses.
func LockCheck(ctx context.Context, o Options) (file string, missing []chartlock.Key, unused []chartlock.Entry, err error) {
	refs, err := ChartRefs(ctx, o)
	if err != nil {
		return "", nil, nil, err
	}
	file = o.ChartSources.LockfilePath(o.Paths)
	l, _, err := chartlock.Read(file)
	if err != nil {
		return "", nil, nil, err
	}
	missing, unused = chartlock.Check(l, refs)
	return file, missing, unused, nil
}

// PullCharts fills the cache with every archive of the lockfile; it
// returns how many it fetched.
func PullCharts(ctx context.Context, o Options) (file string, fetched, total int, err error) {
	file, l, cache, refs, err := lockAndCache(ctx, o)
	if err != nil {
		return "", 0, 0, err
	}
	n, err := chartlock.Pull(ctx, l, refs, cache, o.ChartSources.fetcher())
	return file, n, len(l.Charts), err
}

// VendorCharts writes every archive of the lockfile into dir (fetching
// the missing ones first), usable as ChartSources.Vendor.
func VendorCharts(ctx context.Context, o Options, dir string) (file string, total int, err error) {
	file, l, cache, refs, err := lockAndCache(ctx, o)
	if err != nil {
		return "", 0, err
	}
	if !o.ChartSources.Offline {
		if _, err := chartlock.Pull(ctx, l, refs, cache, o.ChartSources.fetcher()); err != nil {
			return "", 0, err
		}
	}
	return file, len(l.Charts), chartlock.Vendor(l, cache, dir)
}

// lockAndCache reads the lockfile (which must exist) and, when the
// profiles load, the refs that carry each entry's credentials.
func lockAndCache(ctx context.Context, o Options) (string, *chartlock.Lock, *chartlock.Cache, []chartfetch.Ref, error) {
	file := o.ChartSources.LockfilePath(o.Paths)
	l, exists, err := chartlock.Read(file)
	if err != nil {
		return "", nil, nil, nil, err
	}
	if !exists {
		return "", nil, nil, nil, fmt.Errorf("no lockfile %s\nhint: run `tpgen lock` to write it (or name it with --lockfile)", file)
	}
	cache, err := o.ChartSources.cache()
	if err != nil {
		return "", nil, nil, nil, err
	}
	refs, err := ChartRefs(ctx, o)
	if err != nil {
		return "", nil, nil, nil, err
	}
	return file, l, cache, refs, nil
}

// lockedCharts loads the charts of a run from the lockfile and cache,
// reading the lockfile once, only when a plan uses a remote chart.
type lockedCharts struct {
	src   ChartSources
	paths []string
	once  sync.Once
	ld    *chartlock.Loader
	err   error
}

func (lc *lockedCharts) load(ctx context.Context, ref chartfetch.Ref) (*chart.Chart, chartlock.Entry, error) {
	lc.once.Do(func() {
		file := lc.src.LockfilePath(lc.paths)
		l, exists, err := chartlock.Read(file)
		if err == nil && !exists {
			err = fmt.Errorf("no lockfile %s, and the profile uses charts from repositories\nhint: run `tpgen lock` to pin them (render never resolves a chart)", file)
		}
		if err != nil {
			lc.err = err
			return
		}
		cache, err := lc.src.cache()
		if err != nil {
			lc.err = err
			return
		}
		lc.ld = &chartlock.Loader{Lock: l, File: file, Cache: cache, Fetcher: lc.src.fetcher(), Offline: lc.src.Offline}
	})
	if lc.err != nil {
		return nil, chartlock.Entry{}, lc.err
	}
	ch, e, err := lc.ld.Load(ctx, ref)
	if err != nil {
		return nil, chartlock.Entry{}, err
	}
	return ch, e, nil
}

// loadChart returns chart c of a site: from charts.path when it holds a
// chart of that name (it replaces the module's and a repository's alike),
// else pinned in the lockfile when c names a repository (pin is then its
// entry, for the input digest), else the module's.
func loadChart(ctx context.Context, c profile.ChartRef, charts siteCharts, o Options) (ch *chart.Chart, pin string, err error) {
	ref, ok := chartRef(charts.site, c)
	if !ok || charts.site == nil || charts.local(c.Name) {
		ch, err = charts.get(c.Name, c.Version)
		return ch, "", err
	}
	if o.locked == nil {
		o.locked = &lockedCharts{src: o.ChartSources, paths: o.Paths}
	}
	ch, e, err := o.locked.load(ctx, ref)
	if err != nil {
		return nil, "", err
	}
	return ch, e.Source + " " + e.Name + " " + e.Version + " " + e.Digest, nil
}
