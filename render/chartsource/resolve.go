package chartsource

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
)

// fileScheme marks a dependency Helm reads from a directory on disk.
const fileScheme = "file://"

// maxResolved bounds the charts one Resolve attaches: every path of the
// dependency graph gets its own copy (Helm's values processing writes into
// a chart), so a lattice of shared dependencies grows exponentially.
const maxResolved = 256

// Loader loads the chart in dir, a slash-separated path relative to a
// source's root, without resolving its dependencies.
type Loader func(dir string) (*chart.Chart, error)

// Resolve attaches to ch, as `helm dependency build` does, every dependency
// its Chart.yaml lists with a file:// repository that is not vendored in its
// charts/ directory (a vendored copy, matched by name as Helm matches it,
// keeps its place). The path is relative to dir, ch's directory inside the
// source's root, and is loaded by load from that root only: a path that
// leaves it (absolute, or through ..) is refused. The loaded chart must
// carry the dependency's name and a version its constraint accepts
// (Masterminds semver, as Helm); its own file:// dependencies are resolved
// the same way, and a chart that depends on itself through them is
// refused with the cycle. An attached chart's files are added to ch.Raw
// under charts/<name>/, where a vendored copy's files are, so a digest of
// Raw covers them. condition, tags and alias are left to Helm's
// ProcessDependencies at render; repositories other than file:// are left
// alone (render/helm refuses them when they are not vendored). where names
// the source's root in errors.
func Resolve(ch *chart.Chart, dir, where string, load Loader) error {
	dir = path.Clean(dir)
	n := 0
	return resolve(ch, dir, where, load, []string{dir}, &n)
}

func resolve(ch *chart.Chart, dir, where string, load Loader, stack []string, n *int) error {
	vendored := map[string]bool{}
	for _, v := range ch.Dependencies() {
		vendored[v.Name()] = true
	}
	type attachedDep struct {
		dir   string
		chart *chart.Chart
	}
	attached := map[string]attachedDep{}
	for _, d := range ch.Metadata.Dependencies {
		if d == nil || vendored[d.Name] || !strings.HasPrefix(d.Repository, fileScheme) {
			continue
		}
		at := fmt.Sprintf("%s/Chart.yaml: dependency %s %s (%s)", dir, d.Name, d.Version, d.Repository)
		rel := strings.TrimPrefix(d.Repository, fileScheme)
		p := path.Join(dir, rel)
		if path.IsAbs(rel) || p == ".." || strings.HasPrefix(p, "../") {
			return fmt.Errorf("%s: the path %s leaves %s\nhint: a file:// dependency is read from the same chart source: put chart %s beside %s (repository: file://../%s), or vendor it in %s/charts/", at, rel, where, d.Name, dir, d.Name, dir)
		}
		if p == "." {
			return fmt.Errorf("%s: the path %s names the root of %s, not a chart\nhint: name the chart's directory, e.g. file://../%s", at, rel, where, d.Name)
		}
		if i := slices.Index(stack, p); i >= 0 {
			return fmt.Errorf("%s: a dependency cycle: %s\nhint: a chart cannot depend on itself; remove one of these file:// dependencies", at, strings.Join(append(slices.Clone(stack[i:]), p), " -> "))
		}
		dep, ok := attached[d.Name]
		if ok && dep.dir != p {
			return fmt.Errorf("%s: %s is already read from %s\nhint: list each dependency name from one path; use alias for a second instance", at, d.Name, dep.dir)
		}
		if !ok {
			if *n++; *n > maxResolved {
				return fmt.Errorf("%s: more than %d file:// dependencies to attach\nhint: vendor the dependencies with `helm dependency build`, or share fewer charts between dependencies", at, maxResolved)
			}
			c, err := load(p)
			if errors.Is(err, fs.ErrNotExist) {
				return fmt.Errorf("%s: no chart at %s in %s\nhint: put chart %s at %s, or correct the repository path", at, p, where, d.Name, p)
			}
			if err != nil {
				return fmt.Errorf("%s: %w", at, err)
			}
			if c.Name() != d.Name {
				return fmt.Errorf("%s: the chart at %s is named %s\nhint: Helm matches a dependency by its chart's name; correct the name or the path", at, p, c.Name())
			}
			if err := resolve(c, p, where, load, append(slices.Clone(stack), p), n); err != nil {
				return err
			}
			dep = attachedDep{dir: p, chart: c}
		}
		if err := checkVersion(d, dep.chart, at, p); err != nil {
			return err
		}
		if ok {
			continue
		}
		attached[d.Name] = dep
		ch.AddDependency(dep.chart)
		for _, f := range dep.chart.Raw {
			ch.Raw = append(ch.Raw, &chart.File{Name: "charts/" + d.Name + "/" + f.Name, Data: f.Data})
		}
	}
	return nil
}

// checkVersion checks dep's version against d's constraint, as `helm
// dependency build` does for a file:// dependency.
func checkVersion(d *chart.Dependency, dep *chart.Chart, at, dir string) error {
	c, err := semver.NewConstraint(d.Version)
	if err != nil {
		return fmt.Errorf("%s: version %q is not a version constraint: %v\nhint: write a version or a range, e.g. %s or ~%s", at, d.Version, err, dep.Metadata.Version, dep.Metadata.Version)
	}
	v, err := semver.NewVersion(dep.Metadata.Version)
	if err != nil {
		return fmt.Errorf("%s: the chart at %s has version %q, not a semantic version", at, dir, dep.Metadata.Version)
	}
	if !c.Check(v) {
		return fmt.Errorf("%s: the chart at %s is version %s, which %s does not accept\nhint: bring the dependency's version in Chart.yaml and the chart's version together", at, dir, v.Original(), d.Version)
	}
	return nil
}
