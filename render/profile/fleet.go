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
	rs := make([]loaded, 0, len(srcs))
	for _, src := range srcs {
		s, err := l.load(src)
		rs = append(rs, loaded{site: s, err: err, stop: l.abandoned})
		if rs[len(rs)-1].last() {
			break
		}
	}
	return collect(srcs, rs)
}

// loaded is the load of one profile.
type loaded struct {
	site *Site
	err  error
	stop bool // the Loader was abandoned: it cannot go on
}

// last says whether LoadAll stops at this profile: a limit, ctx, or an
// error that is not a problem of the profile.
func (r loaded) last() bool {
	var dl diag.List
	return r.stop || (r.err != nil && !errors.As(r.err, &dl))
}

// collect is LoadAll's answer from the loads of srcs, in their order (rs
// may stop early: at the first that is last()).
func collect(srcs []Source, rs []loaded) ([]*Site, error) {
	var sites []*Site
	var problems diag.List
	for i, r := range rs {
		if r.err != nil {
			var dl diag.List
			if r.stop { // a limit or ctx: the Loader cannot go on
				if errors.As(r.err, &dl) {
					return nil, diag.Sort(append(problems, dl...))
				}
				return nil, r.err
			}
			if !errors.As(r.err, &dl) {
				return nil, fmt.Errorf("loading %s: %w", srcs[i].File, r.err)
			}
			problems = append(problems, dl...)
			continue
		}
		sites = append(sites, r.site)
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
