package render_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/memo"
	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/secretflow"
)

func benchRender(b *testing.B, paths []string, sites []string) {
	b.ReportAllocs()
	cpu := startCPU()
	for b.Loop() {
		res, err := render.Run(context.Background(), render.Options{
			Paths: paths, Sites: sites,
		})
		if err != nil || len(res.Sites) == 0 {
			b.Fatal(err)
		}
	}
	cpu.report(b)
}

// startCPU starts counting the CPU time of a benchmark's loop (with the
// garbage collector's and every goroutine's), reported as cpu-s/op.
func startCPU() cpuCount {
	t, ok := cpuTime()
	return cpuCount{start: t, ok: ok}
}

type cpuCount struct {
	start time.Duration
	ok    bool
}

func (c cpuCount) report(b *testing.B) {
	if t, ok := cpuTime(); ok && c.ok && b.N > 0 {
		b.ReportMetric((t-c.start).Seconds()/float64(b.N), "cpu-s/op")
	}
}

// BenchmarkRenderSite renders one generated site, in memory.
func BenchmarkRenderSite(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 1)
	benchRender(b, []string{dir}, nil)
}

// BenchmarkRenderExamples renders the example fleet, in memory.
func BenchmarkRenderExamples(b *testing.B) {
	benchRender(b, []string{"../profiles"}, nil)
}

// BenchmarkRender100 renders a generated 100-site fleet, in memory.
func BenchmarkRender100(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 100)
	benchRender(b, []string{dir}, nil)
}

// BenchmarkSiteFloor is the floor BenchmarkRenderSite is held to (issue
// 17: one site within 5x of it): parsing and encoding the site's own
// output once, every file of its tree, with sigs.k8s.io/yaml directly
// (render's memos would make a second pass free).
func BenchmarkSiteFloor(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 1)
	res, err := render.Run(context.Background(), render.Options{Paths: []string{dir}})
	if err != nil {
		b.Fatal(err)
	}
	var files [][]byte
	for _, s := range res.Sites {
		for _, f := range s.Files {
			files = append(files, f.Data)
		}
	}
	for _, c := range res.Clusters {
		for _, f := range c.Files {
			files = append(files, f.Data)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, f := range files {
			for _, doc := range bytes.Split(f, []byte("\n---\n")) {
				j, err := yaml.YAMLToJSONStrict(doc)
				if err != nil {
					b.Fatal(err)
				}
				d := json.NewDecoder(bytes.NewReader(j))
				d.UseNumber()
				var m map[string]any
				if err := d.Decode(&m); err != nil {
					b.Fatal(err)
				}
				if _, err := yaml.Marshal(m); err != nil {
					b.Fatal(err)
				}
			}
		}
	}
}

// benchIncremental renders a generated 100-site fleet into a directory
// once (timed: the full render), then runs each iteration after change
// (which may touch the profiles) as `tpgen render` does again. It reports
// an iteration's share of the full render as %full.
func benchIncremental(b *testing.B, change func(dir string, i int)) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 100)
	o := render.Options{Paths: []string{dir}, GitOpsPath: "sites", Version: "bench",
		WriteOptions: render.WriteOptions{OutDir: filepath.Join(b.TempDir(), "out")}}
	start := time.Now()
	if _, err := render.Run(context.Background(), o); err != nil {
		b.Fatal(err)
	}
	full := time.Since(start)
	b.ReportAllocs()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		b.StopTimer()
		change(dir, i)
		i++
		b.StartTimer()
		if _, err := render.Run(context.Background(), o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed())/float64(b.N)/float64(full)*100, "%full")
}

// BenchmarkRender100Unchanged renders an unchanged 100-site fleet into
// the directory it was rendered to: every site is kept.
func BenchmarkRender100Unchanged(b *testing.B) {
	benchIncremental(b, func(string, int) {})
}

// BenchmarkRender100OneChanged renders a 100-site fleet of which one
// profile changed since the last render.
func BenchmarkRender100OneChanged(b *testing.B) {
	benchIncremental(b, func(dir string, i int) {
		f, err := os.OpenFile(filepath.Join(dir, "site-042.yaml"), os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			b.Fatal(err)
		}
		fmt.Fprintf(f, "# change %d\n", i)
		if err := f.Close(); err != nil {
			b.Fatal(err)
		}
	})
}

// BenchmarkHelmFloor100 is the Helm floor of BenchmarkRender100 (issue
// 17): each distinct (chart, release, namespace, values) of the generated
// 100-site fleet rendered once by helm.Render (template run and parse of
// its output, no cache), then the same through secretflow.Guard (a chart
// whose values carry secret markers renders twice). Kubernetes 1.27 (the
// fleet's), without the CRD API versions of the ancestors. distinct/op is
// the number of renderings.
func BenchmarkHelmFloor100(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 100)
	vals, err := render.Values(context.Background(), render.Options{Paths: []string{dir}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	charts := chartsource.NewFS(os.DirFS("../modules/thingpark-enterprise/charts"), "module charts")
	type job struct {
		ch *chart.Chart
		o  helm.Options
	}
	var jobs []job
	seen := map[memo.Key]bool{}
	for _, v := range vals {
		d, ok := memo.Digest(map[string]any{"chart": v.Chart, "version": v.Version, "release": v.Release,
			"namespace": v.Namespace, "component": v.Component, "values": v.Values})
		if !ok {
			b.Fatalf("%s/%s: values not digestible", v.Site, v.Component)
		}
		if seen[d] {
			continue
		}
		seen[d] = true
		ch, err := charts.Get(v.Chart, v.Version)
		if err != nil {
			b.Fatal(err)
		}
		jobs = append(jobs, job{ch, helm.Options{Release: v.Release, Namespace: v.Namespace, Tier: v.Component,
			Values: v.Values, KubeVersion: "1.27"}})
	}
	for _, guard := range []bool{false, true} {
		name := "render"
		if guard {
			name = "guard"
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				for _, j := range jobs {
					render := func(v map[string]any) ([]object.Object, error) {
						o := j.o
						o.Values = v
						return helm.Render(j.ch, o)
					}
					var err error
					if guard {
						_, err = secretflow.Guard(j.o.Values, render)
					} else {
						_, err = render(j.o.Values)
					}
					if err != nil {
						b.Fatal(err)
					}
				}
			}
			cpu.report(b)
			b.ReportMetric(float64(len(jobs)), "distinct/op")
		})
	}
}
