package output

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func read(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			rel, _ := filepath.Rel(dir, p)
			out[filepath.ToSlash(rel)] = string(b)
		}
		return nil
	})
	return out
}

func TestWriteReplacesAndReports(t *testing.T) {
	dir := t.TempDir()
	v1 := Site{Name: "a", Files: []File{{"t/x.yaml", []byte("1")}, {"t/y.yaml", []byte("1")}}}
	ch, err := Write(dir, []Site{v1})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"t/x.yaml", "t/y.yaml"}, ch[0].Changed); d != "" {
		t.Errorf("first write (-want +got):\n%s", d)
	}
	// Unchanged: nothing reported, nothing touched.
	ch, err = Write(dir, []Site{v1})
	if err != nil || len(ch[0].Changed) != 0 {
		t.Fatalf("second write: %v %v", ch, err)
	}
	// A changed file, a new one, and one no longer produced.
	v2 := Site{Name: "a", Files: []File{{"t/x.yaml", []byte("2")}, {"u/z.yaml", []byte("1")}}}
	ch, err = Write(dir, []Site{v2})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"t/x.yaml", "t/y.yaml", "u/z.yaml"}, ch[0].Changed); d != "" {
		t.Errorf("third write (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "2", "a/u/z.yaml": "1"}, read(t, dir)); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}

// A run killed between the two renames left the old tree aside and no
// site directory: the next run puts the old tree back before comparing.
func TestWriteRecoversAnInterruptedSwap(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, ".tpgen-old-a", "t")
	if err := os.MkdirAll(old, 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(old, "x.yaml"), []byte("1"), 0o644)
	os.MkdirAll(filepath.Join(dir, ".tpgen-tmp-a", "t"), 0o755)
	os.WriteFile(filepath.Join(dir, ".tpgen-tmp-a", "t", "half.yaml"), []byte("?"), 0o644)

	ch, err := Write(dir, []Site{{Name: "a", Files: []File{{"t/x.yaml", []byte("1")}}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(ch[0].Changed) != 0 {
		t.Errorf("the recovered tree equals the new one, want no change, got %v", ch[0].Changed)
	}
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "1"}, read(t, dir)); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
}
