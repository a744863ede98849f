package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// File is one file of a site, Path relative to the site directory,
// slash-separated.
type File struct {
	Path string
	Data []byte
}

// Site is one site's complete tree, or (Unit UnitCluster) one cluster
// directory's: DIR/clusters/<Name>/.
type Site struct {
	Name    string
	Profile string // the profile file, as the user named it
	// Cluster names the site's cluster (recorded in the index: a cluster
	// directory no site names is pruned).
	Cluster string
	Release string // the plan's release, recorded in the index
	Inputs  string // digest of the site's inputs
	// Key, Reads and Tiers are recorded in the index as they are (see
	// IndexSite); for a kept unit, when Reads is set, they replace the
	// recorded ones.
	Key   string
	Reads map[string]string
	Tiers []string
	Files []File
	Unit  Unit
	// Keep says the unit was not rendered: DIR holds it as the index
	// records it (Intact), and Write and Check leave it and its index
	// entry as they are. Files is then empty.
	Keep bool

	hashes map[string]string // Files' digests, once Add let go of them
}

// digests returns each file's recorded digest.
func (s Site) digests() map[string]string {
	if s.hashes != nil {
		return s.hashes
	}
	files := make(map[string]string, len(s.Files))
	for _, f := range s.Files {
		files[f.Path] = Hash(f.Data)
	}
	return files
}

// Unit says what a Site is.
type Unit int

// Units of the output directory.
const (
	UnitSite    Unit = iota // DIR/<name>/
	UnitCluster             // DIR/clusters/<name>/
)

// ClustersDir is the directory of the cluster directories in DIR.
const ClustersDir = "clusters"

// dir is the unit's directory in DIR.
func (s Site) dir() string { return unitDir(s.Unit, s.Name) }

func unitDir(u Unit, name string) string {
	if u == UnitCluster {
		return ClustersDir + "/" + name
	}
	return name
}

// tmpName and oldName are the unit's names directly in DIR while it is
// built and while a two-rename swap is half done.
func tmpName(u Unit, name string) string {
	if u == UnitCluster {
		return ".tpgen-tmp-cluster-" + name
	}
	return ".tpgen-tmp-" + name
}

func oldName(u Unit, name string) string {
	if u == UnitCluster {
		return oldClusterPrefix + name
	}
	return ".tpgen-old-" + name
}

// oldClusterPrefix names a cluster directory set aside by a two-rename
// swap (not a .tpgen-old- name: a site may be called cluster-x).
const oldClusterPrefix = ".tpgen-oldcluster-"

// Options of Write and Check.
type Options struct {
	// Version is the tpgen version recorded in the index.
	Version string
	// Prune says whether a site of the index that is not among the sites
	// rendered now is gone (its owned files are removed). Nil keeps them.
	Prune func(site, profile string) bool
	// Force lets tpgen write into a DIR it did not write (no index), and
	// over files it does not own; they become its own.
	Force bool
	// Hook, if set, is called after each step of Write: "index-union",
	// "built <site>", "swapped <site>", "index". Tests use it to kill the
	// process mid-way.
	Hook func(step string)
	// Index is DIR's index as the caller parsed it (ParseIndex) from
	// IndexData: when DIR's index still holds exactly those bytes, it is
	// taken instead of parsed again. Nothing changes it.
	Index     *Index
	IndexData []byte
}

// Change says what happened to one site (or cluster directory).
type Change struct {
	Site    string
	Unit    Unit
	Changed []string // files added, changed or removed, sorted
	Pruned  bool     // the site is no longer rendered; its files were removed
}

// ErrForeignDir is returned when DIR holds files but no index.
var ErrForeignDir = errors.New("not written by tpgen")

// sitePlan is what Write does to one site directory.
type sitePlan struct {
	name    string
	unit    Unit
	files   []File          // the new tree (nil: remove the site)
	owned   map[string]bool // files the old index owns
	changed []string
	// built: the new tree is beside the old one (files is then nil, and
	// empty says whether it holds nothing).
	built         bool
	empty, exists bool
}

// Write makes DIR hold sites; see the package doc. ctx is checked between
// sites: a cancelled run stops with every site whole and the index exact.
func Write(ctx context.Context, dir string, sites []Site, o Options) ([]Change, error) {
	if err := checkSites(sites); err != nil {
		return nil, err
	}
	w, err := Begin(dir, o)
	if err != nil {
		return nil, err
	}
	defer w.close() // also when a hook stops Write (tests kill it so)
	for _, s := range sites {
		if err := w.Add(s); err != nil {
			w.Abort()
			return nil, err
		}
	}
	return w.Commit(ctx)
}

// Writer is a Write in steps, so that a renderer hands each unit over as
// soon as it is rendered and lets go of its bytes: Begin locks DIR and
// reads its index; Add compares one unit with DIR and, when it changed,
// builds its new tree beside the old one (.tpgen-tmp-<unit>), keeping
// only its files' digests; Commit exchanges every built unit with its old
// tree and writes the index, as the package doc says. Nothing DIR holds
// changes before Commit; Abort (or the next run) removes what was built.
// Add may be called from several goroutines; the order of the units does
// not matter (Commit sorts them: sites, then cluster directories, by
// name).
type Writer struct {
	t       *tree
	unlock  func()
	o       Options
	old     *Index
	oldData []byte

	mu        sync.Mutex
	sites     []Site
	plans     []sitePlan
	conflicts []string
	closed    bool
	created   bool // Begin made DIR: Abort removes it (empty)
}

// Begin starts a write into DIR: it creates DIR, locks it, reads its
// index, repairs what an interrupted run left, and refuses a DIR tpgen
// did not write (unless Force).
func Begin(dir string, o Options) (*Writer, error) {
	if err := RefuseLinkedDir(dir); err != nil {
		return nil, err
	}
	_, statErr := os.Lstat(dir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	t, err := openTree(dir)
	if err != nil {
		return nil, err
	}
	unlock, err := lock(t)
	if err != nil {
		t.close()
		return nil, err
	}
	w := &Writer{t: t, unlock: unlock, o: o, created: errors.Is(statErr, fs.ErrNotExist)}
	old, oldData, ok, err := readIndexKnown(t, o.Index, o.IndexData)
	if err != nil {
		w.close()
		return nil, err
	}
	w.old, w.oldData = old, oldData
	if err := recoverSwaps(t); err != nil {
		w.close()
		return nil, fmt.Errorf("repairing an interrupted render in %s: %w", dir, err)
	}
	if !ok && !o.Force {
		if err := refuseForeign(t); err != nil {
			w.close()
			return nil, err
		}
	}
	return w, nil
}

func (w *Writer) close() {
	if !w.closed {
		w.closed = true
		w.unlock()
		w.t.close()
	}
}

// Abort removes the trees Add built and releases DIR, which is as it was.
func (w *Writer) Abort() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	for _, p := range w.plans {
		if p.built {
			w.t.root.RemoveAll(tmpName(p.unit, p.name))
		}
	}
	if w.created {
		w.t.root.Remove(ClustersDir) // made for a cluster unit built beside
	}
	w.close()
	if w.created {
		os.Remove(w.t.dir) // only if nothing was committed into it
	}
}

// Add compares unit s with DIR and builds its new tree beside the old one
// when it changed; s's bytes are not kept. A file in the way that tpgen
// does not own is reported by Commit (with every other one), unless Force.
func (w *Writer) Add(s Site) error {
	if err := checkSites([]Site{s}); err != nil {
		return err
	}
	p, foreign, err := planSite(w.t, w.old, s)
	if err != nil {
		return err
	}
	if len(p.changed) > 0 && (len(foreign) == 0 || w.o.Force) {
		if err := buildSite(w.t, &p, w.hook); err != nil {
			if p.unit == UnitCluster {
				return fmt.Errorf("writing cluster directory %s: %w", p.name, err)
			}
			return fmt.Errorf("writing site %s: %w", p.name, err)
		}
	}
	s.hashes, s.Files = s.digests(), nil
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.o.Force {
		for _, f := range foreign {
			w.conflicts = append(w.conflicts, w.t.path(s.dir()+"/"+f))
		}
	}
	w.sites = append(w.sites, s)
	w.plans = append(w.plans, p)
	return nil
}

func (w *Writer) hook(step string) {
	if w.o.Hook != nil {
		w.o.Hook(step)
	}
}

// Commit makes DIR hold the units added (and prunes what Options.Prune
// says is gone): see Write. The Writer is done after it.
func (w *Writer) Commit(ctx context.Context) ([]Change, error) {
	order := func(u Unit, name string) string { return fmt.Sprintf("%d/%s", u, name) }
	slices.SortFunc(w.sites, func(a, b Site) int { return strings.Compare(order(a.Unit, a.Name), order(b.Unit, b.Name)) })
	slices.SortFunc(w.plans, func(a, b sitePlan) int { return strings.Compare(order(a.unit, a.name), order(b.unit, b.name)) })
	if len(w.conflicts) > 0 {
		slices.Sort(w.conflicts)
		w.Abort()
		return nil, fmt.Errorf("tpgen would overwrite files it did not write:\n  %s\nhint: move them away, or pass --force to let tpgen own them", strings.Join(w.conflicts, "\n  "))
	}
	defer w.Abort() // removes what is left beside, if Commit fails
	t, old, sites := w.t, w.old, w.sites
	gone, pruned, err := plansGone(t, old, sites, w.o)
	if err != nil {
		return nil, err
	}
	plans := append(w.plans, gone...)
	nx := next(old, w.o.Version, sites, pruned)
	var nxData []byte
	if len(gone) > 0 || !nx.same(old) {
		nxData = nx.Encode()
	} else {
		nxData = w.oldData // unchanged: not encoded again
	}

	var work []sitePlan
	var changes []Change
	for _, p := range plans {
		changes = append(changes, Change{Site: p.name, Unit: p.unit, Changed: p.changed, Pruned: p.files == nil && !p.built})
		if len(p.changed) > 0 {
			work = append(work, p)
		}
	}
	if len(work) == 0 && bytes.Equal(w.oldData, nxData) {
		return changes, nil
	}
	w.created = false // DIR holds what Commit writes from here on
	if len(work) > 0 {
		if err := writeIndex(t, union(old, nx).Encode()); err != nil {
			return nil, fmt.Errorf("writing the index: %w", err)
		}
		w.hook("index-union")
	}
	for i, p := range work {
		if err := ctx.Err(); err != nil {
			// The index must match the sites already swapped, and only
			// them: the others are still their old trees.
			done := next(old, w.o.Version, sitesOf(sites, work[:i]), prunedOf(work[:i]))
			done.Clusters = clustersDone(old, nx, work[:i])
			if werr := writeIndex(t, done.Encode()); werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("interrupted after %d of %d site(s); every site is whole, render again to finish: %w", i, len(work), err)
		}
		if err := swapSite(t, p, w.hook); err != nil {
			if p.unit == UnitCluster {
				return nil, fmt.Errorf("writing cluster directory %s: %w", p.name, err)
			}
			return nil, fmt.Errorf("writing site %s: %w", p.name, err)
		}
		w.hook("swapped " + unitDir(p.unit, p.name))
	}
	if err := writeIndex(t, nxData); err != nil {
		return nil, fmt.Errorf("writing the index: %w", err)
	}
	w.hook("index")
	return changes, nil
}

// tree is DIR, opened as an os.Root: every name below is resolved inside
// it, and a symbolic link leading out of it is never followed.
type tree struct {
	dir  string   // DIR as the user named it, for messages
	root *os.Root // DIR
	fd   *os.File // DIR itself: the lock, and the exchange's dirfd
}

// RefuseLinkedDir refuses a DIR that is itself a symbolic link (dangling
// or not): what tpgen writes, prunes and reads would be wherever the link
// points, outside the directory named, as for a site directory.
func RefuseLinkedDir(dir string) error {
	st, err := os.Lstat(filepath.Clean(dir))
	if err != nil || st.Mode()&fs.ModeSymlink == 0 {
		return nil
	}
	return fmt.Errorf("output directory %s is a symbolic link: tpgen never writes nor reads through a link in DIR's place\nhint: pass the directory it points to as -o, or replace the link with that directory", filepath.Clean(dir))
}

func openTree(dir string) (*tree, error) {
	if err := RefuseLinkedDir(dir); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	fd, err := root.Open(".")
	if err != nil {
		root.Close()
		return nil, fmt.Errorf("opening output directory: %w", err)
	}
	return &tree{dir: dir, root: root, fd: fd}, nil
}

func (t *tree) close() {
	t.fd.Close()
	t.root.Close()
}

// path names rel (slash-separated, relative to DIR) for messages.
func (t *tree) path(rel string) string { return filepath.Join(t.dir, filepath.FromSlash(rel)) }

// names lists the entries directly in DIR.
func (t *tree) names() ([]string, error) {
	f, err := t.root.Open(".")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	names, err := f.Readdirnames(-1)
	slices.Sort(names)
	return names, err
}

// clustersDir makes DIR/clusters, a real directory (never a link).
func (t *tree) clustersDir() error {
	if _, err := t.root.Lstat(ClustersDir); errors.Is(err, fs.ErrNotExist) {
		return t.root.Mkdir(ClustersDir, 0o755)
	}
	return t.checkClustersDir()
}

// checkClustersDir refuses a DIR/clusters that is not a real directory.
func (t *tree) checkClustersDir() error {
	st, err := t.root.Lstat(ClustersDir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is %s, not the directory of the cluster directories: tpgen never follows links in DIR nor writes through them\nhint: remove it (it is tpgen's) and render again", t.path(ClustersDir), fsguard.Kind(st.Mode()))
	}
	return nil
}

// siteExists says whether DIR/<site> is there; anything else than a real
// directory (a symbolic link above all) is refused, never followed.
func (t *tree) siteExists(site string) (bool, error) {
	st, err := t.root.Lstat(site)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !st.IsDir() {
		return false, fmt.Errorf("%s is %s, not a site directory: tpgen never follows links in DIR nor writes through them\nhint: remove it (the site directory is tpgen's) and render again", t.path(site), fsguard.Kind(st.Mode()))
	}
	return true, nil
}

func sitesOf(sites []Site, done []sitePlan) []Site {
	var out []Site
	for _, s := range sites {
		if s.Unit == UnitSite && slices.ContainsFunc(done, func(p sitePlan) bool { return p.unit == UnitSite && p.name == s.Name }) {
			out = append(out, s)
		}
	}
	return out
}

func prunedOf(done []sitePlan) []string {
	var out []string
	for _, p := range done {
		if p.unit == UnitSite && p.files == nil {
			out = append(out, p.name)
		}
	}
	return out
}

// clustersDone is the index's clusters once the units done are swapped:
// theirs from nx, the others' from old.
func clustersDone(old, nx *Index, done []sitePlan) map[string]IndexCluster {
	out := map[string]IndexCluster{}
	for n, c := range old.Clusters {
		out[n] = c
	}
	for _, p := range done {
		if p.unit != UnitCluster {
			continue
		}
		if c, ok := nx.Clusters[p.name]; ok {
			out[p.name] = c
		} else {
			delete(out, p.name)
		}
	}
	return out
}

// refuseForeign fails when DIR holds anything tpgen did not leave there.
func refuseForeign(t *tree) error {
	ents, err := t.names()
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e, ".tpgen-tmp-") {
			names = append(names, e)
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 3 {
		names = append(names[:3], "...")
	}
	return fmt.Errorf("%s holds files (%s) but no %s: it was %w\nhint: render into an empty or new directory, or pass --force to adopt it (tpgen then owns the files it writes and keeps the others)",
		t.dir, strings.Join(names, ", "), IndexFile, ErrForeignDir)
}

// planSite compares one unit with DIR: what changed, and the files in
// the way that tpgen does not own.
func planSite(t *tree, old *Index, s Site) (sitePlan, []string, error) {
	if s.Unit == UnitCluster {
		if err := t.checkClustersDir(); err != nil {
			return sitePlan{}, nil, err
		}
	}
	p := sitePlan{name: s.Name, unit: s.Unit, files: s.Files, owned: owned(old, s.Unit, s.Name)}
	if p.files == nil {
		p.files = []File{} // a site with no files is still a site
	}
	if s.Keep {
		if _, ok := old.Sites[s.Name]; !ok && s.Unit == UnitSite {
			return sitePlan{}, nil, fmt.Errorf("site %s: kept as the index recorded it, but the index no longer records it (another run changed %s)\nhint: render again", s.Name, t.dir)
		}
		if _, ok := old.Clusters[s.Name]; !ok && s.Unit == UnitCluster {
			return sitePlan{}, nil, fmt.Errorf("cluster directory %s: kept as the index recorded it, but the index no longer records it (another run changed %s)\nhint: render again", s.Name, t.dir)
		}
		return p, nil, nil // nothing changes
	}
	var err error
	var foreign []string
	p.changed, foreign, err = compare(t, s.dir(), s.Files, p.owned)
	return p, foreign, err
}

// plansGone plans the removal of the sites of the index that o.Prune says
// are gone, and of the cluster directories no site names any more.
func plansGone(t *tree, old *Index, sites []Site, o Options) ([]sitePlan, []string, error) {
	var plans []sitePlan
	pruned := prunedSites(old, sites, o)
	for _, n := range pruned {
		p := sitePlan{name: n, owned: owned(old, UnitSite, n)}
		var err error
		if p.changed, _, err = compare(t, n, nil, p.owned); err != nil {
			return nil, nil, err
		}
		plans = append(plans, p)
	}
	for _, n := range prunedClusters(old, sites, pruned) {
		p := sitePlan{name: n, unit: UnitCluster, owned: owned(old, UnitCluster, n)}
		var err error
		if p.changed, _, err = compare(t, unitDir(UnitCluster, n), nil, p.owned); err != nil {
			return nil, nil, err
		}
		plans = append(plans, p)
	}
	return plans, pruned, nil
}

// prunedClusters names the cluster directories of the index that no site
// names once sites are rendered and pruned.
func prunedClusters(old *Index, sites []Site, pruned []string) []string {
	named := map[string]bool{}
	for n, s := range old.Sites {
		if !slices.Contains(pruned, n) && !slices.ContainsFunc(sites, func(x Site) bool { return x.Unit == UnitSite && x.Name == n }) {
			named[s.cluster(n)] = true
		}
	}
	for _, s := range sites {
		if s.Unit == UnitCluster {
			named[s.Name] = true
		} else {
			named[IndexSite{Cluster: s.Cluster}.cluster(s.Name)] = true
		}
	}
	var out []string
	for n := range old.Clusters {
		if !named[n] {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// prunedSites names the sites of the index, not rendered now, that
// o.Prune says are gone.
func prunedSites(old *Index, sites []Site, o Options) []string {
	if o.Prune == nil {
		return nil
	}
	var out []string
	for n, s := range old.Sites {
		if !slices.ContainsFunc(sites, func(s Site) bool { return s.Unit == UnitSite && s.Name == n }) && o.Prune(n, s.Profile) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func owned(x *Index, u Unit, name string) map[string]bool {
	files := x.Sites[name].Files
	if u == UnitCluster {
		files = x.Clusters[name].Files
	}
	out := map[string]bool{}
	for p := range files {
		out[p] = true
	}
	return out
}

// inTheWay says whether an entry at rel keeps one of files from being
// written: a file or link where a directory of files goes, or anything
// below a path where a file goes.
func inTheWay(rel string, want map[string][]byte, dirs map[string]bool) bool {
	if dirs[rel] {
		return true
	}
	for d := path.Dir(rel); d != "."; d = path.Dir(d) {
		if _, ok := want[d]; ok {
			return true
		}
	}
	return false
}

func wantDirs(files []File) map[string]bool {
	dirs := map[string]bool{}
	for _, f := range files {
		for d := path.Dir(f.Path); d != "."; d = path.Dir(d) {
			dirs[d] = true
		}
	}
	return dirs
}

// compare lists, for one site directory, the files that differ from files
// (added, changed, or owned and no longer rendered), and the existing
// entries at a path of files (or in its way) that tpgen does not own. It
// walks the site directory without following links: a link is an entry
// like any other, never read; a file is read only up to the size tpgen
// would write.
func compare(t *tree, site string, files []File, owned map[string]bool) (changed, foreign []string, err error) {
	want := make(map[string][]byte, len(files))
	for _, f := range files {
		want[f.Path] = f.Data
	}
	dirs := wantDirs(files)
	onDisk := map[string]bool{}
	exists, err := t.siteExists(site)
	if err != nil || !exists {
		for p := range want {
			changed = append(changed, p)
		}
		slices.Sort(changed)
		return changed, nil, err
	}
	err = fs.WalkDir(t.root.FS(), site, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, site+"/")
		onDisk[rel] = true
		w, ok := want[rel]
		switch {
		case inTheWay(rel, want, dirs):
			if !owned[rel] {
				foreign = append(foreign, rel)
			}
			changed = append(changed, rel)
		case !ok:
			if owned[rel] {
				changed = append(changed, rel)
			}
		case !owned[rel]:
			foreign = append(foreign, rel)
			changed = append(changed, rel)
		default:
			same, err := sameBytes(t, p, w)
			if err != nil {
				return err
			}
			if !same {
				changed = append(changed, rel)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for p := range want {
		if !onDisk[p] {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	changed = slices.Compact(changed)
	slices.Sort(foreign)
	return changed, foreign, nil
}

// sameBytes says whether the regular file name holds w; anything but a
// regular file of w's size differs, unread.
func sameBytes(t *tree, name string, w []byte) (bool, error) {
	st, err := t.root.Lstat(name)
	if err != nil {
		return false, err
	}
	if !st.Mode().IsRegular() || st.Size() != int64(len(w)) {
		return false, nil
	}
	got, err := fsguard.ReadFile(t.root, name, t.path(name), fsguard.Limit{Max: int64(len(w))})
	if errors.Is(err, fsguard.ErrTooLarge) || errors.Is(err, fsguard.ErrNotRegular) {
		return false, nil // changed since the Lstat
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(got, w), nil
}

// swapSite exchanges the unit's new tree (built beside it first, unless
// Add did) with the old one.
func swapSite(t *tree, p sitePlan, hook func(string)) error {
	if !p.built {
		if err := buildSite(t, &p, hook); err != nil {
			return err
		}
	}
	final := unitDir(p.unit, p.name)
	tmp := tmpName(p.unit, p.name)
	switch {
	case p.empty:
		// The site is gone and nothing foreign lived in it.
		if p.exists {
			// Not .tpgen-old-: recovery would put that back.
			old := ".tpgen-tmp-gone-" + strings.ReplaceAll(final, "/", "-")
			if err := t.root.Rename(final, old); err != nil {
				return err
			}
			if err := t.root.RemoveAll(old); err != nil {
				return err
			}
		}
		return t.root.RemoveAll(tmp)
	case !p.exists:
		return t.root.Rename(tmp, final)
	}
	if err := exchange(t, tmp, final, oldName(p.unit, p.name)); err != nil {
		return err
	}
	return t.root.RemoveAll(tmp) // now the old tree
}

// buildSite writes the unit's new tree beside it (.tpgen-tmp-<unit>),
// with the unit's foreign files, and lets go of the files' bytes.
func buildSite(t *tree, p *sitePlan, hook func(string)) error {
	final := unitDir(p.unit, p.name)
	tmp := tmpName(p.unit, p.name)
	if err := t.root.RemoveAll(tmp); err != nil {
		return err
	}
	if p.unit == UnitCluster {
		if err := t.clustersDir(); err != nil {
			return err
		}
	}
	if err := t.root.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	p.built = true
	want := map[string][]byte{}
	for _, f := range p.files {
		want[f.Path] = f.Data
		n := tmp + "/" + f.Path
		if err := t.root.MkdirAll(path.Dir(n), 0o755); err != nil {
			return err
		}
		if err := t.root.WriteFile(n, f.Data, 0o644); err != nil {
			return err
		}
	}
	exists, err := t.siteExists(final)
	if err != nil {
		return err
	}
	kept := 0
	if exists {
		dirs := wantDirs(p.files)
		kept, err = keepForeign(t, final, tmp, func(rel string) bool {
			_, w := want[rel]
			return !p.owned[rel] && !w && !inTheWay(rel, want, dirs)
		})
		if err != nil {
			return fmt.Errorf("keeping files tpgen does not own: %w", err)
		}
	}
	p.exists, p.empty = exists, len(p.files) == 0 && kept == 0
	p.files = nil
	hook("built " + final)
	return nil
}

// keepForeign links into dst the entries under src (both in DIR) that keep
// says are not tpgen's, and returns how many. A link is linked as a link
// (or recreated), never followed; a regular file that cannot be linked is
// copied.
func keepForeign(t *tree, src, dst string, keep func(rel string) bool) (int, error) {
	n := 0
	err := fs.WalkDir(t.root.FS(), src, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel := strings.TrimPrefix(p, src+"/")
		if !keep(rel) {
			return nil
		}
		n++
		target := dst + "/" + rel
		if err := t.root.MkdirAll(path.Dir(target), 0o755); err != nil {
			return err
		}
		if err := t.root.Link(p, target); err == nil {
			return nil
		}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			to, err := t.root.Readlink(p)
			if err != nil {
				return err
			}
			return t.root.Symlink(to, target)
		case d.Type().IsRegular():
			return copyFile(t, p, target)
		}
		return fmt.Errorf("%s is %s and cannot be linked\nhint: move it out of the site directory", t.path(p), fsguard.Kind(d.Type()))
	})
	return n, err
}

func copyFile(t *tree, src, dst string) error {
	in, err := t.root.OpenFile(src, os.O_RDONLY|syscall.O_NONBLOCK|noFollow, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return fmt.Errorf("%s is %s, not a regular file", t.path(src), fsguard.Kind(st.Mode()))
	}
	out, err := t.root.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// recoverSwaps repairs what an interrupted run left: a .tpgen-old-<site>
// directory whose site is missing is put back (a two-rename swap cut in
// the middle); every other leftover is removed (a link: the link itself).
func recoverSwaps(t *tree) error {
	ents, err := t.names()
	if err != nil {
		return err
	}
	for _, name := range ents {
		switch {
		case strings.HasPrefix(name, ".tpgen-old-"):
			final := strings.TrimPrefix(name, ".tpgen-old-")
			if st, err := t.root.Lstat(name); err == nil && st.IsDir() && checkSiteName(final) == nil {
				if _, err := t.root.Lstat(final); errors.Is(err, fs.ErrNotExist) {
					if err := t.root.Rename(name, final); err != nil {
						return err
					}
					continue
				}
			}
			if err := t.root.RemoveAll(name); err != nil {
				return err
			}
		case strings.HasPrefix(name, oldClusterPrefix):
			c := strings.TrimPrefix(name, oldClusterPrefix)
			final := unitDir(UnitCluster, c)
			if st, err := t.root.Lstat(name); err == nil && st.IsDir() && checkSiteName(c) == nil && t.clustersDir() == nil {
				if _, err := t.root.Lstat(final); errors.Is(err, fs.ErrNotExist) {
					if err := t.root.Rename(name, final); err != nil {
						return err
					}
					continue
				}
			}
			if err := t.root.RemoveAll(name); err != nil {
				return err
			}
		case strings.HasPrefix(name, ".tpgen-tmp-"):
			if err := t.root.RemoveAll(name); err != nil {
				return err
			}
		}
	}
	return nil
}

// twoRenames moves the site b aside (to old) and a in its place; a then
// holds the old tree, as after an exchange.
func twoRenames(t *tree, a, b, old string) error {
	if err := t.root.Rename(b, old); err != nil {
		return err
	}
	if err := t.root.Rename(a, b); err != nil {
		return err
	}
	return t.root.Rename(old, a)
}
