package profile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"

	"github.com/tpgen/tpgen/render/depgraph"
)

// ReservedComponents are names a component may not take: the site
// directory's manual/ and gitops/ directories.
var ReservedComponents = []string{"gitops", "manual"}

// PlanError is a defect of a site's plan found by the engine (its
// component graph, its namespaces): the module's to fix, or the profile's
// when the module computes the graph from it.
type PlanError struct {
	Site string
	File string // the site's profile
	// Component and Field say where: components.<Component>.<Field>.
	Component string
	Field     string
	Msg       string
	Hint      string
}

func (e *PlanError) Error() string {
	where := "components." + e.Component
	if e.Field != "" {
		where += "." + e.Field
	}
	s := fmt.Sprintf("plan of site %s (%s): %s: %s", e.Site, e.File, where, e.Msg)
	if e.Hint != "" {
		s += "\nhint: " + e.Hint
	}
	return s
}

// Component returns the component named n, or nil.
func (p *Plan) Component(n string) *Component {
	i := slices.IndexFunc(p.Components, func(c Component) bool { return c.Name == n })
	if i < 0 {
		return nil
	}
	return &p.Components[i]
}

// Graph checks the plan's components and returns their dependency graph:
// names not reserved, namespaces declared, dependencies known and
// acyclic, no synced component depending on a manual one. file is the
// site's profile, for the messages.
func (p *Plan) Graph(file string) (*depgraph.Graph, error) {
	pe := func(c, field, msg, hint string) error {
		return &PlanError{Site: p.Site, File: file, Component: c, Field: field, Msg: msg, Hint: hint}
	}
	var errs []error
	declared := make([]string, 0, len(p.Namespaces))
	for _, n := range p.Namespaces {
		declared = append(declared, n.Name)
	}
	deps := map[string][]string{}
	for _, c := range p.Components {
		deps[c.Name] = c.DependsOn
		if slices.Contains(ReservedComponents, c.Name) {
			errs = append(errs, pe(c.Name, "", fmt.Sprintf("the component name %s is reserved (the site directory's %s/ directory)", c.Name, c.Name),
				"rename the component; "+strings.Join(ReservedComponents, " and ")+" are reserved"))
		}
		if !slices.Contains(declared, c.Namespace) {
			errs = append(errs, pe(c.Name, "namespace", fmt.Sprintf("namespace %s is not declared (the plan declares %s)", c.Namespace, list(declared)),
				fmt.Sprintf("add %s to the plan's namespaces, or put the component in a declared one", c.Namespace)))
		}
	}
	if len(p.Components) == 0 {
		errs = append(errs, &PlanError{Site: p.Site, File: file, Msg: "the plan has no components", Hint: "a module's #Plan declares components (see README, Components and clusters)"})
	}
	g, err := depgraph.New(deps)
	if err != nil {
		errs = append(errs, graphError(p.Site, file, err)...)
	} else {
		for _, c := range p.Components {
			if c.Manual {
				continue
			}
			for _, d := range c.DependsOn {
				if dc := p.Component(d); dc != nil && dc.Manual {
					errs = append(errs, pe(c.Name, "dependsOn", fmt.Sprintf("component %s is synced but depends on the manual component %s, which is never applied", c.Name, d),
						fmt.Sprintf("make %s manual too, or remove %s from components.%s.dependsOn", c.Name, d, c.Name)))
				}
			}
		}
	}
	if len(errs) > 0 {
		return nil, sortedJoin(errs)
	}
	return g, nil
}

// graphError turns depgraph's errors into PlanErrors.
func graphError(site, file string, err error) []error {
	var out []error
	var unknown *depgraph.UnknownError
	var cycle *depgraph.CycleError
	var errs []error
	if m, ok := err.(interface{ Unwrap() []error }); ok {
		errs = m.Unwrap()
	} else {
		errs = []error{err}
	}
	for _, e := range errs {
		switch {
		case errors.As(e, &unknown):
			out = append(out, &PlanError{Site: site, File: file, Component: unknown.Node, Field: "dependsOn",
				Msg:  fmt.Sprintf("%s depends on %s, which is not a component (the components are %s)", unknown.Node, unknown.Dep, list(unknown.Known)),
				Hint: fmt.Sprintf("correct the name in components.%s.dependsOn", unknown.Node)})
		case errors.As(e, &cycle):
			out = append(out, &PlanError{Site: site, File: file, Component: cycle.Path[0], Field: "dependsOn",
				Msg:  cycle.Error(),
				Hint: "remove one dependency of the cycle"})
		default:
			out = append(out, fmt.Errorf("plan of site %s (%s): %w", site, file, e))
		}
	}
	return out
}

// graphErrors explains a plan that does not evaluate when its component
// graph is the cause: a cycle or an unknown dependency (found from the
// dependsOn lists alone), or a component reading uses.<name> of a
// component it does not depend on. It returns nil for any other failure.
func graphErrors(s *Site, v cue.Value, cerr error) error {
	it, err := v.LookupPath(cue.ParsePath("components")).Fields()
	if err != nil {
		return nil
	}
	deps := map[string][]string{}
	for it.Next() {
		var d []string
		_ = it.Value().LookupPath(cue.ParsePath("dependsOn")).Decode(&d)
		deps[it.Selector().Unquoted()] = d
	}
	if _, err := depgraph.New(deps); err != nil {
		return sortedJoin(graphError(s.Name, s.Source.File, err))
	}
	var errs []error
	seen := map[string]bool{}
	for _, e := range cueerrors.Errors(cerr) {
		format, args := e.Msg()
		if format != "undefined field: %s" || len(args) != 1 {
			continue
		}
		y := strings.Trim(fmt.Sprint(args[0]), `"`)
		path := e.Path()
		i := slices.Index(path, "components")
		if _, ok := deps[y]; !ok || i < 0 || i+1 >= len(path) {
			continue
		}
		x := path[i+1]
		if _, ok := deps[x]; !ok || slices.Contains(deps[x], y) || seen[x+"/"+y] {
			continue
		}
		seen[x+"/"+y] = true
		errs = append(errs, &PlanError{Site: s.Name, File: s.Source.File, Component: x,
			Msg:  fmt.Sprintf("component %s reads uses.%s but does not depend on %s", x, y, y),
			Hint: fmt.Sprintf("add %s to components.%s.dependsOn", y, x)})
	}
	if len(errs) == 0 {
		return nil
	}
	return sortedJoin(errs)
}

func list(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// sortedJoin joins errs sorted by message, so the output is stable.
func sortedJoin(errs []error) error {
	slices.SortStableFunc(errs, func(a, b error) int { return strings.Compare(a.Error(), b.Error()) })
	return errors.Join(errs...)
}
