package fsguard

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tree makes base/root (the input root) and base/outside.
func tree(t *testing.T) (root *os.Root, dir string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "root")
	must(t, os.MkdirAll(filepath.Join(dir, "sub"), 0o755))
	must(t, os.MkdirAll(filepath.Join(base, "outside"), 0o755))
	must(t, os.WriteFile(filepath.Join(base, "outside", "secret"), []byte("s3cr3t"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "a.yaml"), []byte("a: 1\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "sub", "b.yaml"), []byte("b: 2\n"), 0o644))
	must(t, os.Symlink("../a.yaml", filepath.Join(dir, "sub", "in.yaml")))
	root, err := os.OpenRoot(dir)
	must(t, err)
	t.Cleanup(func() { root.Close() })
	return root, dir
}

func TestReadFile(t *testing.T) {
	root, dir := tree(t)
	must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644))
	must(t, os.Symlink("../outside/secret", filepath.Join(dir, "out")))
	must(t, os.Symlink("/dev/zero", filepath.Join(dir, "zero")))
	must(t, os.Symlink(filepath.Join(filepath.Dir(dir), "outside", "secret"), filepath.Join(dir, "abs")))
	lim := Limit{Max: 5, What: "file size", Raise: "--max-file-size"}
	tests := []struct {
		name, want string
		data       string
		is         error
	}{
		{name: "a.yaml", data: "a: 1\n"},
		{name: "sub/in.yaml", data: "a: 1\n"},
		{name: "fifo", want: "L: not a regular file (a named pipe)\nhint: tpgen reads only regular files", is: ErrNotRegular},
		{name: "out", want: "L: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		{name: "abs", want: "L: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		{name: "zero", want: "L: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		{name: "../outside/secret", want: "L: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"},
		{name: "sub", want: "L: not a regular file (a directory)\nhint: tpgen reads only regular files", is: ErrNotRegular},
		{name: "missing", want: "L: no such file or directory", is: fs.ErrNotExist},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			done := make(chan struct{})
			var b []byte
			var err error
			go func() { b, err = ReadFile(root, tt.name, "L", lim); close(done) }()
			select {
			case <-done:
			case <-time.After(10 * time.Second):
				t.Fatal("ReadFile hangs")
			}
			if tt.want == "" {
				must(t, err)
				if string(b) != tt.data {
					t.Errorf("got %q, want %q", b, tt.data)
				}
				return
			}
			if err == nil || err.Error() != tt.want {
				t.Errorf("got error %v, want %q", err, tt.want)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
		})
	}
	// Over the limit, by size.
	must(t, os.WriteFile(filepath.Join(dir, "big"), []byte("123456"), 0o644))
	_, err := ReadFile(root, "big", "dir/big", lim)
	want := "dir/big: 6 bytes, over the limit: the file size limit is 5 bytes\nhint: raise it with --max-file-size"
	if err == nil || err.Error() != want || !errors.Is(err, ErrTooLarge) {
		t.Errorf("got %v, want %q", err, want)
	}
}

func TestReadIn(t *testing.T) {
	_, dir := tree(t)
	must(t, os.Symlink("../../outside/secret", filepath.Join(dir, "sub", "out.yaml")))
	// A link in a sub-directory that stays in the root is read; one that
	// leaves the root is not, though it stays within its own directory's
	// parent.
	if b, err := ReadIn(dir, filepath.Join(dir, "sub", "in.yaml"), Limit{}); err != nil || string(b) != "a: 1\n" {
		t.Errorf("in-root link: %q %v", b, err)
	}
	p := filepath.Join(dir, "sub", "out.yaml")
	if _, err := ReadIn(dir, p, Limit{}); err == nil || !strings.HasPrefix(err.Error(), p+": resolves outside its input root") {
		t.Errorf("link out of the root: %v", err)
	}
}

func TestWalk(t *testing.T) {
	root, dir := tree(t)
	got := map[string]string{}
	collect := func(rel string, b []byte) error { got[rel] = string(b); return nil }
	must(t, Walk(root, ".", "L", Limit{}, nil, collect))
	want := map[string]string{"a.yaml": "a: 1\n", "sub/b.yaml": "b: 2\n", "sub/in.yaml": "a: 1\n"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("walk (-want +got):\n%s", d)
	}
	got = map[string]string{}
	must(t, Walk(root, "sub", "L/sub", Limit{}, func(rel string, fi fs.FileInfo) bool { return rel == "in.yaml" }, collect))
	if d := cmp.Diff(map[string]string{"b.yaml": "b: 2\n"}, got); d != "" {
		t.Errorf("walk with skip (-want +got):\n%s", d)
	}
	for name, make := range map[string]func() error{
		"out":  func() error { return os.Symlink("../outside/secret", filepath.Join(dir, "out")) },
		"dir":  func() error { return os.Symlink("sub", filepath.Join(dir, "dir")) },
		"fifo": func() error { return syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644) },
	} {
		must(t, make())
		err := Walk(root, ".", "L", Limit{}, nil, collect)
		if err == nil || !strings.HasPrefix(err.Error(), "L/"+name+": ") {
			t.Errorf("%s: want an error naming L/%s, got %v", name, name, err)
		}
		must(t, os.Remove(filepath.Join(dir, name)))
	}
}

func TestNoLinksAndOpenDir(t *testing.T) {
	_, dir := tree(t)
	must(t, os.Symlink("sub", filepath.Join(dir, "link")))
	if err := NoLinks(dir, "sub"); err != nil {
		t.Errorf("sub: %v", err)
	}
	for _, rel := range []string{"link", "./link", "link/x"} {
		err := NoLinks(dir, rel)
		if err == nil || !strings.Contains(err.Error(), filepath.Join(dir, "link")+" is a symbolic link") {
			t.Errorf("%s: got %v", rel, err)
		}
	}
	want := "overlay a.yaml: " + filepath.Join(dir, "a.yaml") + " is a regular file, not a directory\nhint: overlay names a directory relative to the profile"
	if _, err := OpenDir(dir, "a.yaml", "overlay"); err == nil || err.Error() != want {
		t.Errorf("a file: got %v", err)
	}
	r, err := OpenDir(dir, "sub", "overlay")
	must(t, err)
	r.Close()
}

// laughs is a YAML "billion laughs": 9^9 nodes once its aliases expand.
var laughs = func() string {
	s := "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		s += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	return s
}()

func TestDuplicateKeys(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"none", "a: 1\nb: {c: 1, d: [x, y]}\n", ""},
		{"equal values", "a: 1\nb: 2\na: 1\n", `f:3:1: duplicate key "a" (first at line 1)`},
		{"nested", "a:\n  b: 1\n  c: 2\n  b: 1\n", `f:4:3: duplicate key "b" (first at line 2)`},
		{"flow", "a: {b: 1, b: 2}\n", `f:1:11: duplicate key "b" (first at line 1)`},
		{"in a list", "a:\n- {x: 1}\n- {y: 1, y: 1}\n", `f:3:10: duplicate key "y" (first at line 3)`},
		{"second document", "a: 1\n---\nb: 1\nb: 1\n", `f:4:1: duplicate key "b" (first at line 3)`},
		{"quoted and plain", "a: 1\n\"a\": 1\n", `f:2:1: duplicate key "a" (first at line 1)`},
		{"string and number differ", "1: a\n\"1\": b\n", ""},
		{"not YAML: left to the parser", "a: [\n", ""},
		{"aliases", "a: &x {b: 1, c: [1, 2]}\nd: *x\ne: {<<: *x, f: 1}\n", ""},
		{"billion laughs", laughs, "f:1:1: aliases expand the document by more than 100000 nodes"},
		{"billion laughs, second document", "a: 1\n---\n" + laughs, "f:3:1: aliases expand the document by more than 100000 nodes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := DuplicateKeys("f", []byte(tt.src))
			got := ""
			if err != nil {
				got, _, _ = strings.Cut(err.Error(), "\nhint: ")
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
