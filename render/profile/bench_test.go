package profile

import (
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
