package render

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render/depgraph"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// ComponentValues are the values one Helm component of a site is rendered
// with, as the plan computes them: what `tpgen values` prints.
type ComponentValues struct {
	Site      string
	Profile   string // the profile file, slash-separated
	Component string
	Namespace string
	Release   string // the Helm release name
	Chart     string
	Version   string
	// Source says where the chart comes from: the module's charts, the
	// profile's charts.path, or a repository.
	Source string
	Values map[string]any
}

// Values computes the values of every Helm component of the selected
// sites (all when o.Sites is empty), in site order then graph order;
// components, when set, keeps only the components of those names, and
// one that no selected site has is an error. Nothing is rendered: the
// values are the plan's, refused as render refuses them (an empty or null
// value). Secret-carrying keys hold what the plan gives them (references,
// never values: the profile accepts no secret value).
func Values(ctx context.Context, o Options, components []string) ([]ComponentValues, error) {
	sites, plans, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	var out []ComponentValues
	var errs []error
	seen := map[string]bool{}
	var all []string
	for i, s := range sites {
		if len(o.Sites) > 0 && !slices.Contains(o.Sites, s.Name) {
			continue // a site of the cluster, not asked for
		}
		p := plans[i]
		vals, err := siteValues(s, p)
		if err != nil {
			errs = append(errs, &SiteError{Site: s.Name, File: s.Source.File, Err: err})
			continue
		}
		for _, v := range vals {
			if !slices.Contains(all, v.Component) {
				all = append(all, v.Component)
			}
			if len(components) == 0 || slices.Contains(components, v.Component) {
				seen[v.Component] = true
				out = append(out, v)
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	var missing []string
	for _, c := range components {
		if !seen[c] && !slices.Contains(missing, c) {
			missing = append(missing, c)
		}
	}
	if len(missing) > 0 {
		slices.Sort(all)
		return nil, fmt.Errorf("no Helm component named %s in the selected sites\nhint: --component takes the name of a component with a chart: %s", strings.Join(missing, ", "), strings.Join(all, ", "))
	}
	return out, nil
}

// siteValues returns the values of the site's Helm components in graph
// order.
func siteValues(s *profile.Site, p *profile.Plan) ([]ComponentValues, error) {
	g, err := p.Graph(s.Source.File)
	if err != nil {
		return nil, err
	}
	return componentValues(s, p, g)
}

func componentValues(s *profile.Site, p *profile.Plan, g *depgraph.Graph) ([]ComponentValues, error) {
	var out []ComponentValues
	for _, name := range g.Order() {
		c := p.Component(name)
		if c.Kind != profile.KindHelm {
			continue
		}
		if c.Chart == nil {
			return nil, fmt.Errorf("component %s: kind helm without a chart (a module defect)", name)
		}
		if at := emptyValue(c.Values, ""); at != "" && c.Values != nil {
			return nil, fmt.Errorf("component %s: values for chart %s hold an empty or null value at %s\nhint: omit unset keys: an empty key wipes the chart's default", name, c.Chart.Name, at)
		}
		release := c.Release
		if release == "" {
			release = c.Name
		}
		out = append(out, ComponentValues{
			Site: s.Name, Profile: filepath.ToSlash(s.Source.File), Component: name, Namespace: c.Namespace,
			Release: release, Chart: c.Chart.Name, Version: c.Chart.Version, Source: chartOrigin(s, p, *c.Chart),
			Values: c.Values,
		})
	}
	return out, nil
}

// chartOrigin says where a site's chart comes from, as render chooses it
// (siteCharts): the profile's charts.path when it holds the chart, else a
// repository's, else the module's.
func chartOrigin(s *profile.Site, p *profile.Plan, c profile.ChartRef) string {
	if p.ChartsDir != "" {
		dir := filepath.Join(filepath.Dir(s.Source.File), p.ChartsDir)
		if fi, err := os.Stat(filepath.Join(dir, c.Name)); err == nil && fi.IsDir() {
			return "charts.path " + filepath.ToSlash(dir)
		}
	}
	if c.Repo != "" {
		return "repository " + c.Repo
	}
	m := s.Module
	if m == nil {
		m = module.Default()
	}
	return "module " + m.Name + " charts"
}

// Encode returns the values as a YAML file `helm template -f` reads: a
// comment header naming the site, component, chart and where it comes
// from, then the values with sorted keys.
func (v ComponentValues) Encode() ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Values of site %s, component %s: chart %s@%s (%s), release %s in namespace %s.\n", v.Site, v.Component, v.Chart, v.Version, v.Source, v.Release, v.Namespace)
	fmt.Fprintf(&b, "# Computed by tpgen from %s. Secret-carrying keys hold references, never values.\n", v.Profile)
	fmt.Fprintf(&b, "# Use: helm template %s <path to chart %s %s> --namespace %s -f <this file>\n", v.Release, v.Chart, v.Version, v.Namespace)
	vals := v.Values
	if vals == nil {
		vals = map[string]any{}
	}
	y, err := yaml.Marshal(vals)
	if err != nil {
		return nil, fmt.Errorf("encoding the values of component %s of site %s: %w", v.Component, v.Site, err)
	}
	b.Write(y)
	return b.Bytes(), nil
}

// ValuesFile is where WriteValues puts v in its directory.
func (v ComponentValues) ValuesFile() string {
	return path.Join(v.Site, v.Component+".values.yaml")
}

// WriteValues writes each values file into dir (created if missing) as
// <site>/<component>.values.yaml: every file is encoded before the first
// is written, each is written to a temporary file beside it and renamed
// into place, and nothing outside dir is created or written (dir is
// opened as an os.Root: a link leading out of it is refused). Other files
// of dir are left alone.
func WriteValues(dir string, vals []ComponentValues) error {
	files := make(map[string][]byte, len(vals))
	names := make([]string, 0, len(vals))
	for _, v := range vals {
		b, err := v.Encode()
		if err != nil {
			return err
		}
		files[v.ValuesFile()] = b
		names = append(names, v.ValuesFile())
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return fmt.Errorf("opening %s: %w", dir, err)
	}
	defer root.Close()
	for _, name := range names {
		if err := writeAtomic(root, name, files[name]); err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Join(dir, filepath.FromSlash(name)), err)
		}
	}
	return nil
}

// writeAtomic writes b to name in root through a temporary file renamed
// over it, so a reader sees the old file or the new one, never a part.
func writeAtomic(root *os.Root, name string, b []byte) error {
	if err := root.MkdirAll(path.Dir(name), 0o755); err != nil {
		return err
	}
	if fi, err := root.Lstat(name); err == nil && !fi.Mode().IsRegular() {
		return fmt.Errorf("%w: not a regular file (%s); remove it first", fs.ErrExist, fi.Mode().Type())
	}
	tmp := path.Join(path.Dir(name), ".tpgen-tmp-"+path.Base(name))
	if err := root.WriteFile(tmp, b, 0o644); err != nil {
		return err
	}
	if err := root.Rename(tmp, name); err != nil {
		_ = root.Remove(tmp)
		return err
	}
	return nil
}
