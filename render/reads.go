package render

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/modules"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/validate"
)

// What a site read, recorded in the index (IndexSite.Key, Reads), lets
// a later run keep the site without evaluating its profile: the run
// digests again only what the index names (each once per run), and a
// site whose key and reads are unchanged, and whose files and cluster
// directory are intact, is neither loaded, planned nor read (preKept).
//
// A read is kind:path, the path as render opens it (relative to the
// working directory when the profile path is):
//   - file: a file's bytes (or that it is absent, a link and its target,
//     a directory, another type);
//   - tree: a directory's entries, recursively, with each file's bytes:
//     a file added, removed or renamed changes it;
//   - list: a directory's entry names and types (a module search path);
//   - node: a path's type alone (charts.path: refused as a link);
//   - builtin: a module embedded in tpgen, by name;
//   - overlays: the Overlays a library caller passed (the whole tree).

// maxReadBytes bounds what one run hashes to compare reads: an index
// naming more is not trusted for the excess (those sites are rendered).
const maxReadBytes = 1 << 30

// readsMemo digests each read once per run; safe for concurrent use.
type readsMemo struct {
	// run digests the options of the run that shape a site's output
	// (see runKey).
	run      string
	overlays fs.FS // Options.Overlays of the run (nil: the modules')
	lockfile string
	paths    []string // Options.ModulePath

	mu   sync.Mutex
	m    map[string]*readDigest
	left atomic.Int64 // bytes still allowed to be hashed
}

type readDigest struct {
	once sync.Once
	d    string
}

// newReadsMemo returns the memo of a run that writes or checks DIR whose
// tree path (where Argo CD or Flux sync it) is tree.
func newReadsMemo(o Options, tree string) *readsMemo {
	m := &readsMemo{overlays: o.Overlays, lockfile: o.ChartSources.LockfilePath(o.Paths), paths: o.ModulePath, m: map[string]*readDigest{}}
	m.left.Store(maxReadBytes)
	h := sha256.New()
	fmt.Fprintf(h, "tpgen %q\ntree %q\nlockfile %q\nmodule path %q\noverlays given %t\n", o.Version, tree, m.lockfile, o.ModulePath, o.Overlays != nil)
	m.run = hex.EncodeToString(h.Sum(nil))
	return m
}

// key is the site's Key: the run's key with the profile's path, input
// root and fleet defaults files (their bytes are reads).
func (m *readsMemo) key(src profile.Source) string {
	h := sha256.New()
	fmt.Fprintf(h, "run %s\nprofile %q\nroot %q\ndefaults %q\n", m.run, src.File, src.Root, src.Defaults)
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// digest returns read r's digest, "" when it cannot be taken (never
// equal to a recorded one).
func (m *readsMemo) digest(r string) string {
	m.mu.Lock()
	e := m.m[r]
	if e == nil {
		e = &readDigest{}
		m.m[r] = e
	}
	m.mu.Unlock()
	e.once.Do(func() { e.d = m.take(r) })
	return e.d
}

func (m *readsMemo) take(r string) string {
	kind, p, _ := strings.Cut(r, ":")
	if kind == "builtin" {
		return builtinDigest(p)
	}
	h := sha256.New()
	var ok bool
	switch kind {
	case "file":
		ok = m.path(h, p, false)
	case "tree":
		ok = m.path(h, p, true)
	case "list":
		ok = listing(h, p)
	case "node":
		ok = m.node(h, p)
	case "overlays":
		ok = m.overlays != nil && m.fsTree(h, m.overlays, p)
	}
	if !ok {
		return ""
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// path digests the file or (tree) the directory tree at p; no link is
// followed, no file but a regular one opened.
func (m *readsMemo) path(h hash.Hash, p string, tree bool) bool {
	fi, ok, done := lstat(h, p)
	switch {
	case done:
		return ok
	case !tree || !fi.IsDir():
		return m.entry(h, p, fi)
	}
	err := filepath.WalkDir(p, func(q string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(p, q)
		fmt.Fprintf(h, "%q ", filepath.ToSlash(rel))
		if !m.entry(h, q, fi) {
			return errNoDigest
		}
		return nil
	})
	return err == nil
}

var errNoDigest = errors.New("cannot be digested")

// entry digests one entry: its type, a link's target, a file's bytes.
func (m *readsMemo) entry(h hash.Hash, p string, fi fs.FileInfo) bool {
	switch {
	case fi.Mode().IsRegular():
		fmt.Fprintf(h, "file %d\n", fi.Size())
		return m.content(h, p)
	case fi.Mode()&fs.ModeSymlink != 0:
		t, err := os.Readlink(p)
		if err != nil {
			return false
		}
		fmt.Fprintf(h, "link %q\n", t)
	case fi.IsDir():
		fmt.Fprint(h, "dir\n")
	default:
		fmt.Fprintf(h, "type %s\n", fi.Mode().Type())
	}
	return true
}

// content hashes the regular file p within the run's byte budget (a
// file swapped for a FIFO is not waited on).
func (m *readsMemo) content(h hash.Hash, p string) bool {
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil || !fi.Mode().IsRegular() {
		return false
	}
	left := m.left.Load()
	n, err := io.Copy(h, io.LimitReader(f, left+1))
	return err == nil && m.left.Add(-n) >= 0
}

// lstat is p's Lstat; done when there is nothing more to digest: p is
// absent (digested as such: ok) or cannot be read (not ok).
func lstat(h hash.Hash, p string) (fi fs.FileInfo, ok, done bool) {
	fi, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		fmt.Fprint(h, "absent\n")
		return nil, true, true
	case err != nil:
		return nil, false, true
	}
	return fi, false, false
}

func (m *readsMemo) node(h hash.Hash, p string) bool {
	fi, ok, done := lstat(h, p)
	switch {
	case done:
		return ok
	case fi.Mode().IsRegular():
		fmt.Fprint(h, "file\n")
		return true
	}
	return m.entry(h, p, fi)
}

// listing digests the names and types in directory p.
func listing(h hash.Hash, p string) bool {
	es, err := os.ReadDir(p)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Fprint(h, "absent\n")
		return true
	}
	if err != nil {
		return false
	}
	for _, e := range es {
		fmt.Fprintf(h, "%q %s\n", e.Name(), e.Type())
	}
	return true
}

// fsTree digests the tree at root of fsys (an embedded or in-memory
// tree: no links).
func (m *readsMemo) fsTree(h hash.Hash, fsys fs.FS, root string) bool {
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%q %s\n", p, d.Type())
		if d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if m != nil && m.left.Add(-int64(len(b))) < 0 {
			return errNoDigest
		}
		fmt.Fprintf(h, "%d\n", len(b))
		h.Write(b)
		return nil
	})
	return err == nil
}

// builtins are the digests of the built-in modules, taken once per
// process.
var builtins sync.Map // name -> string

func builtinDigest(name string) string {
	if d, ok := builtins.Load(name); ok {
		return d.(string)
	}
	d := ""
	if slices.Contains(module.BuiltinNames(), name) {
		h := sha256.New()
		if (*readsMemo)(nil).fsTree(h, modules.FS, name) {
			d = "sha256:" + hex.EncodeToString(h.Sum(nil))
		}
	}
	builtins.Store(name, d)
	return d
}

// names returns what site s reads, its plan p says, before its inputs
// are read (the digests are then taken before the files are read for
// rendering: a file changed meanwhile is seen by the next run).
func (m *readsMemo) names(s *profile.Site, p *profile.Plan) []string {
	dir := filepath.Dir(s.Source.File)
	reads := []string{"file:" + s.Source.File}
	for _, d := range s.Source.Defaults {
		reads = append(reads, "file:"+d)
	}
	mod := s.Module
	if mod == nil {
		mod = module.Default()
	}
	if mod.Builtin() {
		reads = append(reads, "builtin:"+mod.Name)
	} else {
		reads = append(reads, "tree:"+mod.Source)
	}
	// A module named in a search path directory: a directory of that name
	// added to another one makes the name ambiguous.
	for _, d := range m.paths {
		reads = append(reads, "list:"+d)
	}
	if m.overlays != nil {
		reads = append(reads, "overlays:.")
	}
	charts := ""
	if p.ChartsDir != "" {
		charts = filepath.Join(dir, p.ChartsDir)
		reads = append(reads, "node:"+charts)
	}
	for _, c := range p.Components {
		if c.Kind != profile.KindHelm || c.Chart == nil {
			continue
		}
		if charts != "" {
			// Absent, the chart comes from the module or a repository;
			// added, it replaces them.
			reads = append(reads, "tree:"+filepath.Join(charts, c.Chart.Name))
		}
		if c.Chart.Repo != "" {
			reads = append(reads, "file:"+m.lockfile)
		}
	}
	if p.SiteOverlay != "" {
		reads = append(reads, "tree:"+filepath.Join(dir, p.SiteOverlay))
	}
	if sp := p.Secrets.SOPS; sp != nil {
		for _, f := range sp.Files {
			reads = append(reads, "file:"+filepath.Join(dir, filepath.FromSlash(f)))
		}
	}
	var pol validate.Policy
	if len(p.Checks) > 0 && json.Unmarshal(p.Checks, &pol) == nil {
		for _, a := range pol.APIs {
			if a.CRD != "" {
				reads = append(reads, "file:"+filepath.Join(dir, filepath.FromSlash(a.CRD)))
			}
		}
	}
	slices.Sort(reads)
	return slices.Compact(reads)
}

// record digests reads (names gave them, before in was read) and adds
// what in shows: the whole charts.path of a chart taken from it that
// has file:// dependencies (resolved from sibling directories). nil when
// one cannot be digested: the index then records none, and the next run
// evaluates the site.
func (m *readsMemo) record(s *profile.Site, p *profile.Plan, in *siteInputs, reads []string) map[string]string {
	if p.ChartsDir != "" {
		for _, lc := range in.loaded {
			if lc.chart == nil || lc.pin != "" || !in.charts.local(lc.name) {
				continue
			}
			for _, d := range lc.chart.Metadata.Dependencies {
				if strings.HasPrefix(d.Repository, "file://") {
					reads = append(reads, "tree:"+filepath.Join(filepath.Dir(s.Source.File), p.ChartsDir))
				}
			}
		}
	}
	out := make(map[string]string, len(reads))
	for _, r := range reads {
		if out[r] = m.digest(r); out[r] == "" {
			return nil
		}
	}
	return out
}

// preKept is what a run knows before evaluating any profile: which
// sites the index shows unchanged. Set by Run for a run that may keep
// sites (Options.skippable, a sealed index); used by plan.
type preKept struct {
	prev  *output.Index
	reads *readsMemo
	// stubs are the kept sites: a Site with Name and Source, and their
	// index entries (a Plan stub gives the cluster and release).
	stubs map[*profile.Site]stub
	// dropped are clusters rendered whatever their sites' reads say: a
	// site planned now joined them, or took a kept site's name.
	dropped map[string]bool
}

type stub struct {
	entry output.IndexSite
	plan  *profile.Plan
}

// kept returns the plan stub of a kept site, nil for any other site.
func (pk *preKept) kept(s *profile.Site) *profile.Plan {
	if pk == nil {
		return nil
	}
	return pk.stubs[s].plan
}

// entry returns the index entry of a kept site.
func (pk *preKept) entry(s *profile.Site) (output.IndexSite, bool) {
	if pk == nil {
		return output.IndexSite{}, false
	}
	st, ok := pk.stubs[s]
	return st.entry, ok
}

// load loads the profiles of o.Paths that are not kept, and returns
// them with the kept sites' stubs.
func (pk *preKept) load(ctx context.Context, pool func() (*profile.Pool, error), o Options) ([]*profile.Site, error) {
	if pk == nil {
		p, err := pool()
		if err != nil {
			return nil, err
		}
		return p.LoadAll(ctx, o.Paths, o.EvalLimits)
	}
	srcs, err := profile.Discover(o.Paths)
	if err != nil {
		return nil, err
	}
	for {
		rest := pk.split(ctx, o, srcs)
		var sites []*profile.Site
		var err error
		if len(rest) > 0 {
			var p *profile.Pool
			if p, err = pool(); err != nil {
				return nil, err
			}
			sites, err = p.LoadSources(ctx, rest, o.EvalLimits)
		}
		var dl diag.List
		if err == nil || errors.As(err, &dl) {
			// A profile that now takes a kept site's name: both are
			// loaded, and the loader names the duplicate.
			clash := false
			for s, st := range pk.stubs {
				if slices.ContainsFunc(sites, func(l *profile.Site) bool { return l.Name == s.Name }) {
					pk.dropped[st.plan.Cluster], clash = true, true
				}
			}
			if clash {
				continue
			}
		}
		if err != nil {
			return sites, err
		}
		for s := range pk.stubs {
			sites = append(sites, s)
		}
		return sites, nil
	}
}

// split sets pk.stubs to the sites of srcs that are kept and returns the
// other sources. A site is kept when the index records exactly one site
// of its profile, sealed, with the site's Key, every read of it digests
// as recorded, its files are intact, and so is its cluster: every site
// the index records in it is kept, and its directory intact.
func (pk *preKept) split(ctx context.Context, o Options, srcs []profile.Source) []profile.Source {
	byProfile := map[string][]string{}
	members := map[string]int{}
	for name, is := range pk.prev.Sites {
		byProfile[is.Profile] = append(byProfile[is.Profile], name)
		members[clusterName(is, name)]++
	}
	cand := make([]string, len(srcs))
	eachSite(ctx, o.Jobs, len(srcs), func(i int) {
		src := srcs[i]
		names := byProfile[filepath.ToSlash(src.File)]
		if len(names) != 1 {
			return
		}
		is := pk.prev.Sites[names[0]]
		if is.Key != pk.reads.key(src) || is.Reads["file:"+src.File] == "" || pk.dropped[clusterName(is, names[0])] {
			return
		}
		for r, d := range is.Reads {
			if pk.reads.digest(r) != d {
				return
			}
		}
		if output.Intact(o.OutDir, pk.prev, output.UnitSite, names[0], hasReplaceMarker) {
			cand[i] = names[0]
		}
	})
	count := map[string]int{}
	for _, n := range cand {
		if n != "" {
			count[clusterName(pk.prev.Sites[n], n)]++
		}
	}
	var clusters []string
	for c, n := range count {
		if n == members[c] {
			clusters = append(clusters, c)
		}
	}
	intact := make([]bool, len(clusters))
	eachSite(ctx, o.Jobs, len(clusters), func(i int) {
		intact[i] = output.Intact(o.OutDir, pk.prev, output.UnitCluster, clusters[i], hasReplaceMarker)
	})
	keep := map[string]bool{}
	for i, c := range clusters {
		keep[c] = intact[i]
	}
	pk.stubs = map[*profile.Site]stub{}
	var rest []profile.Source
	for i, src := range srcs {
		n := cand[i]
		if n == "" || !keep[clusterName(pk.prev.Sites[n], n)] {
			rest = append(rest, src)
			continue
		}
		is := pk.prev.Sites[n]
		s := &profile.Site{Name: n, Source: src}
		pk.stubs[s] = stub{entry: is, plan: &profile.Plan{Site: n, Cluster: clusterName(is, n), Release: is.Release}}
	}
	return rest
}

// conflicts says whether a site planned now is in a kept site's cluster
// (its directory is then made again from all its sites): those clusters
// are dropped, and plan starts again.
func (pk *preKept) conflicts(all []*profile.Site, plans []*profile.Plan) bool {
	if pk == nil || len(pk.stubs) == 0 {
		return false
	}
	kept := map[string]bool{}
	for _, st := range pk.stubs {
		kept[st.plan.Cluster] = true
	}
	found := false
	for i, s := range all {
		if _, ok := pk.stubs[s]; !ok && kept[plans[i].Cluster] {
			pk.dropped[plans[i].Cluster], found = true, true
		}
	}
	return found
}

// treeWant is where the tree is in its Git repository, as placeTree
// computes it.
func treeWant(o Options) (string, error) {
	if o.GitOpsPath != "" {
		return path.Clean(o.GitOpsPath), nil
	}
	return TreePath(o.OutDir)
}

// incremental returns the run's reads memo (nil: nothing is recorded)
// and what it may keep before planning (nil: every site is planned).
// A rendering in memory records what it read too (its index is the one
// a rendering into an empty DIR writes), at the tree path placeTree
// gives it. Nothing is kept before planning under --strict (whether a
// site has an overlay is in its plan).
func (o Options) incremental(prev *output.Index) (*readsMemo, *preKept) {
	if o.Charts != nil {
		return nil, nil // a chart source with no files to digest
	}
	tree := "."
	if o.GitOpsPath != "" || o.OutDir != "" {
		var err error
		if tree, err = treeWant(o); err != nil {
			return nil, nil // placeTree reports it
		}
	}
	m := newReadsMemo(o, tree)
	if o.OutDir == "" || !prev.Sealed() || !o.skippable() || o.Strict {
		return m, nil
	}
	return m, &preKept{prev: prev, reads: m, dropped: map[string]bool{}}
}
