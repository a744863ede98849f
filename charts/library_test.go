package charts

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the vendored copies of the library chart")

// library is the one source of the shared templates. Helm loads a
// dependency from <chart>/charts/<dep>, and go:embed cannot follow symlinks,
// so each chart carries a copy; this test keeps the copies exact.
const library = "thingpark-common"

// TestLibraryCopies fails when a chart's vendored thingpark-common differs
// from charts/thingpark-common; `go test ./charts/ -update` rewrites them.
func TestLibraryCopies(t *testing.T) {
	want := readTree(t, library)
	if len(want) == 0 {
		t.Fatalf("%s is empty", library)
	}
	charts, err := filepath.Glob("thingpark-*/Chart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, c := range charts {
		chart := filepath.Dir(c)
		if chart == library {
			continue
		}
		n++
		dir := filepath.Join(chart, "charts", library)
		t.Run(chart, func(t *testing.T) {
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				for name, data := range want {
					p := filepath.Join(dir, name)
					if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, data, 0o644); err != nil {
						t.Fatal(err)
					}
				}
				return
			}
			got := readTree(t, dir)
			for _, name := range sortedKeys(want) {
				if g, ok := got[name]; !ok {
					t.Errorf("%s/%s is missing (run go test ./charts/ -update)", dir, name)
				} else if !bytes.Equal(g, want[name]) {
					t.Errorf("%s/%s differs from %s/%s (run go test ./charts/ -update)", dir, name, library, name)
				}
			}
			for _, name := range sortedKeys(got) {
				if _, ok := want[name]; !ok {
					t.Errorf("%s/%s is not in %s (run go test ./charts/ -update)", dir, name, library)
				}
			}
		})
	}
	if n < 5 {
		t.Errorf("found %d charts vendoring %s, want 5", n, library)
	}
}

func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		out[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func sortedKeys(m map[string][]byte) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
