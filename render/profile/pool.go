package profile

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
)

// Pool evaluates a fleet's profiles and plans on several goroutines, each
// with its own Loader (its own cue.Context, the module schemas built in
// it). A CUE value must not meet another context's, so a site is planned
// by the Loader that loaded it. Its answers are those of one Loader
// (LoadAll, then Plan site after site) at any number of jobs: the same
// sites, plans and errors, in the same order.
//
// The heap limit of EvalLimits measures the whole process: with several
// jobs it bounds their concurrent evaluations together.
//
// A Pool is used by one goroutine; its Loaders are dropped with it (and
// with the sites' Profile values, which hold their contexts).
type Pool struct {
	jobs      int
	newLoader func() (*Loader, error)
	loaders   []*Loader
	owner     map[*Site]*Loader
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
	return &Pool{jobs: jobs, newLoader: newLoader, loaders: []*Loader{l}, owner: map[*Site]*Loader{}}, nil
}

// LoadAll is Loader.LoadAllContext on the pool's Loaders: every profile
// under paths (in the first Loader's FS when set), validated, the valid
// sites sorted by file, every problem of every profile. After a profile
// stopped by a limit or ctx, no later profile is started, and the answer
// is the one Loader's: the problems of the profiles before it, and its.
func (p *Pool) LoadAll(ctx context.Context, paths []string, lim EvalLimits) ([]*Site, error) {
	var srcs []Source
	var err error
	if fsys := p.loaders[0].FS; fsys != nil {
		srcs, err = DiscoverFS(fsys, paths)
	} else {
		srcs, err = Discover(paths)
	}
	if err != nil {
		return nil, err
	}
	rs := make([]loaded, len(srcs))
	by := make([]*Loader, len(srcs))
	var mu sync.Mutex
	next, stop := 0, len(srcs) // profiles next..stop-1 are still to start
	err = p.run(min(p.jobs, len(srcs)), func(l *Loader) {
		l.bound, l.limits = ctx, lim
		defer func() { l.bound = nil }()
		for {
			mu.Lock()
			i := next
			if i >= stop {
				mu.Unlock()
				return
			}
			next++
			mu.Unlock()
			s, err := l.load(srcs[i])
			rs[i], by[i] = loaded{site: s, err: err, stop: l.abandoned}, l
			if rs[i].last() {
				mu.Lock()
				stop = min(stop, i+1)
				mu.Unlock()
				return
			}
		}
	})
	if err != nil {
		return nil, err
	}
	// Every profile before stop was loaded: profiles start in order, and
	// a Loader leaves off only at a profile that is last().
	for i, r := range rs[:stop] {
		if r.site != nil {
			p.owner[r.site] = by[i]
		}
	}
	return collect(srcs, rs[:stop])
}

// Plans returns the plan of each site (loaded by p's LoadAll), each Loader
// planning its own sites in their order. The error is the first in the
// order of sites, as Plan site after site would return it.
func (p *Pool) Plans(ctx context.Context, sites []*Site, lim EvalLimits) ([]*Plan, error) {
	mine := map[*Loader][]int{}
	for i, s := range sites {
		l, ok := p.owner[s]
		if !ok {
			return nil, fmt.Errorf("planning site %s: it was not loaded by this pool (a defect of tpgen)", s.Name)
		}
		mine[l] = append(mine[l], i)
	}
	plans := make([]*Plan, len(sites))
	errs := make([]error, len(sites))
	var wg sync.WaitGroup
	for l, idx := range mine {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, i := range idx {
				// A Loader stops at its first error: the sites after it
				// in its list come after it in the order of sites too.
				if plans[i], errs[i] = l.PlanContext(ctx, sites[i], lim); errs[i] != nil {
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return plans, nil
}

// run runs f on n goroutines, each with a Loader of its own (made now
// if the pool has fewer), and waits for them.
func (p *Pool) run(n int, f func(l *Loader)) error {
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
			if p.loaders[w] == nil {
				if p.loaders[w], errs[w] = p.newLoader(); errs[w] != nil {
					return
				}
			}
			f(p.loaders[w])
		}()
	}
	wg.Wait()
	for i, l := range p.loaders {
		if l == nil { // its newLoader failed: make it again next time
			p.loaders = slices.Delete(p.loaders, i, len(p.loaders))
			break
		}
	}
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
