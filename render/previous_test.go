package render

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/output"
)

// TestPreviousObjectsNeverLeavesDIR: the previous rendering of a site is
// read from its directory in DIR only; a site directory that is a link,
// to outside DIR above all, is never followed (issue 10, item 1: render
// read the files an index named through such a link).
func TestPreviousObjectsNeverLeavesDIR(t *testing.T) {
	const file = "app/configmap.core_leak.yaml"
	doc := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leak, namespace: ns}\ndata: {v: outside}\n")
	idx := &output.Index{Sites: map[string]output.IndexSite{"s": {Files: map[string]string{file: output.Hash(doc)}}}}
	writeSite := func(t *testing.T, d string) {
		if err := os.MkdirAll(filepath.Join(d, "app"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, filepath.FromSlash(file)), doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, dir string)
		want  int
	}{
		{"a site directory is read", func(t *testing.T, dir string) { writeSite(t, filepath.Join(dir, "s")) }, 1},
		{"a link to outside DIR is not", func(t *testing.T, dir string) {
			outside := t.TempDir()
			writeSite(t, outside)
			if err := os.Symlink(outside, filepath.Join(dir, "s")); err != nil {
				t.Fatal(err)
			}
		}, 0},
		{"nor a link inside DIR", func(t *testing.T, dir string) {
			writeSite(t, filepath.Join(dir, "other"))
			if err := os.Symlink("other", filepath.Join(dir, "s")); err != nil {
				t.Fatal(err)
			}
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.setup(t, dir)
			got, err := previousObjects(dir, idx, "s", "ns", fsguard.Limit{Max: 1 << 20})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.want {
				t.Errorf("read %d object(s), want %d", len(got), tc.want)
			}
		})
	}
}
