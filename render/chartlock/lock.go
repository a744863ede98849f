package chartlock

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/tpgen/tpgen/render/chartfetch"
)

// Update returns the lock of refs: an entry of old that answers a ref is
// kept as it is unless update is set (a pinned range does not move on its
// own); every other ref is resolved and downloaded, its archive stored in
// cache. Entries nothing asks for are dropped. Refs asking for the same
// key are one entry.
func Update(ctx context.Context, old *Lock, refs []chartfetch.Ref, f *chartfetch.Fetcher, cache *Cache, update bool) (*Lock, error) {
	out := &Lock{LockVersion: 1}
	seen := map[Key]bool{}
	var errs []error
	for _, ref := range sortRefs(refs) {
		k := KeyOf(ref)
		if seen[k] {
			continue
		}
		seen[k] = true
		if e, ok := old.Find(k); ok && !update {
			out.Charts = append(out.Charts, e)
			continue
		}
		a, err := f.Resolve(ctx, ref)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if err := checkArchive(a.Data, ref.Name, a.Version); err != nil {
			errs = append(errs, fmt.Errorf("resolving chart %s %s from %s: %w", ref.Name, ref.Version, ref.Source, err))
			continue
		}
		if err := cache.Put(a.Digest, a.Data); err != nil {
			return nil, err
		}
		e := Entry{Source: ref.Source, Name: ref.Name, Version: a.Version, Digest: a.Digest, Manifest: a.Manifest}
		if ref.Version != a.Version {
			e.Range = ref.Version
		}
		out.Charts = append(out.Charts, e)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sortEntries(out.Charts)
	return out, nil
}

// Check compares l with what refs ask for: the keys no entry answers and
// the entries nothing asks for, both sorted.
func Check(l *Lock, refs []chartfetch.Ref) (missing []Key, unused []Entry) {
	need := map[Key]bool{}
	for _, ref := range sortRefs(refs) {
		k := KeyOf(ref)
		if need[k] {
			continue
		}
		need[k] = true
		if _, ok := l.Find(k); !ok {
			missing = append(missing, k)
		}
	}
	for _, e := range l.Charts {
		if !need[e.Key()] {
			unused = append(unused, e)
		}
	}
	sortEntries(unused)
	return missing, unused
}

func sortRefs(refs []chartfetch.Ref) []chartfetch.Ref {
	out := slices.Clone(refs)
	slices.SortStableFunc(out, func(a, b chartfetch.Ref) int {
		return cmp.Or(cmp.Compare(a.Source, b.Source), cmp.Compare(a.Name, b.Name), cmp.Compare(a.Version, b.Version))
	})
	return out
}

// checkArchive loads data as Helm does and checks its name and version.
func checkArchive(data []byte, name, version string) error {
	_, err := load(data, name, version)
	return err
}

func load(data []byte, name, version string) (*chart.Chart, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("loading the chart archive: %w", err)
	}
	if ch.Metadata.Name != name || ch.Metadata.Version != version {
		return nil, fmt.Errorf("the archive holds chart %s %s, not %s %s: refused", ch.Metadata.Name, ch.Metadata.Version, name, version)
	}
	return ch, nil
}

// Loader gives render the charts of a lockfile, from the cache only or,
// on a miss and unless Offline, fetched by their pinned digest. Safe for
// concurrent use.
type Loader struct {
	Lock *Lock
	// File names the lockfile in errors.
	File    string
	Cache   *Cache
	Fetcher *chartfetch.Fetcher
	Offline bool
}

// Archive returns ref's entry and archive, checked against the entry.
func (l *Loader) Archive(ctx context.Context, ref chartfetch.Ref) (Entry, []byte, error) {
	e, ok := l.Lock.Find(KeyOf(ref))
	if !ok {
		return Entry{}, nil, fmt.Errorf("chart %s %s from %s is not in the lockfile %s\nhint: run `tpgen lock` to pin it (render never resolves a chart)", ref.Name, ref.Version, ref.Source, l.File)
	}
	b, err := l.Cache.Get(e.Digest)
	if err == nil {
		return e, b, nil
	}
	if !errors.Is(err, ErrMiss) {
		return Entry{}, nil, fmt.Errorf("chart %s %s from %s: %w", e.Name, e.Version, e.Source, err)
	}
	if l.Offline || l.Fetcher == nil {
		return Entry{}, nil, fmt.Errorf("chart %s %s from %s (%s) is not in the chart cache %s (--offline)\nhint: run `tpgen charts pull` with network access to fill the cache from %s, or point --chart-vendor at a directory written by `tpgen charts vendor`", e.Name, e.Version, e.Source, e.Digest, strings.Join(l.Cache.dirs(), ", "), l.File)
	}
	fetch := ref
	fetch.Version = e.Version
	b, err = l.Fetcher.Fetch(ctx, fetch, e.Digest, e.Manifest)
	if err != nil {
		return Entry{}, nil, err
	}
	if err := l.Cache.Put(e.Digest, b); err != nil {
		return Entry{}, nil, err
	}
	return e, b, nil
}

// Load returns ref's chart (a fresh copy: Helm writes into it) and its
// entry.
func (l *Loader) Load(ctx context.Context, ref chartfetch.Ref) (*chart.Chart, Entry, error) {
	e, b, err := l.Archive(ctx, ref)
	if err != nil {
		return nil, Entry{}, err
	}
	ch, err := load(b, e.Name, e.Version)
	if err != nil {
		return nil, Entry{}, fmt.Errorf("chart %s %s from %s (%s): %w", e.Name, e.Version, e.Source, e.Digest, err)
	}
	return ch, e, nil
}

func (c *Cache) dirs() []string {
	var out []string
	for _, d := range append(slices.Clone(c.ReadOnly), c.Dir) {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Pull stores every archive of l in the cache, fetching the missing ones
// by their pinned digest. refs give each entry's credentials (an entry
// with no ref is fetched without).
func Pull(ctx context.Context, l *Lock, refs []chartfetch.Ref, cache *Cache, f *chartfetch.Fetcher) (fetched int, err error) {
	ld := &Loader{Lock: l, Cache: cache, Fetcher: f}
	var errs []error
	for _, e := range l.Charts {
		if _, err := cache.Get(e.Digest); err == nil {
			continue
		} else if !errors.Is(err, ErrMiss) {
			errs = append(errs, err)
			continue
		}
		ref := chartfetch.Ref{Source: e.Source, Name: e.Name, Version: cmp.Or(e.Range, e.Version)}
		for _, r := range refs {
			if KeyOf(r) == e.Key() {
				ref.Auth = r.Auth
			}
		}
		if _, _, err := ld.Archive(ctx, ref); err != nil {
			errs = append(errs, err)
			continue
		}
		fetched++
	}
	return fetched, errors.Join(errs...)
}

// Vendor writes every archive of l, from the cache, into dir in the
// cache's layout (dir/sha256/<hex>.tgz), for a repository to commit and
// render to read as a read-only cache.
func Vendor(l *Lock, cache *Cache, dir string) error {
	var errs []error
	for _, e := range l.Charts {
		b, err := cache.Get(e.Digest)
		if errors.Is(err, ErrMiss) {
			err = fmt.Errorf("chart %s %s from %s (%s) is not in the chart cache\nhint: run `tpgen charts pull` first", e.Name, e.Version, e.Source, e.Digest)
		}
		if err == nil {
			err = put(dir, e.Digest, b)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
