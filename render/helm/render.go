package helm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"

	"github.com/tpgen/tpgen/render/object"
)

// Options are the inputs of one chart rendering.
type Options struct {
	Release   string
	Namespace string
	// Tier is copied into every object.
	Tier   string
	Values map[string]any
	// KubeVersion is "1.NN".
	KubeVersion string
	// APIVersions are added to Helm's built-in set, as "group/version" and
	// "group/version/Kind", so .Capabilities.APIVersions.Has works offline.
	APIVersions []string
	// Bound, if set, is given what the templates produced before any of it
	// is parsed: the number of YAML documents, their bytes and the size of
	// the largest one. Its error stops the rendering, so a chart that
	// emits 100k objects or a 300 MB value costs its template run, not a
	// parse of its output.
	Bound func(docs int, bytes, largest int64) error
	// Context stops the template run when cancelled (nil: never).
	Context context.Context
	// Time and Memory bound the template run: its wall-clock time and how
	// much it may grow the Go heap (sampled every few milliseconds, for
	// the whole process); zero means DefaultTime and DefaultMemory.
	Time   time.Duration
	Memory int64
	// Cache, if set, memoizes renderings across calls (see Cache).
	Cache *Cache
}

// Render renders ch and returns its objects in template-name order.
func Render(ch *chart.Chart, o Options) ([]object.Object, error) {
	id := ch.Metadata.Name + "@" + ch.Metadata.Version
	if err := refuseMissingDependencies(ch); err != nil {
		return nil, fmt.Errorf("rendering chart %s: %w", id, err)
	}
	var key [32]byte
	cacheable := false
	if o.Cache != nil {
		key, cacheable = cacheKey(ch, o)
	}
	if cacheable {
		if e := o.Cache.get(key); e != nil {
			if o.Bound != nil {
				if err := o.Bound(e.docs, e.bytes, e.largest); err != nil {
					return nil, fmt.Errorf("rendering chart %s: %w", id, err)
				}
			}
			return e.copies(o.Tier), nil
		}
	}
	// As helm install and template do: drop the subcharts whose condition
	// or tags the values turn off, apply aliases and import-values.
	if err := chartutil.ProcessDependenciesWithMerge(ch, o.Values); err != nil {
		return nil, fmt.Errorf("rendering chart %s: processing dependencies: %w", id, err)
	}
	caps, err := capabilities(o.KubeVersion, o.APIVersions)
	if err != nil {
		return nil, err
	}
	vals, err := chartutil.ToRenderValues(ch, o.Values, chartutil.ReleaseOptions{
		Name: o.Release, Namespace: o.Namespace, Revision: 1, IsInstall: true,
	}, caps)
	if err != nil {
		return nil, fmt.Errorf("rendering chart %s: computing values: %w", id, err)
	}
	files, err := renderBounded(ch, vals, o)
	if err != nil {
		return nil, fmt.Errorf("rendering chart %s: %w", id, explainRefusal(ch, err))
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var docs int
	var bytes, largest int64
	if o.Bound != nil || cacheable {
		for _, n := range names {
			if strings.HasSuffix(n, "NOTES.txt") {
				continue
			}
			d, l := documents(files[n])
			docs += d
			bytes += int64(len(files[n]))
			largest = max(largest, l)
		}
	}
	if o.Bound != nil {
		if err := o.Bound(docs, bytes, largest); err != nil {
			return nil, fmt.Errorf("rendering chart %s: %w", id, err)
		}
	}
	var out []object.Object
	for _, n := range names {
		if strings.HasSuffix(n, "NOTES.txt") || strings.TrimSpace(files[n]) == "" {
			continue
		}
		tpl := strings.TrimPrefix(n, ch.Metadata.Name+"/")
		objs, err := decode(files[n], o.Tier, "chart "+id+" "+tpl)
		if err != nil {
			return nil, fmt.Errorf("rendering chart %s: %s: %w", id, tpl, err)
		}
		out = append(out, objs...)
	}
	for _, crd := range ch.CRDObjects() {
		objs, err := decode(string(crd.File.Data), o.Tier, "chart "+id+" "+crd.Filename)
		if err != nil {
			return nil, fmt.Errorf("rendering chart %s: %s: %w", id, crd.Filename, err)
		}
		out = append(out, objs...)
	}
	if cacheable {
		// A kept entry holds documents no stage changes: the caller gets
		// copies. Most renderings are not kept (first seen, or too large)
		// and need none.
		if e := (&cacheEntry{objs: out, docs: docs, bytes: bytes, largest: largest}); o.Cache.put(key, e) {
			out = e.copies(o.Tier)
		}
	}
	return out, nil
}

// renderSafely turns a panic inside the template engine into an error.
func renderSafely(ch *chart.Chart, vals chartutil.Values) (files map[string]string, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("template engine panic: %v", r)
		}
	}()
	return engine.Engine{}.Render(ch, vals)
}

func capabilities(kube string, extra []string) (*chartutil.Capabilities, error) {
	major, minor, ok := strings.Cut(kube, ".")
	if !ok || major == "" || minor == "" {
		return nil, fmt.Errorf("kubernetes version %q: want MAJOR.MINOR", kube)
	}
	versions := slices.Clone(chartutil.DefaultVersionSet)
	versions = append(versions, extra...)
	slices.Sort(versions)
	versions = slices.Compact(versions)
	return &chartutil.Capabilities{
		KubeVersion: chartutil.KubeVersion{Version: "v" + kube + ".0", Major: major, Minor: minor},
		APIVersions: versions,
		HelmVersion: chartutil.DefaultCapabilities.HelmVersion,
	}, nil
}

// documents counts the YAML documents of src (a line starting with "---"
// separates them; a document of comments only is none) and returns the
// size of the largest, without parsing.
func documents(src string) (n int, largest int64) {
	start, content := 0, false
	end := func(at int) {
		if content {
			n++
			largest = max(largest, int64(at-start))
		}
	}
	for i := 0; i < len(src); {
		lineEnd := len(src)
		if j := strings.IndexByte(src[i:], '\n'); j >= 0 {
			lineEnd = i + j
		}
		line := src[i:lineEnd]
		switch t := strings.TrimSpace(line); {
		case strings.HasPrefix(line, "---"):
			end(i)
			start, content = lineEnd, false
		case t != "" && t[0] != '#':
			content = true
		}
		i = lineEnd + 1
	}
	end(len(src))
	return n, largest
}

// decode splits src into documents as Helm does (releaseutil's separator:
// a line starting with "---", whatever follows it on the line, so "---#
// comment" left by a trimming action separates too) and decodes them. Each
// document keeps its final newline (a block scalar ending the document
// keeps its "|", where Helm's trimming would make it "|-").
func decode(src, tier, source string) ([]object.Object, error) {
	var docs []map[string]any
	for i, part := range splitHelm(src) {
		d, err := object.Decode([]byte(part))
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, errors.New(strings.TrimPrefix(err.Error(), "document 1: ")))
		}
		docs = append(docs, d...)
	}
	var out []object.Object
	for i, d := range docs {
		o := object.Object{Tier: tier, Source: source, Doc: d}
		if o.APIVersion() == "" || o.Kind() == "" || o.Name() == "" {
			return nil, fmt.Errorf("document %d: every object needs apiVersion, kind and metadata.name", i+1)
		}
		if isTestHook(o) {
			continue
		}
		out = append(out, o)
	}
	return out, nil
}

func isTestHook(o object.Object) bool {
	h, _ := o.Annotations()["helm.sh/hook"].(string)
	for _, p := range strings.Split(h, ",") {
		if strings.HasPrefix(strings.TrimSpace(p), "test") {
			return true
		}
	}
	return false
}

// splitHelm splits src at every line that starts with "---".
func splitHelm(src string) []string {
	var docs []string
	var cur strings.Builder
	for _, line := range strings.SplitAfter(src, "\n") {
		if strings.HasPrefix(line, "---") {
			docs = append(docs, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	return append(docs, cur.String())
}
