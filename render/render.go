package render

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/depgraph"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/gitrev"
	"github.com/tpgen/tpgen/render/kustomize"
	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/secretflow"
	"github.com/tpgen/tpgen/render/validate"
)

// Options of one run: what to render, and (WriteOptions) where and how
// to write it.
type Options struct {
	// Paths are profile files and directories.
	Paths []string
	// Sites, when set, selects sites by name.
	Sites []string
	// Jobs is the number of sites rendered at once (default: CPUs).
	Jobs int
	// Charts, when set, replaces the charts of every site's module; nil:
	// the charts/ directory of the site's module. A plan's chartsDir
	// replaces both for that site.
	Charts chartsource.Source
	// Overlays, when set, replaces the overlays of every site's module;
	// nil: the overlays/ directory of the site's module.
	Overlays fs.FS
	// ModulePath are the directories searched for the modules profiles
	// name (see module.Resolver; the CLI adds TPGEN_MODULE_PATH).
	ModulePath []string
	// Progress, if set, receives one line per finished site.
	Progress io.Writer
	// GitOpsPath is the directory of the rendered tree in its Git
	// repository: the gitops.path of the sites whose profile leaves it
	// unset, and what a gitops.path a profile sets must equal. Empty:
	// derived from OutDir (relative to the root of the Git work tree that
	// holds it, else to the working directory); without OutDir either, an
	// unset gitops.path is "." (a rendering in memory only).
	GitOpsPath string
	// Version is tpgen's version, recorded in the output index and in each
	// site's input digest.
	Version string
	// Strict makes a site overlay patch that matches no object an error
	// (a warning otherwise).
	Strict bool
	// AllowReplace acknowledges changes Kubernetes will not apply in place
	// (compared with the previous rendering in OutDir) of the objects it
	// matches: Kind/namespace/name patterns, or ReplaceAll.
	AllowReplace []string
	// EvalLimits bound each profile's CUE evaluation (zero: defaults).
	EvalLimits profile.EvalLimits
	// Limits bound the inputs read and the objects rendered.
	Limits Limits
	// ChartSources: the lockfile and cache of charts from repositories.
	ChartSources ChartSources
	// Full renders every site; otherwise a site whose inputs digest and
	// files in OutDir are as the index records them is kept, not
	// rendered again (see keptSites).
	Full bool

	// locked loads the charts pinned in the lockfile (set by Run).
	locked *lockedCharts

	// modules holds each module's chart source and overlays, by module
	// source, for the sites of the run (set by Run).
	modules map[string]moduleData
	// moduleFS is the root of the site's module (set by forModule).
	moduleFS fs.FS

	// Previous, when set, gives a site's previous objects (what changes
	// are compared with) instead of OutDir: render/review's Diff reads
	// them from the tree at its base.
	Previous func(site string) ([]object.Object, error)

	// caches memoize the per-site stages across the sites of the run
	// (set by Run).
	caches *caches

	// reads digests what the sites read, for the index (set by Run for
	// a run that writes or checks); pre are the sites kept before
	// planning (set by Run; see preKept).
	reads *readsMemo
	pre   *preKept

	// previous is Previous keyed by objectKey (set by renderSite).
	previous func(site, namespace string) (map[string]object.Object, error)

	WriteOptions
}

// WriteOptions say where and how Run writes the rendering. A verb that
// does not write (render/review, Secrets) leaves them zero: it never
// sees --force.
type WriteOptions struct {
	// OutDir receives DIR/<site>/<tier>/...; empty means render in memory
	// only. The previous rendering is read from it, and the GitOps path
	// derived from it.
	OutDir string
	// Check compares the rendering with OutDir instead of writing it.
	Check bool
	// Force lets render adopt an OutDir it did not write.
	Force bool
	// WriteHook is passed to the output stage (tests kill the process at
	// a step).
	WriteHook func(step string)
}

// SiteResult is one rendered site.
type SiteResult struct {
	Name    string
	Profile string
	// Cluster names the site's cluster (DIR/clusters/<Cluster>/).
	Cluster string
	// Tiers are the site's components in graph order.
	Tiers []string
	// Files are the site's files; a run that writes (OutDir, not Check)
	// streams their bytes to DIR and keeps only their paths (Data nil).
	Files []output.File
	// Tree is Files as arranged, each object file with its object (a
	// tier's kustomization.yaml has none): what a caller reads instead of
	// parsing Files again; the objects of the cluster directory are its
	// ClusterResult's Tree. Set by Run without OutDir, not by
	// ValidateRendered.
	Tree    []manifest.File
	Objects int
	// Changed lists files written (empty when the tree was up to date).
	Changed []string
	// Inputs digests what the site was rendered from.
	Inputs string
	// Skipped: the site was not rendered, its inputs and its files in
	// OutDir being as the index records them. Only Name, Profile,
	// Cluster, Tiers and Inputs are set (no files, objects nor findings).
	Skipped bool
	// Findings of the validation stage: warnings and waived ones (a run
	// with an error finding returns a *validate.Error instead).
	Findings []validate.Finding

	// ClusterObjects are the site's share of its cluster directory (not
	// kept by a run that writes: it writes the directory as soon as its
	// sites are rendered).
	ClusterObjects []object.Object

	// Delivered are the Secrets the site's charts rendered from secret
	// markers, as its secret workflow delivered them (preCreated: left to
	// the operator).
	Delivered []secretflow.Delivered

	clusterFiles []manifest.File // the same, as arranged
	plan         *profile.Plan
	site         *profile.Site
	// key and reads are what the index records the site read (nil
	// reads: none recorded).
	key   string
	reads map[string]string
	// unplanned: kept before planning, plan is a stub (cluster and
	// release).
	unplanned bool
}

// Plan is the plan the site was rendered from (nil for a site read back
// from disk, or kept without its profile being evaluated). A run that
// writes keeps it without its components' values and objects and its
// checks (see written).
func (s SiteResult) Plan() *profile.Plan {
	if s.unplanned {
		return nil
	}
	return s.plan
}

// Result of a run, sites sorted by name.
type Result struct {
	Sites []SiteResult
	// Clusters are the cluster directories, sorted by name.
	Clusters []ClusterResult
	// Pruned names the sites removed from OutDir (their profile is gone).
	Pruned []string
	// PrunedClusters names the cluster directories removed from OutDir
	// (no site names the cluster any more).
	PrunedClusters []string
	// Drift lists how OutDir differs from the rendering (Check only).
	Drift []output.Drift
	// Index is the output index of a rendering into an empty directory
	// (not set by a run that writes: its sites' bytes are on disk, not
	// in Files).
	Index []byte
}

// Run renders; see the package doc.
func Run(ctx context.Context, o Options) (*Result, error) {
	if o.Jobs <= 0 {
		o.Jobs = runtime.NumCPU()
	}
	o.locked = &lockedCharts{src: o.ChartSources, paths: o.Paths}
	o.caches = newCaches()
	prev, prevData := readPrevious(o.OutDir)
	o.reads, o.pre = o.incremental(prev)
	sites, plans, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	for _, s := range sites {
		// Planned: the CUE value (and with it its Loader's context) is
		// not kept for the run.
		s.Profile = cue.Value{}
	}
	o.modules = modulesOf(sites)
	if err := placeTree(o, sites, plans); err != nil {
		return nil, err
	}
	// A release change the module's upgrade rule refuses stops the run
	// before anything renders (the previous release is in DIR's index).
	if _, err := checkUpgrades(sites, plans, prev, o.OutDir); err != nil {
		return nil, err
	}
	results := make([]SiteResult, len(sites))
	errs := make([]error, len(sites))
	// First every site's inputs, read and digested: they say which sites
	// need rendering.
	ins := make([]*siteInputs, len(sites))
	defer func() {
		for _, in := range ins {
			in.close()
		}
	}()
	eachSite(ctx, o.Jobs, len(sites), func(i int) {
		if o.pre.kept(sites[i]) != nil {
			return // kept before planning: nothing to read
		}
		var reads []string
		if o.reads != nil {
			reads = o.reads.names(sites[i], plans[i])
		}
		ins[i], errs[i] = readInputs(ctx, sites[i], plans[i], o.forModule(sites[i].Module))
		if errs[i] != nil {
			errs[i] = &SiteError{Site: sites[i].Name, File: sites[i].Source.File, Err: errs[i]}
		} else if o.reads != nil {
			ins[i].key, ins[i].reads = o.reads.key(sites[i].Source), o.reads.record(sites[i], plans[i], ins[i], reads)
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// A site whose inputs cannot be read is not rendered; the others
	// are, so that every failure is reported at once.
	kept := keptSites(o, prev, sites, plans, ins)
	oo := output.Options{Version: o.Version, Force: o.Force, Hook: o.WriteHook, Index: prev, IndexData: prevData}
	if len(o.Sites) == 0 {
		oo.Prune = gone(o.Paths)
	}
	// A run that writes streams each site to the output stage as it is
	// rendered (built beside its old tree), holding only its digests.
	var w *output.Writer
	if o.OutDir != "" && !o.Check {
		var err error
		if w, err = output.Begin(o.OutDir, oo); err != nil {
			return nil, err
		}
		defer w.Abort() // after Commit, a no-op
	}
	var todo []int
	for i, s := range sites {
		if errs[i] != nil {
			continue
		}
		if !kept[i] {
			todo = append(todo, i)
			continue
		}
		if e, ok := o.pre.entry(s); ok {
			results[i] = SiteResult{Name: s.Name, Profile: s.Source.File, Cluster: plans[i].Cluster, Tiers: e.Tiers,
				Inputs: e.Inputs, Skipped: true, plan: plans[i], site: s, unplanned: true}
			continue
		}
		results[i] = SiteResult{Name: s.Name, Profile: s.Source.File, Cluster: plans[i].Cluster, Tiers: ins[i].graph.Order(),
			Inputs: ins[i].digest, Skipped: true, plan: plans[i], site: s, key: ins[i].key, reads: ins[i].reads}
		ins[i].close()
		ins[i] = nil
	}
	var progressMu sync.Mutex
	done := 0
	cs := clusterStream{w: w, sites: sites, results: results, errs: errs, cluster: make([]string, len(sites)), left: map[string]int{}, units: map[string]ClusterResult{}, failed: map[string]error{}}
	for _, i := range todo {
		cs.left[plans[i].Cluster]++
		cs.cluster[i] = plans[i].Cluster
	}
	eachSite(ctx, o.Jobs, len(todo), func(j int) {
		i := todo[j]
		results[i], errs[i] = renderSite(ctx, sites[i], plans[i], ins[i], prev, o)
		ins[i].close()
		ins[i] = nil
		if o.OutDir != "" {
			// A run that writes or checks keeps each site's bytes, not
			// its objects: they are most of its memory.
			results[i].Tree = nil
		}
		if w != nil && errs[i] == nil {
			r := &results[i]
			errs[i] = w.Add(output.Site{Name: r.Name, Profile: filepath.ToSlash(r.Profile), Cluster: r.Cluster, Release: r.plan.Release, Inputs: r.Inputs, Files: r.Files,
				Key: r.key, Reads: r.reads, Tiers: r.Tiers})
			for j := range r.Files {
				r.Files[j].Data = nil // written beside the site
			}
			written(plans[i])
			if errs[i] == nil {
				cs.siteDone(i)
			}
		}
		if o.Progress != nil {
			progressMu.Lock()
			done++
			fmt.Fprintf(o.Progress, "\rrendered %d/%d sites", done, len(todo))
			if done == len(todo) {
				fmt.Fprintln(o.Progress)
			}
			progressMu.Unlock()
		}
	})
	if err := ctx.Err(); err != nil {
		return nil, err // stopped: nothing is compared nor written
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err // already in site order
	}
	clusterFindings(results, o.OutDir)
	if err := findingsError(results); err != nil {
		return nil, err
	}
	slices.SortFunc(results, func(a, b SiteResult) int { return cmp.Compare(a.Name, b.Name) })
	var rendered []SiteResult
	for _, r := range results {
		if !r.Skipped {
			rendered = append(rendered, r)
		}
	}
	var clusters []ClusterResult
	if w != nil {
		clusters, err = cs.done()
	} else {
		clusters, err = clusterUnits(rendered)
	}
	if err != nil {
		return nil, err
	}
	for _, r := range results {
		if r.Skipped && !slices.ContainsFunc(clusters, func(c ClusterResult) bool { return c.Name == r.Cluster }) {
			clusters = append(clusters, ClusterResult{Name: r.Cluster, Skipped: true})
		}
		if r.Skipped {
			c := &clusters[slices.IndexFunc(clusters, func(c ClusterResult) bool { return c.Name == r.Cluster })]
			c.Sites = append(c.Sites, r.Name)
		}
	}
	slices.SortFunc(clusters, func(a, b ClusterResult) int { return cmp.Compare(a.Name, b.Name) })
	res := &Result{Sites: results, Clusters: clusters}
	var out []output.Site
	for _, s := range results {
		u := output.Site{Name: s.Name, Profile: filepath.ToSlash(s.Profile), Cluster: s.Cluster, Release: s.plan.Release, Inputs: s.Inputs, Files: s.Files, Keep: s.Skipped,
			Key: s.key, Reads: s.reads, Tiers: s.Tiers}
		if s.Skipped && (o.Check || sameReads(prev, s)) {
			u.Reads = nil // the entry stays as it is (--check never changes it)
		}
		out = append(out, u)
	}
	for _, c := range clusters {
		out = append(out, output.Site{Name: c.Name, Unit: output.UnitCluster, Files: c.Files, Keep: c.Skipped})
	}
	if w == nil {
		res.Index = output.IndexOf(prev, o.Version, out).Encode()
	}
	if o.OutDir == "" {
		return res, nil
	}
	if o.Check {
		res.Drift, err = output.Check(o.OutDir, out, oo)
		return res, err
	}
	for _, u := range out {
		if u.Keep {
			if err := w.Add(u); err != nil {
				return nil, err
			}
		}
	}
	changes, err := w.Commit(ctx)
	for _, c := range changes {
		if c.Unit == output.UnitCluster {
			i := slices.IndexFunc(res.Clusters, func(u ClusterResult) bool { return u.Name == c.Site })
			if c.Pruned || i < 0 {
				res.PrunedClusters = append(res.PrunedClusters, c.Site)
			} else {
				res.Clusters[i].Changed = c.Changed
			}
			continue
		}
		if c.Pruned {
			res.Pruned = append(res.Pruned, c.Site)
			continue
		}
		i := slices.IndexFunc(res.Sites, func(s SiteResult) bool { return s.Name == c.Site })
		res.Sites[i].Changed = c.Changed
	}
	return res, err
}

// sameReads says whether the index prev records what kept site s read.
func sameReads(prev *output.Index, s SiteResult) bool {
	if prev == nil {
		return false
	}
	is := prev.Sites[s.Name]
	return is.Key == s.key && maps.Equal(is.Reads, s.reads) && slices.Equal(is.Tiers, s.Tiers)
}

// eachSite runs f(0..n-1), jobs at a time; once ctx is done it starts no
// more (the caller checks ctx.Err()).
func eachSite(ctx context.Context, jobs, n int, f func(i int)) {
	sem := make(chan struct{}, jobs)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			defer func() { <-sem }()
			f(i)
		}()
	}
	wg.Wait()
}

// placeTree sets each plan's gitops.path to where the tree is: the path
// its Argo CD Applications or Flux Kustomizations sync must be the
// directory render writes. A profile that sets another path is refused.
func placeTree(o Options, sites []*profile.Site, plans []*profile.Plan) error {
	want, dir := o.GitOpsPath, o.OutDir
	if want != "" {
		want = path.Clean(want)
	} else if dir != "" {
		var err error
		if want, err = TreePath(dir); err != nil {
			return err
		}
	}
	if dir == "" {
		dir = want
	}
	var errs []error
	for i, p := range plans {
		switch {
		case p.GitOps.Path == "" && want == "":
			p.GitOps.Path = "."
		case p.GitOps.Path == "":
			p.GitOps.Path = want
		case want != "" && path.Clean(p.GitOps.Path) != want:
			errs = append(errs, &SiteError{Site: sites[i].Name, File: sites[i].Source.File, Err: fmt.Errorf(
				"gitops.path is %s, but the tree is written to %s, which is %s in its Git repository: %s would sync %s/%s/, where there is no tree\nhint: remove gitops.path from the profile (render derives it from -o), or render with -o set to %s in the repository",
				p.GitOps.Path, dir, want, engineName(p.GitOps.Engine), path.Clean(p.GitOps.Path), sites[i].Name, path.Clean(p.GitOps.Path))})
		}
	}
	return errors.Join(errs...)
}

// TreePath returns where dir is in its Git repository: relative to the
// root of the Git work tree that holds it, else to the working directory.
func TreePath(dir string) (string, error) {
	rel, inGit, err := gitrev.RepoPath(dir)
	if err != nil {
		return "", fmt.Errorf("placing %s in its Git repository: %w", dir, err)
	}
	// Inside a work tree the walk up from dir always gives a local path.
	if !inGit && !filepath.IsLocal(filepath.FromSlash(rel)) {
		return "", fmt.Errorf("placing %s in its Git repository: it is in no Git work tree and outside the working directory, so the path Argo CD or Flux syncs cannot be derived\nhint: render into a directory of the configuration repository's clone, or set gitops.path in the profiles", dir)
	}
	return rel, nil
}

func engineName(e string) string {
	if e == "flux" {
		return "Flux"
	}
	return "Argo CD"
}

// Gone is the test render applies before pruning a site of the output
// index (review's Diff applies it to the base alike).
func Gone(paths []string) func(site, profile string) bool { return gone(paths) }

// gone says whether a site of the output index, not rendered now, has
// lost its profile: the file is missing, or lies under paths (which
// rendered every site they hold). A site whose profile lies elsewhere
// is only out of this run's scope, and stays.
func gone(paths []string) func(site, profile string) bool {
	return func(_, prof string) bool {
		p := filepath.Clean(filepath.FromSlash(prof))
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return true
		}
		for _, root := range paths {
			r := filepath.Clean(root)
			if p == r || r == "." || strings.HasPrefix(p, r+string(filepath.Separator)) {
				return true
			}
		}
		return false
	}
}

// planHook, when set (by tests), sees each site plan evaluates.
var planHook func(site string)

// plan loads the profiles and computes every selected site's plan.
func plan(ctx context.Context, o Options) ([]*profile.Site, []*profile.Plan, error) {
	// The Pool (o.Jobs Loaders, each its own CUE context: issue 17) is
	// made when a profile is to be evaluated: not at all when every site
	// is kept before planning.
	var pool *profile.Pool
	getPool := func() (*profile.Pool, error) {
		if pool == nil {
			p, err := profile.NewPool(o.Jobs, func() (*profile.Loader, error) {
				l, err := profile.NewLoader(nil)
				if err != nil {
					return nil, err
				}
				l.Limit = o.Limits.profile()
				l.Modules = &module.Resolver{SearchPath: o.ModulePath}
				return l, nil
			})
			if err != nil {
				return nil, err
			}
			pool = p
		}
		return pool, nil
	}
	all, err := o.pre.load(ctx, getPool, o)
	if err != nil {
		return nil, nil, err
	}
	if _, err := SelectSites(all, o.Sites, o.Paths); err != nil {
		return nil, nil, err
	}
	slices.SortFunc(all, func(a, b *profile.Site) int { return cmp.Compare(a.Name, b.Name) })
	allPlans := make([]*profile.Plan, len(all))
	for i, s := range all {
		if allPlans[i] = o.pre.kept(s); allPlans[i] != nil {
			continue
		}
		if planHook != nil {
			planHook(s.Name)
		}
		// Planned by the Pool as it loaded the site; the first error in
		// the order of sites, as planning site after site would give.
		if allPlans[i], err = pool.Plan(s); err != nil {
			return nil, nil, err
		}
	}
	if o.pre.conflicts(all, allPlans) {
		return plan(ctx, o) // without the clusters planned sites joined
	}
	if err := checkClusters(all, allPlans); err != nil {
		return nil, nil, err
	}
	// A site's cluster directory needs every site of the cluster.
	want := slices.Clone(o.Sites)
	for i, p := range allPlans {
		if slices.Contains(o.Sites, all[i].Name) {
			for j, q := range allPlans {
				if q.Cluster == p.Cluster {
					want = append(want, all[j].Name)
				}
			}
		}
	}
	var sites []*profile.Site
	var plans []*profile.Plan
	for i, s := range all {
		if len(want) == 0 || slices.Contains(want, s.Name) {
			sites, plans = append(sites, s), append(plans, allPlans[i])
		}
	}
	return sites, plans, nil
}

// SelectSites returns the sites named in want (all when want is empty),
// sorted by name; a name that no profile has is an error.
func SelectSites(all []*profile.Site, want, paths []string) ([]*profile.Site, error) {
	var sites []*profile.Site
	var missing []string
	for _, w := range want {
		if !slices.ContainsFunc(all, func(s *profile.Site) bool { return s.Name == w }) {
			missing = append(missing, w)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no site named %s in %s\nhint: --site takes site names (the profile's name field)", strings.Join(missing, ", "), strings.Join(paths, " "))
	}
	for _, s := range all {
		if len(want) == 0 || slices.Contains(want, s.Name) {
			sites = append(sites, s)
		}
	}
	slices.SortFunc(sites, func(a, b *profile.Site) int { return cmp.Compare(a.Name, b.Name) })
	return sites, nil
}

func renderSite(ctx context.Context, s *profile.Site, p *profile.Plan, in *siteInputs, prev *output.Index, o Options) (SiteResult, error) {
	if o.Previous != nil {
		o.previous = func(site, namespace string) (map[string]object.Object, error) {
			objs, err := o.Previous(site)
			out := make(map[string]object.Object, len(objs))
			for _, ob := range objs {
				out[objectKey(ob, namespace)] = ob
			}
			return out, err
		}
	}
	res, err := renderSiteObjects(ctx, s, p, in, prev, o)
	var re *ReplaceError
	if errors.As(err, &re) {
		return SiteResult{}, err // names the site already
	}
	if err != nil {
		return SiteResult{}, &SiteError{Site: s.Name, File: s.Source.File, Err: err}
	}
	return res, nil
}

// SiteError is the failure to render one site.
type SiteError struct {
	Site string
	File string // the site's profile
	Err  error
}

func (e *SiteError) Error() string { return fmt.Sprintf("site %s (%s): %v", e.Site, e.File, e.Err) }
func (e *SiteError) Unwrap() error { return e.Err }

func renderSiteObjects(ctx context.Context, s *profile.Site, p *profile.Plan, in *siteInputs, prev *output.Index, o Options) (SiteResult, error) {
	o = o.forModule(s.Module)
	if in == nil {
		var err error
		if in, err = readInputs(ctx, s, p, o); err != nil {
			return SiteResult{}, err
		}
		defer in.close()
	}
	g, charts, siteOverlay, siteFiles := in.graph, in.charts, in.siteOverlay, in.siteFiles
	objs, _, converted, err := renderComponents(ctx, p, g, charts, in.loaded, o)
	if err != nil {
		return SiteResult{}, err
	}
	objs, err = kustomize.Apply(objs, kustomize.Options{Overlays: o.Overlays, Components: p.Overlays, SiteOverlay: siteOverlay, SiteFiles: siteFiles})
	if err != nil {
		return SiteResult{}, err
	}
	unmatched, err := kustomize.Unmatched(objs, siteOverlay, siteFiles)
	if err != nil {
		return SiteResult{}, err
	}
	objs, delivered, err := deliverSecrets(s, p, objs, in.sops, o.Limits.file())
	if err != nil {
		return SiteResult{}, err
	}
	var before map[string]object.Object
	if o.previous != nil {
		before, err = o.previous(s.Name, p.Namespace)
	} else {
		before, err = previousObjects(o.OutDir, prev, s.Name, p.Namespace, o.Limits.file())
		if err == nil {
			// The site's share of its cluster directory.
			var cluster map[string]object.Object
			cluster, err = previousClusterObjects(o.OutDir, prev, p, o.Limits.file())
			for k, ob := range cluster {
				if before == nil {
					before = map[string]object.Object{}
				}
				before[k] = ob
			}
		}
	}
	if err != nil {
		return SiteResult{}, err
	}
	objs, replaced, err := replaceObjects(s, p, objs, before, o.AllowReplace, o.Check)
	if err != nil {
		return SiteResult{}, err
	}
	profileName := filepath.ToSlash(s.Source.File) // in every file's header
	ar := arrangement(p, g)
	ar.Profile = profileName
	files, err := manifest.Arrange(objs, ar)
	if err != nil {
		return SiteResult{}, err
	}
	// The cluster directory's files are arranged with the cluster's other
	// sites (its kustomization.yaml then); they are validated with the
	// site's.
	var siteFilesOut, clusterFiles []manifest.File
	for _, f := range files {
		switch {
		case f.Path == ar.ClusterTier+"/kustomization.yaml":
		case f.Object.Tier == ar.ClusterTier && f.Object.Doc != nil:
			clusterFiles = append(clusterFiles, f)
		default:
			siteFilesOut = append(siteFilesOut, f)
		}
	}
	sizes := make([]fileSize, len(files))
	for i, f := range files {
		sizes[i] = fileSize{path: f.Path, size: int64(len(f.Data))}
	}
	if err := o.Limits.checkRendered(len(objs), sizes); err != nil {
		return SiteResult{}, err
	}
	findings, err := validateSite(s, p, ar.ClusterTier, files, o.OutDir, o.Limits.file(), preCreatedNames(delivered))
	if err != nil {
		return SiteResult{}, err
	}
	gfiles, err := wrap(p, g, siteFilesOut, profileName)
	if err != nil {
		return SiteResult{}, fmt.Errorf("wrapping for %s: %w", p.GitOps.Engine, err)
	}
	siteFilesOut = append(siteFilesOut, gfiles...)
	findings = append(findings, replaced...)
	for _, f := range converted {
		f.Site = s.Name
		findings = append(findings, f)
	}
	for _, u := range unmatched {
		f := validate.Finding{Severity: validate.SeverityWarning, Site: s.Name, File: u.File, Path: u.Field, Check: "overlay-unmatched",
			Message: u.Message, Hint: "correct the target's kind, name, namespace or selectors against the rendered tree, or remove the patch"}
		if o.Strict {
			f.Severity = validate.SeverityError
		}
		findings = append(findings, f)
	}
	validate.Sort(findings)
	res := SiteResult{Name: s.Name, Profile: s.Source.File, Cluster: p.Cluster, Tiers: g.Order(), Objects: len(objs), Findings: findings, clusterFiles: clusterFiles, plan: p, site: s, Delivered: delivered}
	res.Tree = siteFilesOut
	for _, f := range siteFilesOut {
		res.Files = append(res.Files, output.File{Path: f.Path, Data: f.Data})
	}
	for _, f := range clusterFiles {
		res.ClusterObjects = append(res.ClusterObjects, f.Object)
	}
	res.Inputs, res.key, res.reads = in.digest, in.key, in.reads
	return res, nil
}

// ClustersDir holds the cluster directories in DIR: clusters/<cluster>/.
const ClustersDir = "clusters"

// clusterTier is the Tier (and the path in DIR) of a cluster's directory.
func clusterTier(cluster string) string { return ClustersDir + "/" + cluster }

// arrangement says where the site's objects go: a directory per synced
// component (in graph order), manual/<component> for a manual one, and
// the cluster directory for every cluster-scoped object and every object
// of a component applied as cluster-admin.
func arrangement(p *profile.Plan, g *depgraph.Graph) manifest.Options {
	ar := manifest.Options{Namespace: p.Namespace, TierNamespaces: map[string]string{}, ClusterTier: clusterTier(p.Cluster)}
	var manual []string
	for _, n := range g.Order() {
		c := p.Component(n)
		switch {
		case c.Manual:
			dir := componentDir(c)
			manual = append(manual, dir)
			ar.KeepTiers = append(ar.KeepTiers, dir)
			ar.TierNamespaces[dir] = c.Namespace
		case c.Account.ClusterAdmin:
			ar.ClusterTiers = append(ar.ClusterTiers, n)
			ar.TierNamespaces[n] = c.Namespace
			ar.Tiers = append(ar.Tiers, n)
		default:
			ar.TierNamespaces[n] = c.Namespace
			ar.Tiers = append(ar.Tiers, n)
		}
	}
	ar.Tiers = append(ar.Tiers, manual...)
	return ar
}

// wrap adds the GitOps engine's objects for the site's arranged
// components.
func wrap(p *profile.Plan, g *depgraph.Graph, files []manifest.File, profileName string) ([]manifest.File, error) {
	objs := make([]object.Object, 0, len(files))
	for _, f := range files {
		if f.Object.Doc != nil {
			objs = append(objs, f.Object)
		}
	}
	gobjs, err := gitops.Objects(gitopsOptions(p, g, objs))
	if err != nil {
		return nil, err
	}
	dirs := gitops.Dirs(p.GitOps.Engine)
	return manifest.Arrange(gobjs, manifest.Options{Namespace: p.Namespace, ClusterTier: dirs[0], Tiers: dirs, Profile: profileName})
}

// gitopsOptions maps the plan and the site's arranged objects to the
// gitops stage's input: one Tier per synced component with objects in the
// site directory, in graph order, depending on its declared dependencies
// (a dependency with nothing in the site directory is one on the cluster
// directory: the gitops stage maps it).
func gitopsOptions(p *profile.Plan, g *depgraph.Graph, objs []object.Object) gitops.Options {
	gp := p.GitOps
	opts := gitops.Options{Site: p.Site, Namespace: p.Namespace, Cluster: p.Cluster, Engine: gitopsEngine(gp)}
	for _, n := range p.Namespaces {
		opts.Namespaces = append(opts.Namespaces, n.Name)
	}
	for _, n := range g.Order() {
		c := p.Component(n)
		if c.Manual {
			continue
		}
		gt := gitops.Tier{Name: n, Namespace: c.Namespace, ClusterAdmin: c.Account.ClusterAdmin, ServiceAccount: c.Account.ServiceAccount, Timeout: c.Timeout, DependsOn: g.Deps(n)}
		for _, o := range objs {
			if o.Tier == n {
				gt.Objects = append(gt.Objects, o)
			}
		}
		// A component with nothing in the site directory still orders
		// its dependents (the gitops stage gives it no object).
		opts.Tiers = append(opts.Tiers, gt)
	}
	return opts
}

// gitopsEngine maps the plan's GitOps settings to the gitops stage's.
func gitopsEngine(gp profile.GitOps) gitops.Engine {
	e := gitops.Engine{
		Name: gp.Engine, RepoURL: gp.RepoURL, Revision: gp.Revision, Path: gp.Path, Prune: gp.Prune,
		Namespace: gp.Namespace, SelfHeal: gp.SelfHeal, Interval: gp.Interval, Credentials: gp.Credentials,
		Decryption: gp.Decryption,
	}
	if d := gp.Destination; d != nil {
		e.DestinationServer, e.DestinationName = d.Server, d.Name
	}
	return e
}

// emptyValue returns the path of the first null, empty map or empty list in
// v, or "".
func emptyValue(v any, path string) string {
	switch v := v.(type) {
	case nil:
		return path
	case map[string]any:
		if len(v) == 0 {
			return path
		}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := k
			if path != "" {
				p = path + "." + k
			}
			if e := emptyValue(v[k], p); e != "" {
				return e
			}
		}
	case []any:
		if len(v) == 0 {
			return path
		}
		for i, e := range v {
			if r := emptyValue(e, fmt.Sprintf("%s[%d]", path, i)); r != "" {
				return r
			}
		}
	}
	return ""
}

// Problems returns the positioned profile problems inside err, if any.
func Problems(err error) (diag.List, bool) {
	var dl diag.List
	ok := errors.As(err, &dl)
	return dl, ok
}
