package profile

import (
	"context"
	"fmt"
	"testing"

	"github.com/tpgen/tpgen/internal/testfleet"
)

// BenchmarkValidateExamples validates the example fleet; the schema is built
// once per Loader, not per file.
func BenchmarkValidateExamples(b *testing.B) {
	benchValidate(b, []string{"../../profiles"})
}

// BenchmarkValidate100 validates a generated 100-site fleet.
func BenchmarkValidate100(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 100)
	benchValidate(b, []string{dir})
}

func benchValidate(b *testing.B, paths []string) {
	b.ReportAllocs()
	for b.Loop() {
		l, err := NewLoader(nil)
		if err != nil {
			b.Fatal(err)
		}
		sites, err := l.LoadAll(paths)
		if err != nil || len(sites) == 0 {
			b.Fatalf("%d sites: %v", len(sites), err)
		}
	}
}

// BenchmarkPool100 loads and plans a generated 100-site fleet with a
// Pool of one and of two jobs (render's planning stage).
func BenchmarkPool100(b *testing.B) {
	dir := b.TempDir()
	testfleet.Write(b, dir, 100)
	for _, jobs := range []int{1, 2} {
		b.Run(fmt.Sprintf("j%d", jobs), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := NewPool(jobs, func() (*Loader, error) { return NewLoader(nil) })
				if err != nil {
					b.Fatal(err)
				}
				sites, err := p.LoadAll(context.Background(), []string{dir}, EvalLimits{})
				if err != nil || len(sites) != 100 {
					b.Fatalf("%d sites: %v", len(sites), err)
				}
				for _, s := range sites {
					if _, err := p.Plan(s); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}
