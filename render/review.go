package render

import (
	"context"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/diff"
	"github.com/tpgen/tpgen/render/flows"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/gitrev"
	"github.com/tpgen/tpgen/render/graph"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
)

// BaseWorktree as a base compares with the output directory on disk.
const BaseWorktree = "worktree"

// DiffOptions of Diff: the rendering's Options (OutDir is the directory
// compared with; nothing is written) and the base.
type DiffOptions struct {
	Options
	// Base is a Git revision, "" for the merge base with the default
	// branch (see render/gitrev), or BaseWorktree.
	Base string
}

// Diff renders the profiles in memory and compares the result, object by
// object, with OutDir as committed at the base (or on disk).
func Diff(ctx context.Context, o DiffOptions) (*diff.Report, error) {
	// The base first: a wrong revision fails before any rendering.
	files, desc, err := readBase(o.OutDir, o.Base, o.Limits.file())
	if err != nil {
		return nil, err
	}
	ro := o.Options
	if ro.GitOpsPath == "" {
		if ro.GitOpsPath, err = TreePath(o.OutDir); err != nil {
			return nil, err
		}
	}
	ro.OutDir, ro.Check, ro.Progress = "", false, nil
	// The rendering an acknowledgement would give: a change Kubernetes
	// will not apply in place is flagged (replace), with the annotations
	// and claims render adds when it is acknowledged.
	ro.AllowReplace = []string{ReplaceAll}
	ro.previous = func(site, namespace string) (map[string]object.Object, error) {
		var fs []output.File
		for p, b := range files {
			if rel, ok := strings.CutPrefix(p, site+"/"); ok && !strings.HasPrefix(rel, gitops.Dir+"/") {
				fs = append(fs, output.File{Path: rel, Data: b})
			}
		}
		objs, err := siteObjects(site, fs, nil)
		if err != nil {
			return nil, err
		}
		out := map[string]object.Object{}
		for _, d := range objs {
			ob := object.Object{Doc: d.Doc, Tier: d.Tier, Source: d.File}
			out[objectKey(ob, namespace)] = ob
		}
		return out, nil
	}
	res, err := Run(ctx, ro)
	if err != nil {
		return nil, err
	}
	old, err := oldObjects(files, res, o.Options)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", desc, err)
	}
	var now []diff.Object
	var tiers []string
	for _, s := range res.Sites {
		objs, err := siteObjects(s.Name, s.Files, nil)
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", s.Name, err)
		}
		now = append(now, objs...)
		for _, t := range s.Tiers {
			if !slices.Contains(tiers, t) {
				tiers = append(tiers, t)
			}
		}
	}
	for _, c := range res.Clusters {
		objs, err := siteObjects(ClustersDir+"/"+c.Name, c.Files, nil)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %w", c.Name, err)
		}
		now = append(now, objs...)
	}
	tiers = append(tiers, gitops.Dir, gitops.TiersDir, gitops.RootDir)
	return diff.Compare(old, now, diff.Options{
		Old: desc, New: strings.Join(o.Paths, " ") + " rendered now", Tiers: tiers,
	}), nil
}

// readBase returns the files of dir at base, keyed relative to dir, and
// a description of where they come from.
func readBase(dir, base string, lim fsguard.Limit) (map[string][]byte, string, error) {
	if base == BaseWorktree {
		if err := output.RefuseLinkedDir(dir); err != nil {
			return nil, "", err
		}
		files, err := gitrev.ReadDisk(dir, lim)
		return files, dir + " on disk", err
	}
	repo, err := gitrev.Open(dir)
	if err != nil {
		return nil, "", err
	}
	repo.Limit = lim
	c, err := repo.Resolve(base)
	if err != nil {
		return nil, "", err
	}
	rel, err := repo.Rel(dir)
	if err != nil {
		return nil, "", err
	}
	files, err := repo.ReadDir(c, rel)
	return files, dir + " at " + c.Name, err
}

// oldObjects parses the objects of the sites of the old tree that this
// run covers: the files the old index owns (every YAML file of every
// site directory when there is no index), for the sites rendered now and
// the sites whose profile is gone (as render would prune them).
func oldObjects(files map[string][]byte, res *Result, o Options) ([]diff.Object, error) {
	bySite := map[string][]output.File{}
	byCluster := map[string][]output.File{}
	for p, b := range files {
		site, rel, ok := strings.Cut(p, "/")
		if c, crel, cok := strings.Cut(rel, "/"); ok && cok && site == ClustersDir {
			byCluster[c] = append(byCluster[c], output.File{Path: crel, Data: b})
			continue
		}
		if ok && !strings.HasPrefix(site, ".") {
			bySite[site] = append(bySite[site], output.File{Path: rel, Data: b})
		}
	}
	var idx *output.Index
	if b, ok := files[output.IndexFile]; ok {
		var err error
		if idx, err = output.ParseIndex(b); err != nil {
			return nil, fmt.Errorf("%s: %w", output.IndexFile, err)
		}
	}
	rendered := map[string]bool{}
	for _, s := range res.Sites {
		rendered[s.Name] = true
	}
	prune := gone(o.Paths)
	sites := make([]string, 0, len(bySite))
	for s := range bySite {
		sites = append(sites, s)
	}
	slices.Sort(sites)
	var out []diff.Object
	for _, site := range sites {
		var owned map[string]string
		if idx != nil {
			is, ok := idx.Sites[site]
			if !ok {
				continue // not tpgen's
			}
			owned = is.Files
			if !rendered[site] && (len(o.Sites) > 0 || !prune(site, is.Profile)) {
				continue // out of this run's scope
			}
		} else if !rendered[site] && len(o.Sites) > 0 {
			continue
		}
		objs, err := siteObjects(site, bySite[site], owned)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	// The cluster directories: those rendered now, and with every site
	// rendered, those gone.
	renderedClusters := map[string]bool{}
	for _, c := range res.Clusters {
		renderedClusters[c.Name] = true
	}
	for _, c := range slices.Sorted(maps.Keys(byCluster)) {
		var owned map[string]string
		if idx != nil {
			ic, ok := idx.Clusters[c]
			if !ok {
				continue // not tpgen's
			}
			owned = ic.Files
		}
		if !renderedClusters[c] && len(o.Sites) > 0 {
			continue
		}
		objs, err := siteObjects(ClustersDir+"/"+c, byCluster[c], owned)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// siteObjects parses a site's YAML files (paths relative to the site
// directory) into objects, skipping kustomization.yaml (a list of files),
// files that owned does not list (when it is not nil), and documents that
// are not Kubernetes objects.
func siteObjects(site string, files []output.File, owned map[string]string) ([]diff.Object, error) {
	var out []diff.Object
	for _, f := range files {
		base := path.Base(f.Path)
		if base == "kustomization.yaml" || (path.Ext(base) != ".yaml" && path.Ext(base) != ".yml") {
			continue
		}
		if owned != nil {
			if _, ok := owned[f.Path]; !ok {
				continue
			}
		}
		docs, err := object.Decode(f.Data)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", site, f.Path, err)
		}
		for _, d := range docs {
			ob := object.Object{Doc: d}
			if ob.Kind() == "" || ob.APIVersion() == "" || ob.Name() == "" {
				continue
			}
			out = append(out, diff.Object{Site: site, Tier: path.Dir(f.Path), File: site + "/" + f.Path, Doc: d})
		}
	}
	return out, nil
}

// FlowOptions select the sites of Flows and FlowsAt.
type FlowOptions struct {
	// Paths are profile files and directories, Sites optional site names.
	Paths, Sites []string
	// EvalLimits bound each profile's CUE evaluation (zero: defaults).
	EvalLimits profile.EvalLimits
	// ModulePath are the directories searched for the modules profiles
	// name.
	ModulePath []string
}

// FlowSet is the network flow matrix of sites, and the notes that go with
// it.
type FlowSet struct {
	Flows []flows.Flow
	Notes []string
}

// Flows loads the profiles and computes their flows (the #Flows of their
// module).
func Flows(o FlowOptions) (*FlowSet, error) {
	return flowsIn(o, nil)
}

// flowsIn is Flows over the profiles in fsys (nil: the disk).
func flowsIn(o FlowOptions, fsys fs.FS) (*FlowSet, error) {
	l, err := profile.NewLoader(nil)
	if err != nil {
		return nil, err
	}
	l.FS = fsys
	l.Modules = &module.Resolver{SearchPath: o.ModulePath}
	all, err := l.LoadAllContext(context.Background(), o.Paths, o.EvalLimits)
	if err != nil {
		return nil, err
	}
	sites, err := selectSites(all, o.Sites, o.Paths)
	if err != nil {
		return nil, err
	}
	set := &FlowSet{Notes: []string{}}
	for i, s := range sites {
		var fl []flows.Flow
		if err := l.Evaluate("Flows", "out", s, &fl); err != nil {
			return nil, err
		}
		for j := range fl {
			fl[j].Site = s.Name
		}
		set.Flows = append(set.Flows, fl...)
		if i == 0 {
			if err := l.Evaluate("Flows", "notes", s, &set.Notes); err != nil {
				return nil, err
			}
		}
	}
	set.Flows = flows.Normalize(set.Flows)
	return set, nil
}

// FlowsAt computes the flows of the profiles under o.Paths as committed at
// base (a Git revision, or "" for the merge base with the default
// branch). Sites selected by name that did not exist then are skipped.
// It returns a description of the revision.
func FlowsAt(o FlowOptions, base string) (*FlowSet, string, error) {
	if len(o.Paths) == 0 {
		return nil, "", fmt.Errorf("no profile paths")
	}
	repo, err := gitrev.Open(o.Paths[0])
	if err != nil {
		return nil, "", err
	}
	c, err := repo.Resolve(base)
	if err != nil {
		return nil, "", err
	}
	desc := strings.Join(o.Paths, " ") + " at " + c.Name
	// The profiles of the revision, in memory under their paths relative
	// to the repository.
	fsys := fstest.MapFS{}
	var paths []string
	for _, p := range o.Paths {
		rel, err := repo.Rel(p)
		if err != nil {
			return nil, "", err
		}
		files, err := repo.ReadDir(c, rel)
		if err != nil {
			return nil, "", err
		}
		if len(files) == 0 {
			continue // not there yet
		}
		for name, b := range files {
			fsys[path.Join(rel, name)] = &fstest.MapFile{Data: b, Mode: 0o644}
		}
		if _, file := files[""]; file {
			// A profile named alone takes the defaults.cue beside it.
			d := path.Join(path.Dir(rel), profile.DefaultsFile)
			defs, err := repo.ReadDir(c, d)
			if err != nil {
				return nil, "", err
			}
			if b, ok := defs[""]; ok {
				fsys[d] = &fstest.MapFile{Data: b, Mode: 0o644}
			}
		}
		paths = append(paths, rel)
	}
	if len(paths) == 0 {
		return &FlowSet{Notes: []string{}}, desc, nil
	}
	set, err := flowsIn(FlowOptions{Paths: paths, EvalLimits: o.EvalLimits, ModulePath: o.ModulePath}, fsys)
	if err != nil {
		return nil, "", fmt.Errorf("loading the profiles at %s:\n%s\nhint: compare with a revision whose profiles this tpgen accepts", c.Name, err.Error())
	}
	if len(o.Sites) > 0 {
		set.Flows = slices.DeleteFunc(set.Flows, func(f flows.Flow) bool { return !slices.Contains(o.Sites, f.Site) })
	}
	return set, desc, nil
}

// Graph renders the profiles in memory and returns, per site, what
// `tpgen graph` draws: the tiers in install order with their object
// counts by kind, and the GitOps engine's objects.
func Graph(ctx context.Context, o Options) ([]graph.Site, error) {
	o.OutDir, o.Check, o.Progress = "", false, nil
	res, err := Run(ctx, o)
	if err != nil {
		return nil, err
	}
	var out []graph.Site
	for _, s := range res.Sites {
		if len(o.Sites) > 0 && !slices.Contains(o.Sites, s.Name) {
			continue // rendered for its cluster directory only
		}
		objs, err := siteObjects(s.Name, s.Files, nil)
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", s.Name, err)
		}
		gs := graph.Site{Name: s.Name}
		for _, t := range s.Tiers {
			kinds := map[string]int{}
			for _, ob := range objs {
				if ob.Tier == t {
					kinds[object.Object{Doc: ob.Doc}.Kind()]++
				}
			}
			gs.Tiers = append(gs.Tiers, graph.Tier{Name: t, Kinds: kinds})
		}
		for _, ob := range objs {
			if ob.Tier == gitops.Dir || strings.HasPrefix(ob.Tier, gitops.Dir+"/") {
				gs.GitOps = append(gs.GitOps, object.Object{Tier: ob.Tier, Doc: ob.Doc})
			}
		}
		out = append(out, gs)
	}
	return out, nil
}
