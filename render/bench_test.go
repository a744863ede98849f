package render_test

import (
	"context"
	"testing"

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
