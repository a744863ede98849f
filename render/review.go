package render

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/diff"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/gitrev"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
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
	ro := o.Options
	ro.OutDir, ro.Check, ro.Progress = "", false, nil
	res, err := Run(ctx, ro)
	if err != nil {
		return nil, err
	}
	files, desc, err := readBase(o.OutDir, o.Base)
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
	tiers = append(tiers, gitops.Dir, gitops.TiersDir, gitops.RootDir)
	return diff.Compare(old, now, diff.Options{
		Old: desc, New: strings.Join(o.Paths, " ") + " rendered now", Tiers: tiers,
	}), nil
}

// readBase returns the files of dir at base, keyed relative to dir, and
// a description of where they come from.
func readBase(dir, base string) (map[string][]byte, string, error) {
	if base == BaseWorktree {
		files, err := gitrev.ReadDisk(dir)
		return files, dir + " on disk", err
	}
	repo, err := gitrev.Open(dir)
	if err != nil {
		return nil, "", err
	}
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
	for p, b := range files {
		site, rel, ok := strings.Cut(p, "/")
		if ok && !strings.HasPrefix(site, ".") {
			bySite[site] = append(bySite[site], output.File{Path: rel, Data: b})
		}
	}
	var idx *output.Index
	if b, ok := files[output.IndexFile]; ok {
		idx = &output.Index{}
		if err := json.Unmarshal(b, idx); err != nil {
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
