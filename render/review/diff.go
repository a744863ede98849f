package review

import (
	"context"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/diff"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/gitrev"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/tree"
)

// BaseWorktree as a base compares with the output directory on disk.
const BaseWorktree = "worktree"

// DiffOptions of Diff: what to render (its WriteOptions are ignored:
// nothing is written), the output directory compared with and the base.
type DiffOptions struct {
	render.Options
	// Dir is the output directory compared with (render's -o).
	Dir string
	// Base is a Git revision, "" for the merge base with the default
	// branch (see render/gitrev), or BaseWorktree.
	Base string
}

// Diff renders the profiles in memory (render.Run) and compares the
// result, object by object, with Dir as committed at the base (or on
// disk).
func Diff(ctx context.Context, o DiffOptions) (*diff.Report, error) {
	// The base first: a wrong revision fails before any rendering.
	files, desc, err := readBase(o.Dir, o.Base, o.Limits.File())
	if err != nil {
		return nil, err
	}
	ro := o.Options
	if ro.GitOpsPath == "" {
		if ro.GitOpsPath, err = render.TreePath(o.Dir); err != nil {
			return nil, err
		}
	}
	ro.WriteOptions, ro.Progress = render.WriteOptions{}, nil
	// The rendering an acknowledgement would give: a change Kubernetes
	// will not apply in place is flagged (replace), with the annotations
	// and claims render adds when it is acknowledged.
	ro.AllowReplace = []string{render.ReplaceAll}
	ro.Previous = func(site string) ([]object.Object, error) {
		var fs []tree.File
		for p, b := range files {
			if rel, ok := strings.CutPrefix(p, site+"/"); ok && !strings.HasPrefix(rel, gitops.Dir+"/") {
				fs = append(fs, tree.File{Path: rel, Data: b})
			}
		}
		objs, err := tree.Parse(site, fs, tree.Options{})
		if err != nil {
			return nil, err
		}
		out := make([]object.Object, 0, len(objs))
		for _, ob := range objs {
			out = append(out, ob.Object)
		}
		return out, nil
	}
	res, err := render.Run(ctx, ro)
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
		objs, err := renderedObjects(s)
		if err != nil {
			return nil, err
		}
		now = append(now, objs...)
		for _, t := range s.Tiers {
			if !slices.Contains(tiers, t) {
				tiers = append(tiers, t)
			}
		}
	}
	for _, c := range res.Clusters {
		objs, err := clusterObjects(c)
		if err != nil {
			return nil, err
		}
		now = append(now, objs...)
	}
	tiers = append(tiers, gitops.Dir, gitops.TiersDir, gitops.RootDir)
	r := diff.Compare(old, now, diff.Options{
		Old: desc, New: strings.Join(o.Paths, " ") + " rendered now", Tiers: tiers,
	})
	if r.Upgrades, err = upgrades(files, res, desc); err != nil {
		return nil, err
	}
	return r, nil
}

// readBase returns the files of dir at base, keyed relative to dir, and
// a description of where they come from.
func readBase(dir, base string, lim fsguard.Limit) (map[string][]byte, string, error) {
	// The index grows with the fleet: its own bound, not the inputs'.
	limits := func(name string) fsguard.Limit {
		if name == output.IndexFile {
			return output.IndexLimit
		}
		return lim
	}
	if base == BaseWorktree {
		if err := output.RefuseLinkedDir(dir); err != nil {
			return nil, "", err
		}
		files, err := gitrev.ReadDisk(dir, limits)
		return files, dir + " on disk", err
	}
	repo, err := gitrev.Open(dir)
	if err != nil {
		return nil, "", err
	}
	repo.Limits = limits
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
func oldObjects(files map[string][]byte, res *render.Result, o render.Options) ([]diff.Object, error) {
	bySite := map[string][]tree.File{}
	byCluster := map[string][]tree.File{}
	for p, b := range files {
		site, rel, ok := strings.Cut(p, "/")
		if c, crel, cok := strings.Cut(rel, "/"); ok && cok && site == render.ClustersDir {
			byCluster[c] = append(byCluster[c], tree.File{Path: crel, Data: b})
			continue
		}
		if ok && !strings.HasPrefix(site, ".") {
			bySite[site] = append(bySite[site], tree.File{Path: rel, Data: b})
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
	prune := render.Gone(o.Paths)
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
		objs, err := siteObjects(render.ClustersDir+"/"+c, byCluster[c], owned)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// siteObjects parses a site's files (paths relative to the site
// directory) into objects (render/tree), skipping files that owned does
// not list (when it is not nil) and documents that are not Kubernetes
// objects.
func siteObjects(site string, files []tree.File, owned map[string]string) ([]diff.Object, error) {
	var o tree.Options
	if owned != nil {
		o.Files = slices.Sorted(maps.Keys(owned))
	}
	objs, err := tree.Parse(site, files, o)
	if err != nil {
		return nil, err
	}
	out := make([]diff.Object, 0, len(objs))
	for _, ob := range objs {
		if ob.Kind() == "" || ob.APIVersion() == "" || ob.Name() == "" {
			continue
		}
		out = append(out, diff.Object{Site: site, Tier: ob.Tier, File: site + "/" + ob.File, Doc: ob.Doc})
	}
	return out, nil
}

// renderedObjects are the objects of a site rendered now, as the diff
// stage compares them with those read from a tree: the rendering's own
// objects, not its files parsed again, normalized to what decoding their
// file would give.
func renderedObjects(s render.SiteResult) ([]diff.Object, error) {
	out := make([]diff.Object, 0, len(s.Tree))
	for _, f := range s.Tree {
		if f.Object.Doc == nil {
			continue // a tier's kustomization.yaml
		}
		doc, err := object.Normalize(f.Object.Doc)
		if err != nil {
			return nil, fmt.Errorf("site %s: %s: %w", s.Name, f.Path, err)
		}
		out = append(out, diff.Object{Site: s.Name, Tier: path.Dir(f.Path), File: s.Name + "/" + f.Path, Doc: doc})
	}
	return out, nil
}

// clusterObjects are the objects of a cluster directory rendered now, as
// the diff stage compares them with those read from a tree: the
// rendering's own objects, normalized as renderedObjects does.
func clusterObjects(c render.ClusterResult) ([]diff.Object, error) {
	unit := render.ClustersDir + "/" + c.Name
	out := make([]diff.Object, 0, len(c.Tree))
	for _, f := range c.Tree {
		if f.Object.Doc == nil {
			continue // its kustomization.yaml
		}
		doc, err := object.Normalize(f.Object.Doc)
		if err != nil {
			return nil, fmt.Errorf("cluster %s: %s: %w", c.Name, f.Path, err)
		}
		out = append(out, diff.Object{Site: unit, Tier: path.Dir(f.Path), File: unit + "/" + f.Path, Doc: doc})
	}
	return out, nil
}
