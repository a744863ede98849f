package helm

import (
	"fmt"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"
)

// refuseMissingDependencies fails when a dependency listed in Chart.yaml
// (of ch or of a vendored subchart) is not vendored in the chart's charts/
// directory. Helm's engine would silently render without it, and helm
// itself would download it; tpgen does neither (the same rule as `helm
// install`'s "found in Chart.yaml, but missing in charts/ directory").
// render/chartsource has already attached the chart's file://
// dependencies, matched by name as here, so what is left is a dependency
// from a repository, or one of a vendored subchart (Helm builds only the
// top chart's).
func refuseMissingDependencies(ch *chart.Chart) error {
	var problems []string
	var visit func(c *chart.Chart, prefix string)
	visit = func(c *chart.Chart, prefix string) {
		for _, d := range c.Metadata.Dependencies {
			if d == nil {
				continue
			}
			if !slices.ContainsFunc(c.Dependencies(), func(v *chart.Chart) bool { return v.Name() == d.Name }) {
				where := d.Repository
				if where == "" {
					where = "no repository"
				}
				problems = append(problems, fmt.Sprintf("%sChart.yaml: dependency %s %s (%s) is not vendored in %scharts/", prefix, d.Name, d.Version, where, prefix))
			}
		}
		for _, v := range c.Dependencies() {
			visit(v, prefix+"charts/"+v.Name()+"/")
		}
	}
	visit(ch, "")
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("%s\nhint: vendor the dependencies into the chart with `helm dependency build` (render never downloads charts)", strings.Join(problems, "\n"))
}
