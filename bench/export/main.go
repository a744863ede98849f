// Command export writes the inputs of the CLI pipeline that
// bench/cli-pipeline.sh compares tpgen with: a generated fleet of N sites
// (internal/testfleet, the fleet of render's BenchmarkRender100) and, per
// site, what tpgen renders it from, for `helm template` and `kustomize
// build` to do the same work: per Helm component the chart (vendored with
// its file:// dependencies), the values tpgen computed, the release, the
// namespace and the Capabilities (the Kubernetes version, the API versions
// of the CRDs its ancestors render), and a kustomization listing the
// rendered tiers with the Components tpgen applies. It also writes the
// number of objects tpgen renders for the site, which the script checks.
//
//	go run ./bench/export -n 100 -o DIR
//
// Layout: DIR/fleet/ (profiles), DIR/charts/, DIR/overlays/, and
// DIR/sites/<site>/{run.sh,values-<tier>.json,kustomization.yaml,expected}.
// run.sh runs in its directory and needs helm and kustomize on PATH.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
)

func main() {
	n := flag.Int("n", 100, "sites in the generated fleet")
	out := flag.String("o", "", "output directory (created)")
	module := flag.String("module", "modules/thingpark-enterprise", "the fleet's module directory (charts/, overlays/)")
	flag.Parse()
	if *out == "" {
		fmt.Fprintln(os.Stderr, "usage: export -n N -o DIR")
		os.Exit(2)
	}
	if err := run(*n, *out, *module); err != nil {
		fmt.Fprintln(os.Stderr, "export:", err)
		os.Exit(1)
	}
}

// tb lets testfleet.Write, made for tests, write outside one.
type tb struct{ testing.TB }

func (tb) Helper()           {}
func (tb) Fatal(args ...any) { panic(fmt.Sprint(args...)) }

func run(n int, out, module string) error {
	fleet := filepath.Join(out, "fleet")
	if err := os.MkdirAll(fleet, 0o755); err != nil {
		return err
	}
	testfleet.Write(tb{}, fleet, n)
	res, err := render.Run(context.Background(), render.Options{Paths: []string{fleet}})
	if err != nil {
		return fmt.Errorf("rendering the fleet: %w", err)
	}
	if err := copyDir(filepath.Join(module, "overlays"), filepath.Join(out, "overlays")); err != nil {
		return err
	}
	charts := map[string]bool{}
	for _, s := range res.Sites {
		if err := site(out, module, s, charts); err != nil {
			return fmt.Errorf("site %s: %w", s.Name, err)
		}
	}
	return nil
}

func site(out, module string, s render.SiteResult, charts map[string]bool) error {
	p := s.Plan()
	g, err := p.Graph(s.Profile)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, "sites", s.Name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	// The objects each chart rendered (their Source names it), for the
	// CRDs of a component's ancestors.
	var all []object.Object
	for _, f := range s.Tree {
		if f.Object.Doc != nil {
			all = append(all, f.Object)
		}
	}
	all = append(all, s.ClusterObjects...)
	byChart := func(c *profile.Component) []object.Object {
		var objs []object.Object
		for _, ob := range all {
			if c.Chart != nil && strings.HasPrefix(ob.Source, "chart "+c.Chart.Name+"@") {
				objs = append(objs, ob)
			}
		}
		return objs
	}
	var script strings.Builder
	script.WriteString("#!/bin/sh\n# helm template per component, then kustomize build (bench/cli-pipeline.sh)\nset -e\ncd \"$(dirname \"$0\")\"\n")
	var resources []string
	for _, name := range g.Order() {
		c := p.Component(name)
		if c.Kind != profile.KindHelm {
			return fmt.Errorf("component %s: kind %s: the comparison covers helm components only", name, c.Kind)
		}
		if !charts[c.Chart.Name] {
			if err := vendorChart(filepath.Join(module, "charts"), c.Chart.Name, filepath.Join(out, "charts", c.Chart.Name)); err != nil {
				return err
			}
			charts[c.Chart.Name] = true
		}
		vals, err := json.Marshal(c.Values)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, "values-"+name+".json"), vals, 0o644); err != nil {
			return err
		}
		var before []object.Object
		for _, a := range g.Ancestors(name) {
			before = append(before, byChart(p.Component(a))...)
		}
		release := c.Release
		if release == "" {
			release = c.Name
		}
		fmt.Fprintf(&script, "helm template %s ../../charts/%s --namespace %s --values values-%s.json --kube-version %s --include-crds --skip-tests",
			release, c.Chart.Name, c.Namespace, name, p.KubeVersion)
		for _, v := range manifest.CRDVersions(before) {
			fmt.Fprintf(&script, " --api-versions %s", v)
		}
		fmt.Fprintf(&script, " > %s.yaml\n", name)
		resources = append(resources, name+".yaml")
	}
	var comps []string
	for _, c := range p.Overlays {
		comps = append(comps, "../../overlays/"+c)
	}
	k, err := yaml.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
		"resources": resources, "components": comps,
	})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "kustomization.yaml"), k, 0o644); err != nil {
		return err
	}
	script.WriteString("kustomize build . > out.yaml\n")
	script.WriteString("got=$(grep -c '^kind:' out.yaml)\nif [ \"$got\" != \"$(cat expected)\" ]; then echo \"" + s.Name + ": $got objects, tpgen renders $(cat expected)\" >&2; exit 1; fi\n")
	// The charts render a Secret from each secret marker of their values,
	// which tpgen then delivers: under the preCreated workflow (the
	// generated fleet's) it leaves them out of the tree (README "Secrets charts take by value");
	// helm template keeps them.
	expected := s.Objects
	if w := p.Secrets.Workflow; w == "" || w == "preCreated" {
		expected += len(s.Delivered)
	}
	if err := os.WriteFile(filepath.Join(dir, "expected"), fmt.Appendf(nil, "%d\n", expected), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "run.sh"), []byte(script.String()), 0o755)
}

// vendorChart copies chart name from charts to dst, with its file://
// dependencies under dst/charts/, as `helm dependency build` would.
func vendorChart(charts, name, dst string) error {
	if err := copyDir(filepath.Join(charts, name), dst); err != nil {
		return err
	}
	b, err := os.ReadFile(filepath.Join(charts, name, "Chart.yaml"))
	if err != nil {
		return err
	}
	var meta struct {
		Dependencies []struct{ Name, Repository string }
	}
	if err := yaml.Unmarshal(b, &meta); err != nil {
		return err
	}
	for _, d := range meta.Dependencies {
		rel, ok := strings.CutPrefix(d.Repository, "file://")
		if !ok {
			return fmt.Errorf("chart %s: dependency %s from %s: only file:// dependencies are vendored", name, d.Name, d.Repository)
		}
		src := filepath.Join(charts, name, rel)
		if err := vendorChart(filepath.Dir(src), filepath.Base(src), filepath.Join(dst, "charts", d.Name)); err != nil {
			return err
		}
	}
	return nil
}

func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if d.IsDir() {
			return os.MkdirAll(filepath.Join(dst, rel), 0o755)
		}
		if slices.Contains([]string{".go"}, filepath.Ext(p)) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dst, rel), b, 0o644)
	})
}
