package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/tree"
	"github.com/tpgen/tpgen/render/validate"
)

// RenderedOptions select an already-rendered tree to validate.
type RenderedOptions struct {
	// Dir is the output directory of a render: Dir/<site>/<tier>/*.yaml.
	Dir string
	// Paths are the profiles the tree was rendered from (files and
	// directories, with their fleet defaults, as for Run). Each site
	// directory of Dir is matched with the profile of the same name.
	Paths []string
	// Sites, when set, selects site directories by name.
	Sites []string
	// EvalLimits bound each profile's CUE evaluation (zero: defaults).
	EvalLimits profile.EvalLimits
	// Limits bound the files read (FileSize, ProfileSize).
	Limits Limits
	// ModulePath are the directories searched for the modules profiles
	// name.
	ModulePath []string
}

// ValidateRendered runs the validation stage over a tree written by Run,
// as it is on disk: each site's objects are read from the directories of
// its plan's tiers (other directories, such as gitops/, are not objects of
// the site's tiers and are skipped), by render/tree, with their source
// from the file header. The Result lists each site's findings; a *validate.Error comes
// back when one is an error. Nothing is written.
func ValidateRendered(ctx context.Context, o RenderedOptions) (*Result, error) {
	if err := output.RefuseLinkedDir(o.Dir); err != nil {
		return nil, err
	}
	dirs, err := siteDirs(o.Dir, o.Sites)
	if err != nil {
		return nil, err
	}
	sites, plans, err := plan(ctx, Options{Paths: o.Paths, EvalLimits: o.EvalLimits, Limits: o.Limits, ModulePath: o.ModulePath})
	if err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(o.Dir)
	if err != nil {
		return nil, fmt.Errorf("reading rendered tree: %w", err)
	}
	defer root.Close()
	var missing []string
	for _, d := range dirs {
		if !slices.ContainsFunc(sites, func(s *profile.Site) bool { return s.Name == d }) {
			missing = append(missing, d)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("no profile in %s for site %s of %s\nhint: pass the profiles the tree was rendered from: tpgen validate --rendered %s PATH...",
			strings.Join(o.Paths, " "), strings.Join(missing, ", "), o.Dir, o.Dir)
	}
	res := &Result{}
	for i, s := range sites {
		if !slices.Contains(dirs, s.Name) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		p := plans[i]
		sr := SiteResult{Name: s.Name, Profile: s.Source.File}
		g, err := p.Graph(s.Source.File)
		if err != nil {
			return nil, err
		}
		ar := arrangement(p, g)
		sr.Tiers = g.Order()
		// The components' directories only: gitops/ holds no object of
		// theirs, and those applied as cluster-admin are in the cluster
		// directory.
		var dirs []string
		for _, t := range ar.Tiers {
			if !slices.Contains(ar.ClusterTiers, t) {
				dirs = append(dirs, t)
			}
		}
		objs, err := tree.Read(root, o.Dir, s.Name, tree.Options{Dirs: dirs, Limit: o.Limits.file()})
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", s.Name, err)
		}
		items := make([]validate.Item, 0, len(objs))
		for _, ob := range objs {
			items = append(items, validate.Item{Object: ob.Object, File: filepath.Join(o.Dir, s.Name, filepath.FromSlash(ob.File))})
		}
		// The cluster directory's objects: the cluster-scoped ones and
		// those in the site's namespaces (the others, and the other
		// namespaces, are its co-sites').
		// Its top directory only: gitops/ holds the cluster's bootstrap.
		clusterObjs, err := tree.Read(root, o.Dir, ar.ClusterTier, tree.Options{Dirs: []string{"."}, Limit: o.Limits.file()})
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", s.Name, err)
		}
		declared := func(ns string) bool {
			return slices.ContainsFunc(p.Namespaces, func(n profile.Namespace) bool { return n.Name == ns })
		}
		for _, ob := range clusterObjs {
			ns := ob.Namespace()
			if ob.GroupKind() == "Namespace" && !declared(ob.Name()) {
				continue // another site's
			}
			if ns == "" || declared(ns) {
				ob.Tier = ar.ClusterTier
				items = append(items, validate.Item{Object: ob.Object, File: filepath.Join(o.Dir, filepath.FromSlash(ar.ClusterTier), filepath.FromSlash(ob.File))})
			}
		}
		pre, err := preCreated(ctx, s, p, Options{EvalLimits: o.EvalLimits, Limits: o.Limits, ModulePath: o.ModulePath})
		if err != nil {
			return nil, fmt.Errorf("site %s: listing the Secrets the operator creates: %w", s.Name, err)
		}
		opts, err := validateOptions(s, p, ar.ClusterTier, o.Limits.file(), preCreatedNames(pre))
		if err != nil {
			return nil, err
		}
		if sr.Findings, err = validate.Run(items, opts); err != nil {
			return nil, err
		}
		sr.Objects = len(items)
		res.Sites = append(res.Sites, sr)
	}
	if err := findingsError(res.Sites); err != nil {
		return nil, err
	}
	return res, nil
}

// siteDirs lists the site directories of dir (all, or those named).
func siteDirs(dir string, want []string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading rendered tree: %w\nhint: --rendered takes the output directory of tpgen render (-o)", err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && !strings.HasPrefix(e.Name(), ".") && e.Name() != ClustersDir && (len(want) == 0 || slices.Contains(want, e.Name())) {
			out = append(out, e.Name())
		}
	}
	for _, w := range want {
		if !slices.Contains(out, w) {
			return nil, fmt.Errorf("no site directory %s in %s", w, dir)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no site directories in %s\nhint: --rendered takes the output directory of tpgen render (-o)", dir)
	}
	return out, nil
}
