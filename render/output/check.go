package output

import (
	"bytes"
	"cmp"
	"errors"
	"io/fs"
	"maps"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// Drift is one difference between DIR and a rendering.
type Drift struct {
	Path string // relative to DIR, slash-separated
	// What: "changed", "missing", "leftover" (owned, no longer rendered),
	// "unowned" (in place of a rendered file, not written by tpgen) or
	// "interrupted" (left by a render that was killed).
	What string
	// Edited is set for a changed file whose bytes are not what tpgen
	// last wrote: someone edited it.
	Edited bool
	// WrittenBy is set on the index (What "version") when it differs only
	// by the tpgen version that wrote DIR (and the input digests, which
	// include it): the version recorded in DIR.
	WrittenBy string
}

// Check compares DIR with sites as Write would leave it, writing nothing.
// It reads DIR as Write does: the index strictly, no link followed.
func Check(dir string, sites []Site, o Options) ([]Drift, error) {
	if err := checkSites(sites); err != nil {
		return nil, err
	}
	t, err := openTree(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return missingDir(sites), nil
	}
	if err != nil {
		return nil, err
	}
	defer t.close()
	old, oldData, _, err := readIndexKnown(t, o.Index, o.IndexData)
	if err != nil {
		return nil, err
	}
	var out []Drift
	add := func(u Unit, site, rel, what string) {
		p := rel
		if site != "" {
			p = unitDir(u, site) + "/" + rel
		}
		d := Drift{Path: p, What: what}
		if what == "changed" {
			files := old.Sites[site].Files
			if u == UnitCluster {
				files = old.Clusters[site].Files
			}
			if h, ok := files[rel]; ok {
				if b, err := fsguard.ReadFile(t.root, p, t.path(p), fsguard.Limit{Max: maxIndexSize}); err == nil && Hash(b) != h {
					d.Edited = true
				}
			}
		}
		out = append(out, d)
	}
	for _, s := range sites {
		if s.Keep {
			continue // found intact before rendering
		}
		if s.Unit == UnitCluster {
			if err := t.checkClustersDir(); err != nil {
				return nil, err
			}
		}
		ow := owned(old, s.Unit, s.Name)
		changed, foreign, err := compare(t, s.dir(), s.Files, ow)
		if err != nil {
			return nil, err
		}
		want := map[string]bool{}
		for _, f := range s.Files {
			want[f.Path] = true
		}
		for _, rel := range changed {
			_, statErr := t.root.Lstat(s.dir() + "/" + rel)
			switch {
			case slices.Contains(foreign, rel):
				add(s.Unit, s.Name, rel, "unowned")
			case !want[rel]:
				add(s.Unit, s.Name, rel, "leftover")
			case errors.Is(statErr, fs.ErrNotExist):
				add(s.Unit, s.Name, rel, "missing")
			default:
				add(s.Unit, s.Name, rel, "changed")
			}
		}
	}
	pruned := prunedSites(old, sites, o)
	for _, n := range pruned {
		gone, _, err := compare(t, n, nil, owned(old, UnitSite, n))
		if err != nil {
			return nil, err
		}
		for _, rel := range gone {
			add(UnitSite, n, rel, "leftover")
		}
	}
	for _, n := range prunedClusters(old, sites, pruned) {
		gone, _, err := compare(t, unitDir(UnitCluster, n), nil, owned(old, UnitCluster, n))
		if err != nil {
			return nil, err
		}
		for _, rel := range gone {
			add(UnitCluster, n, rel, "leftover")
		}
	}
	nx := next(old, o.Version, sites, pruned)
	switch {
	case oldData == nil:
		add(UnitSite, "", IndexFile, "missing")
	case !nx.same(old) && !bytes.Equal(oldData, nx.Encode()):
		if old.Tpgen != nx.Tpgen && sameFiles(old, nx) {
			out = append(out, Drift{Path: IndexFile, What: "version", WrittenBy: old.Tpgen})
		} else {
			add(UnitSite, "", IndexFile, "changed")
		}
	}
	if ents, err := t.names(); err == nil {
		for _, e := range ents {
			if strings.HasPrefix(e, ".tpgen-tmp-") || strings.HasPrefix(e, ".tpgen-old-") || strings.HasPrefix(e, oldClusterPrefix) {
				add(UnitSite, "", e, "interrupted")
			}
		}
	}
	slices.SortFunc(out, func(a, b Drift) int { return cmp.Compare(a.Path, b.Path) })
	return out, nil
}

// missingDir is the drift of a DIR that does not exist: every file.
func missingDir(sites []Site) []Drift {
	var out []Drift
	for _, s := range sites {
		for _, f := range s.Files {
			out = append(out, Drift{Path: s.dir() + "/" + f.Path, What: "missing"})
		}
	}
	out = append(out, Drift{Path: IndexFile, What: "missing"})
	slices.SortFunc(out, func(a, b Drift) int { return cmp.Compare(a.Path, b.Path) })
	return out
}

// sameFiles says whether a and b own the same sites, profiles and files
// with the same digests: they differ at most by the version that wrote
// them and the input digests (which include that version).
func sameFiles(a, b *Index) bool {
	if len(a.Sites) != len(b.Sites) {
		return false
	}
	for name, sa := range a.Sites {
		sb, ok := b.Sites[name]
		if !ok || sa.Profile != sb.Profile || sa.Cluster != sb.Cluster || !maps.Equal(sa.Files, sb.Files) {
			return false
		}
	}
	if len(a.Clusters) != len(b.Clusters) {
		return false
	}
	for name, ca := range a.Clusters {
		if cb, ok := b.Clusters[name]; !ok || !maps.Equal(ca.Files, cb.Files) {
			return false
		}
	}
	return true
}
