package profile

import (
	"context"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"sync"
)

// Pool evaluates a fleet's profiles and plans on several goroutines, each
// with its own Loader (its own cue.Context, the module schemas built in
// it). A CUE value must not meet another context's, so a site is planned
// by the Loader that loaded it, at once: each goroutine takes the next
// profile, loads it and plans it, which spreads the work evenly. Its
// answers are those of one Loader (LoadAll, then Plan site after site) at
// any number of jobs: the same sites, plans and errors, in the same
// order.
//
// The heap limit of EvalLimits measures the whole process: with several
// jobs it bounds their concurrent evaluations together.
//
// A Pool is used by one goroutine; its Loaders are dropped with it (and
// with the sites' Profile values, which hold their contexts).
type Pool struct {
	jobs      int
	fsys      fs.FS // the Loaders' FS
	newLoader func() (*Loader, error)
	loaders   []*Loader
	planned   map[*Site]planned
}

// planned is the plan of a site LoadAll loaded, or its error.
type planned struct {
	plan *Plan
	err  error
}

// NewPool makes a Pool of at most jobs Loaders (jobs <= 0: one per CPU),
// each made by newLoader; the first is made now, so that a defect of the
// default module shows at once, the others when needed.
func NewPool(jobs int, newLoader func() (*Loader, error)) (*Pool, error) {
	if jobs <= 0 {
		jobs = runtime.NumCPU()
	}
	l, err := newLoader()
	if err != nil {
		return nil, err
	}
	return &Pool{jobs: jobs, fsys: l.FS, newLoader: newLoader, loaders: []*Loader{l}, planned: map[*Site]planned{}}, nil
}

// LoadAll is Loader.LoadAllContext on the pool's Loaders: every profile
// under paths (in the first Loader's FS when set), validated, the valid
// sites sorted by file, every problem of every profile. After a profile
// stopped by a limit or ctx, no later profile is started, and the answer
// is the one Loader's: the problems of the profiles before it, and its.
// Each valid site is planned too, under the same bounds (Plans returns
// the plans).
func (p *Pool) LoadAll(ctx context.Context, paths []string, lim EvalLimits) ([]*Site, error) {
	var srcs []Source
	var err error
	if p.fsys != nil {
		srcs, err = DiscoverFS(p.fsys, paths)
	} else {
		srcs, err = Discover(paths)
	}
	if err != nil {
		return nil, err
	}
	return p.LoadSources(ctx, srcs, lim)
}

// LoadSources is LoadAll over profiles already discovered: a caller that
// knows some profiles unchanged loads and plans the others only.
func (p *Pool) LoadSources(ctx context.Context, srcs []Source, lim EvalLimits) ([]*Site, error) {
	rs := make([]loaded, len(srcs))
	var mu sync.Mutex
	next, stop := 0, len(srcs) // profiles next..stop-1 are still to start
	err := p.run(min(p.jobs, len(srcs)), func(l *Loader) (*Loader, error) {
		for {
			mu.Lock()
			i := next
			if i >= stop {
				mu.Unlock()
				return l, nil
			}
			next++
			mu.Unlock()
			l.bound, l.limits = ctx, lim
			s, err := l.load(srcs[i])
			l.bound = nil
			rs[i] = loaded{site: s, err: err, stop: l.abandoned}
			if rs[i].last() {
				mu.Lock()
				stop = min(stop, i+1)
				mu.Unlock()
				return l, nil
			}
			if s == nil {
				continue
			}
			plan, err := l.PlanContext(ctx, s, lim)
			mu.Lock()
			p.planned[s] = planned{plan, err}
			mu.Unlock()
			if l.abandoned {
				// The plan was stopped; the profiles left are loaded
				// all the same (one Loader would have loaded them all
				// before planning), with a new Loader.
				if l, err = p.newLoader(); err != nil {
					return nil, err
				}
			}
		}
	})
	if err != nil {
		return nil, err
	}
	// Every profile before stop was loaded: profiles start in order, and
	// a Loader leaves off only at a profile that is last().
	return collect(srcs, rs[:stop])
}

// Plan returns the plan of site s, which p's LoadAll or LoadSources
// loaded and planned, or the error planning it gave (asked site after
// site, the first error is the one Plan site after site would give).
func (p *Pool) Plan(s *Site) (*Plan, error) {
	r, ok := p.planned[s]
	if !ok {
		return nil, fmt.Errorf("planning site %s: it was not loaded by this pool (a defect of tpgen)", s.Name)
	}
	return r.plan, r.err
}

// run runs f on n goroutines, each with a Loader of its own (made now
// if the pool has fewer), and waits for them. f returns the Loader it
// ends with (another, when it had to replace its own).
func (p *Pool) run(n int, f func(l *Loader) (*Loader, error)) error {
	n = max(n, 1)
	for len(p.loaders) < n {
		p.loaders = append(p.loaders, nil) // made by its goroutine
	}
	errs := make([]error, n)
	var wg sync.WaitGroup
	for w := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := p.loaders[w]
			if l == nil {
				if l, errs[w] = p.newLoader(); errs[w] != nil {
					return
				}
			}
			p.loaders[w], errs[w] = f(l)
		}()
	}
	wg.Wait()
	p.loaders = slices.DeleteFunc(p.loaders, func(l *Loader) bool { return l == nil })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
