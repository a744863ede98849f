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

	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render"
)

func benchRender(b *testing.B, paths []string, sites []string) {
	b.ReportAllocs()
	for b.Loop() {
		res, err := render.Run(context.Background(), render.Options{
			Paths: paths, Sites: sites,
		})
		if err != nil || len(res.Sites) == 0 {
			b.Fatal(err)
		}
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
