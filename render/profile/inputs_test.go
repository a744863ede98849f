package profile

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/diag"
)

// Profiles and defaults.cue are read only from their PATH root, only as
// regular files, within the profile size limit, and YAML duplicate keys
// are errors (even with equal values): each is a positioned problem naming
// the file, never a hang.
func TestLoadAllRefusesHostileFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, outside string) string // returns the PATH
		want  diag.Diagnostic
	}{
		{
			name: "named pipe as a profile",
			setup: func(t *testing.T, dir, _ string) string {
				mustDo(t, syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644))
				return filepath.Join(dir, "fifo.yaml")
			},
			want: diag.Diagnostic{File: "fifo.yaml", Message: "cannot read profile: not a regular file (a named pipe)", Hint: "tpgen reads only regular files"},
		},
		{
			name: "named pipe as defaults.cue",
			setup: func(t *testing.T, dir, _ string) string {
				mustDo(t, os.WriteFile(filepath.Join(dir, "lyon.yaml"), []byte(eksBase), 0o644))
				mustDo(t, syscall.Mkfifo(filepath.Join(dir, "defaults.cue"), 0o644))
				return dir
			},
			want: diag.Diagnostic{File: "defaults.cue", Message: "cannot read profile: not a regular file (a named pipe)", Hint: "tpgen reads only regular files"},
		},
		{
			name: "link out of the PATH directory",
			setup: func(t *testing.T, dir, outside string) string {
				mustDo(t, os.WriteFile(filepath.Join(outside, "lyon.yaml"), []byte(eksBase), 0o644))
				mustDo(t, os.Symlink("../outside/lyon.yaml", filepath.Join(dir, "lyon.yaml")))
				return dir
			},
			want: diag.Diagnostic{File: "lyon.yaml", Message: "cannot read profile: resolves outside its input root (a symbolic link or ..)", Hint: "tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		},
		{
			name: "link to a device",
			setup: func(t *testing.T, dir, _ string) string {
				mustDo(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")))
				return dir
			},
			want: diag.Diagnostic{File: "zero.yaml", Message: "cannot read profile: resolves outside its input root (a symbolic link or ..)", Hint: "tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		},
		{
			name: "over the profile size limit",
			setup: func(t *testing.T, dir, _ string) string {
				big := eksBase + "#" + strings.Repeat("x", 1<<20) + "\n"
				mustDo(t, os.WriteFile(filepath.Join(dir, "lyon.yaml"), []byte(big), 0o644))
				return dir
			},
			want: diag.Diagnostic{File: "lyon.yaml", Message: "cannot read profile: " + itoa(len(eksBase)+2+1<<20) + " bytes, over the limit: the profile size limit is 1 MiB", Hint: "raise it with --max-profile-size"},
		},
		{
			name: "duplicate key with an equal value",
			setup: func(t *testing.T, dir, _ string) string {
				mustDo(t, os.WriteFile(filepath.Join(dir, "lyon.yaml"), []byte(eksBase+"segment: l\n"), 0o644))
				return dir
			},
			want: diag.Diagnostic{File: "lyon.yaml", Line: 48, Column: 1, Message: `duplicate key "segment" (first at line 5)`, Hint: "a key appears once in a mapping (YAML spec); remove one"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			dir, outside := filepath.Join(base, "profiles"), filepath.Join(base, "outside")
			mustDo(t, os.MkdirAll(dir, 0o755))
			mustDo(t, os.MkdirAll(outside, 0o755))
			path := tt.setup(t, dir, outside)
			l, err := NewLoader(nil)
			mustDo(t, err)
			done := make(chan struct{})
			go func() { _, err = l.LoadAll([]string{path}); close(done) }()
			select {
			case <-done:
			case <-time.After(20 * time.Second):
				t.Fatal("LoadAll hangs")
			}
			var dl diag.List
			if !asList(err, &dl) || len(dl) != 1 {
				t.Fatalf("want one problem, got %v", err)
			}
			want := tt.want
			want.File = filepath.Join(dir, want.File)
			if dl[0] != want {
				t.Errorf("got  %+v\nwant %+v", dl[0], want)
			}
		})
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func asList(err error, dl *diag.List) bool {
	l, ok := err.(diag.List)
	*dl = l
	return ok
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
