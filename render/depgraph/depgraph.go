package depgraph

import (
	"fmt"
	"slices"
	"strings"
)

// Graph is a checked, acyclic dependency graph.
type Graph struct {
	deps  map[string][]string // sorted, unique
	order []string
	depth map[string]int
	anc   map[string][]string // transitive dependencies, sorted
}

// UnknownError is a dependency on a name the graph does not hold.
type UnknownError struct {
	Node, Dep string
	Known     []string
}

func (e *UnknownError) Error() string {
	return fmt.Sprintf("%s depends on %s, which does not exist (the names are %s)", e.Node, e.Dep, strings.Join(e.Known, ", "))
}

// CycleError is a dependency cycle; Path starts and ends with the same name.
type CycleError struct{ Path []string }

func (e *CycleError) Error() string {
	if len(e.Path) == 2 {
		return fmt.Sprintf("%s depends on itself", e.Path[0])
	}
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// New checks deps (each name mapped to what it depends on) and returns the
// graph. Every unknown dependency is reported; of the cycles, the one met
// first in name order.
func New(deps map[string][]string) (*Graph, error) {
	g := &Graph{deps: map[string][]string{}, depth: map[string]int{}, anc: map[string][]string{}}
	names := make([]string, 0, len(deps))
	for n := range deps {
		names = append(names, n)
	}
	slices.Sort(names)
	var unknown []error
	for _, n := range names {
		ds := slices.Clone(deps[n])
		slices.Sort(ds)
		ds = slices.Compact(ds)
		for _, d := range ds {
			if _, ok := deps[d]; !ok {
				unknown = append(unknown, &UnknownError{Node: n, Dep: d, Known: names})
			}
		}
		g.deps[n] = ds
	}
	if len(unknown) > 0 {
		return nil, joinErrors(unknown)
	}
	if c := g.cycle(names); c != nil {
		return nil, c
	}
	// Kahn's algorithm, the ready set kept sorted: dependencies first,
	// ties by name.
	pending := map[string]int{}
	dependents := map[string][]string{}
	for _, n := range names {
		pending[n] = len(g.deps[n])
		for _, d := range g.deps[n] {
			dependents[d] = append(dependents[d], n)
		}
	}
	var ready []string
	for _, n := range names {
		if pending[n] == 0 {
			ready = append(ready, n)
		}
	}
	for len(ready) > 0 {
		n := ready[0]
		ready = ready[1:]
		g.order = append(g.order, n)
		depth, anc := 0, []string{}
		for _, d := range g.deps[n] {
			depth = max(depth, g.depth[d]+1)
			anc = append(append(anc, d), g.anc[d]...)
		}
		slices.Sort(anc)
		g.depth[n], g.anc[n] = depth, slices.Compact(anc)
		for _, m := range dependents[n] {
			if pending[m]--; pending[m] == 0 {
				i, _ := slices.BinarySearch(ready, m)
				ready = slices.Insert(ready, i, m)
			}
		}
	}
	return g, nil
}

// cycle returns the first cycle found by a depth-first walk in name order.
func (g *Graph) cycle(names []string) *CycleError {
	const (
		unseen = iota
		onPath
		done
	)
	state := map[string]int{}
	var path []string
	var visit func(n string) *CycleError
	visit = func(n string) *CycleError {
		state[n] = onPath
		path = append(path, n)
		for _, d := range g.deps[n] {
			switch state[d] {
			case onPath:
				i := slices.Index(path, d)
				return &CycleError{Path: append(slices.Clone(path[i:]), d)}
			case unseen:
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = done
		return nil
	}
	for _, n := range names {
		if state[n] == unseen {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

// Order returns every name, dependencies before dependents, ties by name.
func (g *Graph) Order() []string { return slices.Clone(g.order) }

// Deps returns n's declared dependencies, sorted.
func (g *Graph) Deps(n string) []string { return slices.Clone(g.deps[n]) }

// Depth is 0 for a name without dependencies, else 1 + the largest depth
// of its dependencies.
func (g *Graph) Depth(n string) int { return g.depth[n] }

// Ancestors returns everything n depends on, directly or not, sorted.
func (g *Graph) Ancestors(n string) []string { return slices.Clone(g.anc[n]) }

// Reduce returns n's dependencies that no other dependency of n already
// depends on (the transitive reduction's edges from n), sorted.
func (g *Graph) Reduce(n string) []string {
	var out []string
	for _, d := range g.deps[n] {
		implied := false
		for _, o := range g.deps[n] {
			if o != d && slices.Contains(g.anc[o], d) {
				implied = true
				break
			}
		}
		if !implied {
			out = append(out, d)
		}
	}
	return out
}

// ReduceWithin is Reduce on the graph seen through in: n's dependencies,
// direct or not, for which in is true, less those another of them already
// depends on. A name for which in is false is looked through: its own
// dependencies stand for it (a component with nothing to wait for passes
// the wait on to what it depends on). With in always true it is Reduce.
func (g *Graph) ReduceWithin(n string, in func(string) bool) []string {
	var kept []string
	for _, a := range g.anc[n] {
		if in(a) {
			kept = append(kept, a)
		}
	}
	var out []string
	for _, d := range kept {
		implied := false
		for _, o := range kept {
			if o != d && slices.Contains(g.anc[o], d) {
				implied = true
				break
			}
		}
		if !implied {
			out = append(out, d)
		}
	}
	return out
}

// Dependents returns the names that depend on n directly, sorted.
func (g *Graph) Dependents(n string) []string {
	var out []string
	for _, m := range g.order {
		if slices.Contains(g.deps[m], n) {
			out = append(out, m)
		}
	}
	slices.Sort(out)
	return out
}

func joinErrors(errs []error) error {
	if len(errs) == 1 {
		return errs[0]
	}
	return multi(errs)
}

type multi []error

func (m multi) Error() string {
	s := make([]string, len(m))
	for i, e := range m {
		s[i] = e.Error()
	}
	return strings.Join(s, "\n")
}

func (m multi) Unwrap() []error { return m }
