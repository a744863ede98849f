package migrate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var files = []File{{Path: "se/configmap.core_a.yaml", Data: []byte("a\n")}, {Path: Marker, Data: []byte("# m\n")}}

// TestWrite: DST is created, or replaced whole when empty, written by
// migrate (marker) or forced; a foreign DST, a link or a file is refused
// and left as it was; nothing is left beside DST.
func TestWrite(t *testing.T) {
	want := map[string]string{"se/configmap.core_a.yaml": "a\n", Marker: "# m\n"}
	tests := []struct {
		name    string
		setup   func(t *testing.T, dst string)
		force   bool
		wantErr string
		keep    map[string]string // DST's files after a refusal
	}{
		{name: "new", setup: func(*testing.T, string) {}},
		{name: "empty", setup: func(t *testing.T, dst string) { must(t, os.Mkdir(dst, 0o755)) }},
		{name: "written by migrate, stale file removed", setup: func(t *testing.T, dst string) {
			must(t, os.MkdirAll(filepath.Join(dst, "old"), 0o755))
			must(t, os.WriteFile(filepath.Join(dst, "old", "x.yaml"), []byte("x"), 0o644))
			must(t, os.WriteFile(filepath.Join(dst, Marker), []byte("m"), 0o644))
		}},
		{name: "foreign", setup: func(t *testing.T, dst string) {
			must(t, os.Mkdir(dst, 0o755))
			must(t, os.WriteFile(filepath.Join(dst, "mine.txt"), []byte("mine"), 0o644))
		}, wantErr: "holds files and no .tpgen-migrate: not written by tpgen migrate\nhint: migrate replaces its output directory whole; name a new or empty directory, or pass --force to replace this one and everything in it",
			keep: map[string]string{"mine.txt": "mine"}},
		{name: "foreign, forced", setup: func(t *testing.T, dst string) {
			must(t, os.Mkdir(dst, 0o755))
			must(t, os.WriteFile(filepath.Join(dst, "mine.txt"), []byte("mine"), 0o644))
		}, force: true},
		{name: "marker that is a directory", setup: func(t *testing.T, dst string) {
			must(t, os.MkdirAll(filepath.Join(dst, Marker), 0o755))
		}, wantErr: "not written by tpgen migrate", keep: map[string]string{}},
		{name: "link", setup: func(t *testing.T, dst string) {
			other := filepath.Join(filepath.Dir(dst), "other")
			must(t, os.Mkdir(other, 0o755))
			must(t, os.Symlink(other, dst))
		}, force: true, wantErr: "is a symbolic link"},
		{name: "file", setup: func(t *testing.T, dst string) {
			must(t, os.WriteFile(dst, []byte("x"), 0o644))
		}, force: true, wantErr: "is not a directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := t.TempDir()
			dst := filepath.Join(parent, "out")
			tt.setup(t, dst)
			before, _ := os.ReadDir(parent)
			err := Write(dst, files, tt.force)
			after, _ := os.ReadDir(parent)
			if len(before) != len(after) && !(len(before) == 0 && len(after) == 1) {
				t.Errorf("the parent of DST holds %d entries, had %d", len(after), len(before))
			}
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want %q", err, tt.wantErr)
				}
				if tt.keep != nil {
					if diff := cmp.Diff(tt.keep, readTree(t, dst)); diff != "" {
						t.Errorf("DST changed (-before +after):\n%s", diff)
					}
				}
				if tt.name == "foreign" && !errors.Is(err, ErrForeignDir) {
					t.Errorf("%v does not wrap ErrForeignDir", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, readTree(t, dst)); diff != "" {
				t.Errorf("DST (-want +got):\n%s", diff)
			}
		})
	}
}
