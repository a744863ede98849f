package output

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// hostileSetup makes base/out (DIR) and base/victim (outside DIR) with a
// file, and returns DIR and the victim file.
func hostileSetup(t *testing.T) (dir, victim string) {
	t.Helper()
	base := t.TempDir()
	dir = filepath.Join(base, "out")
	must(t, os.MkdirAll(filepath.Join(base, "victim", "t"), 0o755))
	victim = filepath.Join(base, "victim", "t", "x.yaml")
	must(t, os.WriteFile(victim, []byte("precious"), 0o644))
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	return dir, victim
}

func writeIndexJSON(t *testing.T, dir string, sites map[string]map[string]string) {
	t.Helper()
	x := map[string]any{"tpgen": "test", "inputs": "sha256:x", "sites": map[string]any{}}
	for n, files := range sites {
		x["sites"].(map[string]any)[n] = map[string]any{"profile": "gone.yaml", "inputs": "sha256:x", "files": files}
	}
	b, err := json.Marshal(x)
	must(t, err)
	must(t, os.WriteFile(filepath.Join(dir, IndexFile), b, 0o644))
}

func tmpLeft(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	must(t, err)
	var out []string
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), ".tpgen-") && e.Name() != IndexFile {
			out = append(out, e.Name())
		}
	}
	return out
}

// An index naming a site or a file outside its site directory is refused
// by Write and Check, naming the entry, before anything is touched; the
// file outside DIR survives, no .tpgen-tmp-* is left, and a render after
// deleting the index (--force) works.
func TestHostileIndexIsRefused(t *testing.T) {
	h := Hash([]byte("precious"))
	tests := []struct {
		name  string
		sites map[string]map[string]string
		want  string
	}{
		{"parent site", map[string]map[string]string{"../victim": {"t/x.yaml": h}}, `site "../victim": not a DNS-1123 label`},
		{"empty site", map[string]map[string]string{"": {"../victim/t/x.yaml": h}}, `site "": not a DNS-1123 label`},
		{"dot site", map[string]map[string]string{".": {"../victim/t/x.yaml": h}}, `site ".": not a DNS-1123 label`},
		{"dot-dot site", map[string]map[string]string{"..": {"victim/t/x.yaml": h}}, `site "..": not a DNS-1123 label`},
		{"nested site", map[string]map[string]string{"a/b": {"t/x.yaml": h}}, `site "a/b": not a DNS-1123 label`},
		{"absolute site", map[string]map[string]string{"/tmp": {"t/x.yaml": h}}, `site "/tmp": not a DNS-1123 label`},
		{"dot-dot file", map[string]map[string]string{"gone": {"../../victim/t/x.yaml": h}}, `site gone: file "../../victim/t/x.yaml": not a clean relative path`},
		{"inner dot-dot file", map[string]map[string]string{"gone": {"t/../../../victim/t/x.yaml": h}}, `site gone: file "t/../../../victim/t/x.yaml": not a clean relative path`},
		{"absolute file", map[string]map[string]string{"gone": {"/etc/passwd": h}}, `site gone: file "/etc/passwd": not a clean relative path`},
		{"unclean file", map[string]map[string]string{"gone": {"./t//x.yaml": h}}, `site gone: file "./t//x.yaml": not a clean relative path`},
		{"empty file", map[string]map[string]string{"gone": {"": h}}, `site gone: file "": not a clean relative path`},
		{"bad hash", map[string]map[string]string{"gone": {"t/x.yaml": "md5:1"}}, `site gone: file "t/x.yaml": hash "md5:1" is not sha256:<64 hex digits>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, victim := hostileSetup(t)
			writeIndexJSON(t, dir, tt.sites)
			o := opts
			o.Prune = func(string, string) bool { return true }
			_, werr := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "2")}, o)
			_, cerr := Check(dir, []Site{site("a", "t/x.yaml", "2")}, o)
			for _, err := range []error{werr, cerr} {
				if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "hint: the index is tpgen's") {
					t.Errorf("want a refusal containing %q and a hint, got %v", tt.want, err)
				}
			}
			if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
				t.Errorf("the file outside DIR was touched: %q %v", b, err)
			}
			if left := tmpLeft(t, dir); len(left) > 0 {
				t.Errorf("left in DIR: %v", left)
			}
			if got := read(t, dir)["a/t/x.yaml"]; got != "1" {
				t.Errorf("a refused write changed the site: %q", got)
			}
			// Not wedged: delete the index, render with --force.
			must(t, os.Remove(filepath.Join(dir, IndexFile)))
			f := o
			f.Force = true
			write(t, dir, f, site("a", "t/x.yaml", "2"))
			noDrift(t, dir, o, site("a", "t/x.yaml", "2"))
		})
	}
}

// Sites Write and Check are given are held to the same rules as the index.
func TestBadSiteNamesAreRefused(t *testing.T) {
	for _, s := range []Site{site("..", "t/x.yaml", "1"), site("a", "../x.yaml", "1"), site("", "x", "1")} {
		dir := t.TempDir()
		if _, err := Write(context.Background(), dir, []Site{s}, opts); err == nil {
			t.Errorf("Write %q %v: want an error", s.Name, s.Files)
		}
		if _, err := Check(dir, []Site{s}, opts); err == nil {
			t.Errorf("Check %q %v: want an error", s.Name, s.Files)
		}
	}
}

// A site directory that is a symbolic link (out of DIR) is refused by
// Write, prune and Check: it is never followed.
func TestSymlinkedSiteDirIsRefused(t *testing.T) {
	for _, prune := range []bool{false, true} {
		dir, victim := hostileSetup(t)
		must(t, os.RemoveAll(filepath.Join(dir, "a")))
		must(t, os.Symlink(filepath.Dir(filepath.Dir(victim)), filepath.Join(dir, "a")))
		o := opts
		sites := []Site{site("a", "t/x.yaml", "2")}
		if prune {
			o.Prune = func(string, string) bool { return true }
			sites = []Site{site("b", "t/x.yaml", "2")}
		}
		_, werr := Write(context.Background(), dir, sites, o)
		_, cerr := Check(dir, sites, o)
		want := filepath.Join(dir, "a") + " is a symbolic link, not a site directory"
		for _, err := range []error{werr, cerr} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("prune=%v: want %q, got %v", prune, want, err)
			}
		}
		if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
			t.Errorf("prune=%v: the file outside DIR was touched: %q %v", prune, b, err)
		}
		if left := tmpLeft(t, dir); len(left) > 0 {
			t.Errorf("left in DIR: %v", left)
		}
	}
}

// DIR itself a symbolic link (to a tree outside, or dangling) is refused
// by Write and Check: nothing is written, pruned or read through it.
func TestLinkedOutputDirIsRefused(t *testing.T) {
	for _, dangling := range []bool{false, true} {
		dir, victim := hostileSetup(t)
		target := filepath.Join(filepath.Dir(dir), "victim")
		if dangling {
			target = filepath.Join(filepath.Dir(dir), "victim", "new")
		}
		link := filepath.Join(filepath.Dir(dir), "link")
		must(t, os.Symlink(target, link))
		o := opts
		o.Force, o.Prune = true, func(string, string) bool { return true }
		sites := []Site{site("t", "x.yaml", "2")}
		_, werr := Write(context.Background(), link, sites, o)
		_, cerr := Check(link+"/", sites, o)
		want := "output directory " + link + " is a symbolic link"
		for _, err := range []error{werr, cerr} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("dangling=%v: want %q, got %v", dangling, want, err)
			}
		}
		if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
			t.Errorf("dangling=%v: the file outside DIR was touched: %q %v", dangling, b, err)
		}
		ents, err := os.ReadDir(filepath.Dir(filepath.Dir(victim)))
		must(t, err)
		if len(ents) != 1 {
			t.Errorf("dangling=%v: created outside DIR: %v", dangling, ents)
		}
	}
}

// Links inside a site directory are entries, never followed: an owned
// file replaced by a link out of DIR is replaced (the target untouched), a
// foreign link is kept as a link, a link where a directory goes is in the
// way, and prune removes links, not their targets.
func TestSymlinksInSitesAreNotFollowed(t *testing.T) {
	dir, victim := hostileSetup(t)
	victimDir := filepath.Dir(victim)
	must(t, os.Remove(filepath.Join(dir, "a", "t", "x.yaml")))
	must(t, os.Symlink(victim, filepath.Join(dir, "a", "t", "x.yaml")))
	must(t, os.Symlink(victim, filepath.Join(dir, "a", "t", "foreign.yaml")))
	// Check sees the owned link as changed; the file it points to is
	// never read as the site's.
	d, err := Check(dir, []Site{site("a", "t/x.yaml", "precious")}, opts)
	must(t, err)
	if diff := cmp.Diff([]Drift{{Path: IndexFile, What: "changed"}, {Path: "a/t/x.yaml", What: "changed"}}, d); diff != "" {
		t.Errorf("check (-want +got):\n%s", diff)
	}
	write(t, dir, opts, site("a", "t/x.yaml", "2"))
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("written through a link: victim holds %q", b)
	}
	if st, err := os.Lstat(filepath.Join(dir, "a", "t", "x.yaml")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("a/t/x.yaml is not a regular file: %v %v", st, err)
	}
	if to, err := os.Readlink(filepath.Join(dir, "a", "t", "foreign.yaml")); err != nil || to != victim {
		t.Errorf("the foreign link was not kept as a link: %q %v", to, err)
	}
	// A link where tpgen needs a directory: in the way.
	must(t, os.Symlink(victimDir, filepath.Join(dir, "a", "u")))
	_, err = Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "2", "u/x.yaml", "3")}, opts)
	if err == nil || !strings.Contains(err.Error(), "tpgen would overwrite files it did not write:\n  "+filepath.Join(dir, "a", "u")) {
		t.Errorf("want the link in the way refused, got %v", err)
	}
	f := opts
	f.Force = true
	write(t, dir, f, site("a", "t/x.yaml", "2", "u/x.yaml", "3"))
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("written through a directory link: victim holds %q", b)
	}
	if st, err := os.Lstat(filepath.Join(dir, "a", "u")); err != nil || !st.IsDir() {
		t.Errorf("a/u is not a directory: %v %v", st, err)
	}
	// Prune: an owned file that became a link to outside goes, its target stays.
	must(t, os.Remove(filepath.Join(dir, "a", "u", "x.yaml")))
	must(t, os.Symlink(victim, filepath.Join(dir, "a", "u", "x.yaml")))
	p := opts
	p.Prune = func(string, string) bool { return true }
	write(t, dir, p, site("b", "t/x.yaml", "1"))
	if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
		t.Errorf("prune reached outside DIR: %q %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(dir, "a", "u", "x.yaml")); !os.IsNotExist(err) {
		t.Errorf("the pruned link is still there: %v", err)
	}
}

// Leftovers of an interrupted run that are links out of DIR are removed as
// links: never followed, never put back as a site; an index that is a link
// out of DIR or a named pipe is refused.
func TestLinkedLeftoversAndIndexAreNotFollowed(t *testing.T) {
	dir, victim := hostileSetup(t)
	victimRoot := filepath.Dir(filepath.Dir(victim))
	must(t, os.Symlink(victimRoot, filepath.Join(dir, ".tpgen-tmp-a")))
	must(t, os.Symlink(victimRoot, filepath.Join(dir, ".tpgen-old-b")))
	write(t, dir, opts, site("a", "t/x.yaml", "2"))
	if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
		t.Errorf("recovery reached outside DIR: %q %v", b, err)
	}
	if left := tmpLeft(t, dir); len(left) > 0 {
		t.Errorf("left in DIR: %v", left)
	}
	if _, err := os.Lstat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Errorf("a linked .tpgen-old-b was put back as site b: %v", err)
	}

	idx := filepath.Join(dir, IndexFile)
	must(t, os.Remove(idx))
	must(t, os.Symlink(victim, idx))
	for _, err := range []error{
		func() error {
			_, err := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "3")}, opts)
			return err
		}(),
		func() error { _, err := Check(dir, []Site{site("a", "t/x.yaml", "3")}, opts); return err }(),
	} {
		if err == nil || !strings.Contains(err.Error(), idx+": resolves outside its input root") {
			t.Errorf("linked index: got %v", err)
		}
	}
	must(t, os.Remove(idx))
	must(t, syscall.Mkfifo(idx, 0o644))
	_, err := Check(dir, []Site{site("a", "t/x.yaml", "3")}, opts)
	if err == nil || !strings.Contains(err.Error(), idx+": not a regular file (a named pipe)") {
		t.Errorf("index pipe: got %v", err)
	}
	if b, err := os.ReadFile(victim); err != nil || string(b) != "precious" {
		t.Errorf("the index link was written through: %q %v", b, err)
	}
}

// An index holding one site twice is refused, not read as the last one.
func TestIndexWithADuplicateKeyIsRefused(t *testing.T) {
	dir, _ := hostileSetup(t)
	data := `{"tpgen": "x", "inputs": "sha256:x", "sites": {
  "gone": {"profile": "gone.yaml", "inputs": "sha256:x", "files": {"t/x.yaml": "` + Hash([]byte("1")) + `"}},
  "gone": {"profile": "gone.yaml", "inputs": "sha256:x", "files": {}}}}`
	must(t, os.WriteFile(filepath.Join(dir, IndexFile), []byte(data), 0o644))
	_, err := Check(dir, []Site{site("a", "t/x.yaml", "1")}, opts)
	want := "reading " + filepath.Join(dir, IndexFile) + `: line 3: duplicate key "gone" (first at line 2)` + "\nhint: the index is tpgen's"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("got %v, want %q...", err, want)
	}
}
