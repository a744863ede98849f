package review

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/diff"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/tree"
)

// upgrades are the release changes between the base (files, whose index
// records each site's release) and the rendering, each with its module's
// verdict and, when allowed, the steps in order: what the module says
// comes first (a backup), the components that hold CRDs (Helm never
// upgrades CRDs), then every other component in graph order with its
// chart's versions.
func upgrades(files map[string][]byte, res *render.Result, desc string) ([]diff.Upgrade, error) {
	b, ok := files[output.IndexFile]
	if !ok {
		return nil, nil
	}
	idx, err := output.ParseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %s: %w", desc, output.IndexFile, err)
	}
	changes, err := render.ReleaseChanges(res, idx)
	if err != nil {
		return nil, err
	}
	var out []diff.Upgrade
	for _, c := range changes {
		u := diff.Upgrade{Site: c.Site, From: c.From, To: c.To, Allowed: !c.Refused(), Steps: []string{}}
		if !u.Allowed {
			u.Refusal = c.Explain(desc)
			out = append(out, u)
			continue
		}
		i := slices.IndexFunc(res.Sites, func(s render.SiteResult) bool { return s.Name == c.Site })
		u.Steps = append(u.Steps, c.Before...)
		u.Steps = append(u.Steps, upgradeSteps(res.Sites[i], oldCharts(files, c.Site, render.ClustersDir+"/"+res.Sites[i].Cluster))...)
		out = append(out, u)
	}
	return out, nil
}

// upgradeSteps orders a site's components for a release change: those
// holding CustomResourceDefinitions first, then the others in graph
// order, manual ones left out. A Helm component names its chart's old
// and new versions.
func upgradeSteps(s render.SiteResult, old map[string]string) []string {
	p := s.Plan()
	// A CRD's component: the one whose chart rendered it (the cluster
	// directory keeps no component), by its source.
	crds := map[string]int{}
	orphans := 0
	objs := slices.Clone(s.ClusterObjects)
	for _, f := range s.Tree {
		if f.Object.Doc != nil {
			objs = append(objs, f.Object)
		}
	}
	for _, ob := range objs {
		if ob.Kind() != "CustomResourceDefinition" {
			continue
		}
		i := slices.IndexFunc(p.Components, func(c profile.Component) bool {
			return c.Chart != nil && strings.HasPrefix(ob.Source, "chart "+c.Chart.Name+"@"+c.Chart.Version+" ")
		})
		if i < 0 {
			orphans++
			continue
		}
		crds[p.Components[i].Name]++
	}
	describe := func(name string) string {
		c := p.Component(name)
		if c == nil || c.Chart == nil {
			return "component " + name
		}
		was := old[c.Chart.Name]
		switch {
		case was == "":
			return fmt.Sprintf("component %s (chart %s %s)", name, c.Chart.Name, c.Chart.Version)
		case was == c.Chart.Version:
			return fmt.Sprintf("component %s (chart %s %s, unchanged)", name, c.Chart.Name, c.Chart.Version)
		}
		return fmt.Sprintf("component %s (chart %s %s -> %s)", name, c.Chart.Name, was, c.Chart.Version)
	}
	var steps, rest []string
	if orphans > 0 {
		steps = append(steps, fmt.Sprintf("apply the CRDs first (Helm never upgrades them): %d CustomResourceDefinition(s) in %s/%s/", orphans, render.ClustersDir, s.Cluster))
	}
	for _, name := range s.Tiers {
		c := p.Component(name)
		if c == nil || c.Manual {
			continue
		}
		if n := crds[name]; n > 0 {
			where := name + "/"
			if c.Account.ClusterAdmin {
				where = render.ClustersDir + "/" + s.Cluster + "/"
			}
			steps = append(steps, fmt.Sprintf("apply the CRDs first (Helm never upgrades them): %s, %d CustomResourceDefinition(s), in %s", describe(name), n, where))
			continue
		}
		rest = append(rest, describe(name))
	}
	if len(rest) > 0 {
		steps = append(steps, "then, each once the previous is ready: "+strings.Join(rest, ", "))
	}
	return steps
}

// oldCharts are the chart versions of the objects of the base's
// directories dirs (a site's and its cluster's), by chart name, read from
// the files' headers ("chart NAME@VERSION ...").
func oldCharts(files map[string][]byte, dirs ...string) map[string]string {
	out := map[string]string{}
	for _, dir := range dirs {
		var fs []tree.File
		for p, b := range files {
			if rel, ok := strings.CutPrefix(p, dir+"/"); ok && strings.HasSuffix(rel, ".yaml") {
				fs = append(fs, tree.File{Path: rel, Data: b})
			}
		}
		objs, err := tree.Parse(dir, fs, tree.Options{})
		if err != nil {
			continue // the diff itself reports a broken base
		}
		chartVersions(objs, out)
	}
	return out
}

func chartVersions(objs []tree.Object, out map[string]string) {
	for _, ob := range objs {
		src, ok := strings.CutPrefix(ob.Source, "chart ")
		if !ok {
			continue
		}
		ref, _, _ := strings.Cut(src, " ")
		if name, version, ok := strings.Cut(ref, "@"); ok {
			out[name] = version
		}
	}
}
