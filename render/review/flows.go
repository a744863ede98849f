package review

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/flows"
	"github.com/tpgen/tpgen/render/gitrev"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

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
	sites, err := render.SelectSites(all, o.Sites, o.Paths)
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
