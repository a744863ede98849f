package profile

import (
	"errors"
	"fmt"

	"github.com/tpgen/tpgen/internal/diag"
)

// LoadAll discovers and validates every profile under paths (in l.FS
// when set) with one Loader. It returns the valid sites sorted by file, and every problem of
// every profile (diag.List), including site names used twice.
func (l *Loader) LoadAll(paths []string) ([]*Site, error) {
	if l.FS != nil {
		return l.loadAll(DiscoverFS(l.FS, paths))
	}
	return l.loadAll(Discover(paths))
}

func (l *Loader) loadAll(srcs []Source, err error) ([]*Site, error) {
	if err != nil {
		return nil, err
	}
	var sites []*Site
	var problems diag.List
	for _, src := range srcs {
		s, err := l.load(src)
		if err != nil {
			var dl diag.List
			if l.abandoned { // a limit or ctx: the Loader cannot go on
				if errors.As(err, &dl) {
					return nil, diag.Sort(append(problems, dl...))
				}
				return nil, err
			}
			if !errors.As(err, &dl) {
				return nil, fmt.Errorf("loading %s: %w", src.File, err)
			}
			problems = append(problems, dl...)
			continue
		}
		sites = append(sites, s)
	}
	problems = append(problems, duplicateNames(sites)...)
	if len(problems) > 0 {
		return sites, diag.Sort(problems)
	}
	return sites, nil
}

func duplicateNames(sites []*Site) diag.List {
	var out diag.List
	first := map[string]*Site{}
	for _, s := range sites {
		f, ok := first[s.Name]
		if !ok {
			first[s.Name] = s
			continue
		}
		d := diag.Diagnostic{Path: "name", File: s.Source.File, Line: 1, Column: 1,
			Message: fmt.Sprintf("site name %q is already used by %s", s.Name, f.Source.File),
			Hint:    "site names must be unique in the fleet: they name the output directory"}
		if p := s.Profile.LookupPath(cuePath([]string{"name"})).Pos(); p.IsValid() {
			d.File, d.Line, d.Column = p.Filename(), p.Line(), p.Column()
		}
		out = append(out, d)
	}
	return out
}
