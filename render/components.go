package render

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/depgraph"
	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/kustomize"
	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/migrate"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/secretflow"
	"github.com/tpgen/tpgen/render/validate"
)

// siteCharts is where a site's charts come from: the profile's charts.path
// directory for the charts it holds, the module's for the others.
type siteCharts struct {
	dir  *chartsource.FS // nil without charts.path
	root *os.Root
	base chartsource.Source
	site *profile.Site // a chart with a repo comes from the lockfile (charts.go)
}

func (c siteCharts) get(name, version string) (*chart.Chart, error) {
	if c.local(name) {
		return c.dir.Get(name, version)
	}
	return c.base.Get(name, version)
}

// local says whether charts.path holds chart name.
func (c siteCharts) local(name string) bool {
	if c.dir == nil {
		return false
	}
	fi, err := c.root.Stat(name)
	return err == nil && fi.IsDir()
}

// renderComponents renders the plan's components in graph order (the
// dependencies first). Every object gets its component's name as Tier.
// A Helm component's capabilities hold the CRDs its ancestors render, and
// only those. pre are the charts and module directories readInputs read,
// by component (what is not there is read here); loaded are the charts,
// in order, for the input digest. converted are the warnings of the legacy objects of manifests
// components, converted as `tpgen migrate` would (convertLegacy).
func renderComponents(ctx context.Context, p *profile.Plan, g *depgraph.Graph, charts siteCharts, pre map[string]loadedChart, o Options) (objs []object.Object, loaded []loadedChart, converted []validate.Finding, err error) {
	byComp := map[string][]object.Object{}
	for _, name := range g.Order() {
		c := p.Component(name)
		var rendered []object.Object
		switch c.Kind {
		case profile.KindHelm:
			if c.Chart == nil {
				return nil, nil, nil, fmt.Errorf("component %s: kind helm without a chart (a module defect)", name)
			}
			if path := emptyValue(c.Values, ""); path != "" && c.Values != nil {
				return nil, nil, nil, fmt.Errorf("component %s: values for chart %s hold an empty or null value at %s\nhint: omit unset keys: an empty key wipes the chart's default", name, c.Chart.Name, path)
			}
			lc, ok := pre[name]
			if !ok {
				ch, pin, err := loadChart(ctx, *c.Chart, charts, o)
				if err != nil {
					return nil, nil, nil, fmt.Errorf("component %s: %w", name, err)
				}
				lc = loadedChart{name: c.Chart.Name, chart: ch, pin: pin}
			}
			ch := lc.chart
			loaded = append(loaded, lc)
			var before []object.Object
			for _, a := range g.Ancestors(name) {
				before = append(before, byComp[a]...)
			}
			release := c.Release
			if release == "" {
				release = c.Name
			}
			n := len(objs)
			// A chart whose values carry secret markers renders twice
			// (render/secretflow): a marker, or a value derived from one,
			// outside a Secret's data is an error.
			rendered, err = secretflow.Guard(c.Values, func(values map[string]any) ([]object.Object, error) {
				return helm.Render(ch, helm.Options{
					Release: release, Namespace: c.Namespace, Tier: name, Values: values,
					KubeVersion: p.KubeVersion, APIVersions: manifest.CRDVersions(before),
					Context: ctx, Time: o.EvalLimits.Time, Memory: o.EvalLimits.Memory,
					Cache: o.caches.helmCache(),
					Bound: func(docs int, bytes, largest int64) error {
						return o.Limits.checkChart(n+docs, bytes, largest)
					},
				})
			})
			if err != nil {
				return nil, nil, nil, fmt.Errorf("component %s: %w", name, err)
			}
		case profile.KindManifests, profile.KindKustomize:
			if c.Kind == profile.KindManifests && c.Path == "" && len(c.Objects) == 0 {
				return nil, nil, nil, fmt.Errorf("component %s: a manifests component without path or objects (a module defect)\nhint: give it a directory of the module (path) or the objects its plan computes (objects)", name)
			}
			if c.Path != "" {
				lc, ok := pre[name]
				if !ok {
					files, display, err := readModuleDir(o.moduleFS, c.Path, o.Limits.file())
					if err != nil {
						return nil, nil, nil, fmt.Errorf("component %s: %w", name, err)
					}
					lc = loadedChart{name: display, files: files}
				}
				files, display := lc.files, lc.name
				loaded = append(loaded, lc)
				if c.Kind == profile.KindKustomize {
					rendered, err = kustomize.Build(files, display)
				} else {
					rendered, err = manifests(files, display)
					if err == nil {
						var warns []validate.Finding
						warns, err = convertLegacy(rendered, p.KubeVersion, c.Namespace)
						converted = append(converted, warns...)
					}
				}
				if err != nil {
					return nil, nil, nil, fmt.Errorf("component %s: %w", name, err)
				}
			}
			inline, err := planObjects(name, c.Objects)
			if err != nil {
				return nil, nil, nil, err
			}
			rendered = append(rendered, inline...)
		default:
			return nil, nil, nil, fmt.Errorf("component %s: unknown kind %q (a module defect): want helm, manifests or kustomize", name, c.Kind)
		}
		for i := range rendered {
			rendered[i].Tier = componentDir(c)
		}
		byComp[name] = rendered
		objs = append(objs, rendered...)
		if err := o.Limits.checkRendered(len(objs), nil); err != nil {
			return nil, nil, nil, fmt.Errorf("component %s: %w", name, err)
		}
	}
	return objs, loaded, converted, nil
}

// planObjects returns the objects a manifests component's plan computes
// (components.<name>.objects), decoded as a manifest file is, so they
// hold the same types as every other object.
func planObjects(component string, docs []map[string]any) ([]object.Object, error) {
	var out []object.Object
	for i, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("component %s: objects[%d]: %w", component, i, err)
		}
		decoded, err := object.Decode(b)
		if err != nil || len(decoded) != 1 {
			return nil, fmt.Errorf("component %s: objects[%d]: not one object: %v", component, i, err)
		}
		out = append(out, object.Object{Doc: decoded[0], Source: fmt.Sprintf("plan components.%s.objects[%d]", component, i)})
	}
	return out, nil
}

// loadedChart is what a component was rendered from, for the input
// digest: a chart, or the files of a module directory.
type loadedChart struct {
	name  string
	chart *chart.Chart
	pin   string // a repository chart's lock entry (source, name, version, digest)
	files map[string][]byte
}

// manifests decodes the *.yaml and *.yml files of a manifests directory,
// in path order, each multi-document.
func manifests(files map[string][]byte, display string) ([]object.Object, error) {
	names := make([]string, 0, len(files))
	for n := range files {
		if ext := path.Ext(n); ext == ".yaml" || ext == ".yml" {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	var out []object.Object
	for _, n := range names {
		docs, err := object.Decode(files[n])
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", display, n, err)
		}
		for _, d := range docs {
			ob := object.Object{Doc: d, Source: "manifests " + display + "/" + n}
			if ob.Kind() == "" || ob.APIVersion() == "" || ob.Name() == "" {
				return nil, fmt.Errorf("%s/%s: a document without apiVersion, kind or metadata.name\nhint: every document of a manifests directory is one Kubernetes object", display, n)
			}
			out = append(out, ob)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s: no object in its *.yaml and *.yml files", display)
	}
	return out, nil
}

// convertLegacy converts, in place, the objects of a manifests component
// written on API versions Kubernetes no longer serves (render/migrate's
// Convert, for the site's kubeVersion): each conversion is a warning
// (check api-converted) naming the module file; an object migrate refuses
// is an error naming the file, the object and what to do. A namespaced
// object without a namespace is converted as if in the component's
// namespace (strict decoding wants one), and left without.
func convertLegacy(objs []object.Object, kubeVersion, namespace string) ([]validate.Finding, error) {
	target, err := kube.ParseRelease(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("converting legacy objects: %w", err)
	}
	var out []validate.Finding
	for _, ob := range objs {
		file := strings.TrimPrefix(ob.Source, "manifests ")
		meta, _ := ob.Doc["metadata"].(map[string]any)
		borrowed := meta != nil && ob.Namespace() == "" && !kube.ClusterScoped(ob.GroupKind())
		if borrowed {
			meta["namespace"] = namespace
		}
		id := ob.ID()
		notes, err := migrate.Convert(ob.Doc, target)
		if borrowed {
			delete(meta, "namespace")
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", file, id, err)
		}
		for _, n := range notes {
			out = append(out, validate.Finding{Severity: validate.SeverityWarning, Object: id, File: file, Source: ob.Source,
				Check: "api-converted", Message: n,
				Hint: "run `tpgen migrate` once on the module's manifests directory and commit its output"})
		}
	}
	return out, nil
}

// readModuleDir reads every regular file under dir of the module: bounded
// by lim, no link, no path out of the module. Keys are slash-separated
// paths relative to dir; display is how errors name the directory.
func readModuleDir(module fs.FS, dir string, lim fsguard.Limit) (map[string][]byte, string, error) {
	display := path.Clean(dir)
	if module == nil {
		return nil, display, fmt.Errorf("directory %s: the site's module has no directory to read it from", display)
	}
	if !fs.ValidPath(display) || display == "." {
		return nil, display, fmt.Errorf("path %q: want a directory inside the module (relative, without ..)", dir)
	}
	files := map[string][]byte{}
	err := fs.WalkDir(module, display, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		if !d.Type().IsRegular() {
			return fmt.Errorf("%s: %w (%s)", p, fsguard.ErrNotRegular, fsguard.Kind(d.Type()))
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if lim.Max > 0 && fi.Size() > lim.Max {
			return fmt.Errorf("%s: %w", p, fsguard.TooLarge(fi.Size(), lim))
		}
		b, err := fs.ReadFile(module, p)
		if err != nil {
			return err
		}
		if lim.Max > 0 && int64(len(b)) > lim.Max {
			return fmt.Errorf("%s: %w", p, fsguard.TooLarge(int64(len(b)), lim))
		}
		if ext := path.Ext(p); ext == ".yaml" || ext == ".yml" {
			if err := fsguard.DuplicateKeys(p, b); err != nil {
				return err
			}
		}
		files[strings.TrimPrefix(p, display+"/")] = b
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, display, fmt.Errorf("directory %s: not in the module\nhint: a component's path names a directory of its module, e.g. manifests/<name>", display)
	}
	if err != nil {
		return nil, display, fmt.Errorf("reading directory %s of the module: %w", display, err)
	}
	return files, display, nil
}

// componentDir is the site directory of a component's objects: its name,
// or manual/<name> for a manual one.
func componentDir(c *profile.Component) string {
	if c.Manual {
		return validate.ManualDir + "/" + c.Name
	}
	return c.Name
}
