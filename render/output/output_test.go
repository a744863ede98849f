package output

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// read returns every file under dir by relative path.
func read(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// siteFiles returns the files of one site directory, without the index.
func siteFiles(tree map[string]string, site string) map[string]string {
	out := map[string]string{}
	for p, b := range tree {
		if rel, ok := strings.CutPrefix(p, site+"/"); ok {
			out[rel] = b
		}
	}
	return out
}

func site(name string, files ...string) Site {
	s := Site{Name: name, Profile: name + ".yaml", Inputs: "sha256:" + name}
	for i := 0; i+1 < len(files); i += 2 {
		s.Files = append(s.Files, File{files[i], []byte(files[i+1])})
	}
	return s
}

var opts = Options{Version: "test"}

func write(t *testing.T, dir string, o Options, sites ...Site) []Change {
	t.Helper()
	ch, err := Write(context.Background(), dir, sites, o)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func noDrift(t *testing.T, dir string, o Options, sites ...Site) {
	t.Helper()
	d, err := Check(dir, sites, o)
	if err != nil {
		t.Fatal(err)
	}
	if len(d) > 0 {
		t.Fatalf("drift after write: %+v", d)
	}
}

func TestWriteReplacesReportsAndIndexes(t *testing.T) {
	dir := t.TempDir()
	v1 := site("a", "t/x.yaml", "1", "t/y.yaml", "1")
	ch := write(t, dir, opts, v1)
	if d := cmp.Diff([]Change{{Site: "a", Changed: []string{"t/x.yaml", "t/y.yaml"}}}, ch); d != "" {
		t.Errorf("first write (-want +got):\n%s", d)
	}
	x, _, ok, err := readIndex(openT(t, dir))
	if err != nil || !ok {
		t.Fatalf("index: %v %v", ok, err)
	}
	want := IndexSite{Profile: "a.yaml", Inputs: "sha256:a", Files: map[string]string{"t/x.yaml": Hash([]byte("1")), "t/y.yaml": Hash([]byte("1"))}}
	if d := cmp.Diff(want, x.Sites["a"]); d != "" || x.Tpgen != "test" || !strings.HasPrefix(x.Inputs, "sha256:") {
		t.Errorf("index %+v (-want +got):\n%s", x, d)
	}
	noDrift(t, dir, opts, v1)

	// Unchanged: nothing reported, nothing rewritten.
	idx := filepath.Join(dir, IndexFile)
	st1, _ := os.Stat(filepath.Join(dir, "a", "t", "x.yaml"))
	it1, _ := os.Stat(idx)
	ch = write(t, dir, opts, v1)
	st2, _ := os.Stat(filepath.Join(dir, "a", "t", "x.yaml"))
	it2, _ := os.Stat(idx)
	if len(ch[0].Changed) != 0 || !os.SameFile(st1, st2) || !os.SameFile(it1, it2) {
		t.Errorf("second write changed something: %v", ch)
	}

	// A changed file, a new one, and an owned one no longer produced.
	v2 := site("a", "t/x.yaml", "2", "u/z.yaml", "1")
	ch = write(t, dir, opts, v2)
	if d := cmp.Diff([]string{"t/x.yaml", "t/y.yaml", "u/z.yaml"}, ch[0].Changed); d != "" {
		t.Errorf("third write (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"t/x.yaml": "2", "u/z.yaml": "1"}, siteFiles(read(t, dir), "a")); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	noDrift(t, dir, opts, v2)
}

func TestForeignFilesAreKept(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	must(t, os.WriteFile(filepath.Join(dir, "README.md"), []byte("hand"), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "a", "NOTES.md"), []byte("hand"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "a", "t", "extra"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "a", "t", "extra", "mine.yaml"), []byte("hand"), 0o644))

	v2 := site("a", "t/x.yaml", "2")
	write(t, dir, opts, v2)
	want := map[string]string{"README.md": "hand", "a/NOTES.md": "hand", "a/t/extra/mine.yaml": "hand", "a/t/x.yaml": "2"}
	got := read(t, dir)
	delete(got, IndexFile)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	noDrift(t, dir, opts, v2) // foreign files are not drift
}

func TestForeignDirIsRefusedUnlessForced(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "kustomization.yaml"), []byte("mine"), 0o644))
	_, err := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "1")}, opts)
	if !errors.Is(err, ErrForeignDir) || !strings.Contains(err.Error(), "hint: render into an empty or new directory, or pass --force") {
		t.Fatalf("want a refusal with a hint, got %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
		t.Fatal("a refused write wrote the site")
	}
	forced := Options{Version: "test", Force: true}
	write(t, dir, forced, site("a", "t/x.yaml", "1"))
	if got := read(t, dir); got["kustomization.yaml"] != "mine" || got["a/t/x.yaml"] != "1" {
		t.Errorf("forced write: %v", got)
	}
}

func TestUnownedFileInTheWayIsRefusedUnlessForced(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	must(t, os.WriteFile(filepath.Join(dir, "a", "t", "y.yaml"), []byte("hand"), 0o644))
	_, err := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "1", "t/y.yaml", "2")}, opts)
	if err == nil || !strings.Contains(err.Error(), "tpgen would overwrite files it did not write:\n  "+filepath.Join(dir, "a", "t", "y.yaml")) {
		t.Fatalf("want a refusal naming the file, got %v", err)
	}
	if read(t, dir)["a/t/y.yaml"] != "hand" {
		t.Fatal("a refused write changed the file")
	}
	forced := Options{Version: "test", Force: true}
	write(t, dir, forced, site("a", "t/x.yaml", "1", "t/y.yaml", "2"))
	if read(t, dir)["a/t/y.yaml"] != "2" {
		t.Fatal("a forced write did not take the file")
	}
	// Now it is owned: dropping it removes it.
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	if _, ok := read(t, dir)["a/t/y.yaml"]; ok {
		t.Fatal("an adopted file was not pruned")
	}
}

func TestPruneRemovesGoneSitesOnly(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, opts, site("a", "t/x.yaml", "1"), site("b", "t/x.yaml", "1"), site("c", "t/x.yaml", "1"))
	must(t, os.WriteFile(filepath.Join(dir, "c", "NOTES.md"), []byte("hand"), 0o644))

	// b and c are gone; a Prune that knows only c is gone keeps b.
	o := Options{Version: "test", Prune: func(site, profile string) bool { return site == "c" && profile == "c.yaml" }}
	ch := write(t, dir, o, site("a", "t/x.yaml", "1"))
	if d := cmp.Diff([]Change{{Site: "a"}, {Site: "c", Changed: []string{"t/x.yaml"}, Pruned: true}}, ch); d != "" {
		t.Errorf("changes (-want +got):\n%s", d)
	}
	got := read(t, dir)
	delete(got, IndexFile)
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "1", "b/t/x.yaml": "1", "c/NOTES.md": "hand"}, got); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	x, _, _, _ := readIndex(openT(t, dir))
	if _, ok := x.Sites["c"]; ok || x.Sites["b"].Profile != "b.yaml" {
		t.Errorf("index sites: %v", x.Sites)
	}
	noDrift(t, dir, o, site("a", "t/x.yaml", "1"))

	// A site with nothing foreign goes entirely.
	all := Options{Version: "test", Prune: func(string, string) bool { return true }}
	write(t, dir, all, site("a", "t/x.yaml", "1"))
	if _, err := os.Stat(filepath.Join(dir, "b")); !os.IsNotExist(err) {
		t.Errorf("site b still there: %v", err)
	}
}

func TestCheckReportsEveryKindOfDrift(t *testing.T) {
	dir := t.TempDir()
	prune := Options{Version: "test", Prune: func(string, string) bool { return true }}
	write(t, dir, prune, site("a", "t/edited.yaml", "1", "t/stale.yaml", "1", "t/gone.yaml", "1", "t/deleted.yaml", "1"), site("b", "t/x.yaml", "1"))
	must(t, os.WriteFile(filepath.Join(dir, "a", "t", "edited.yaml"), []byte("by hand"), 0o644))
	must(t, os.Remove(filepath.Join(dir, "a", "t", "deleted.yaml")))
	must(t, os.WriteFile(filepath.Join(dir, "a", "t", "mine.yaml"), []byte("hand"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, ".tpgen-tmp-a"), 0o755))

	now := site("a", "t/edited.yaml", "1", "t/stale.yaml", "2", "t/deleted.yaml", "1", "t/mine.yaml", "x", "t/new.yaml", "1")
	got, err := Check(dir, []Site{now}, prune)
	if err != nil {
		t.Fatal(err)
	}
	want := []Drift{
		{Path: ".tpgen-index.json", What: "changed"},
		{Path: ".tpgen-tmp-a", What: "interrupted"},
		{Path: "a/t/deleted.yaml", What: "missing"},
		{Path: "a/t/edited.yaml", What: "changed", Edited: true},
		{Path: "a/t/gone.yaml", What: "leftover"},
		{Path: "a/t/mine.yaml", What: "unowned"},
		{Path: "a/t/new.yaml", What: "missing"},
		{Path: "a/t/stale.yaml", What: "changed"},
		{Path: "b/t/x.yaml", What: "leftover"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("drift (-want +got):\n%s", d)
	}
	// Check writes nothing.
	if read(t, dir)["a/t/edited.yaml"] != "by hand" {
		t.Error("check changed a file")
	}
	// An empty DIR misses everything, the index included.
	got, err = Check(filepath.Join(dir, "nowhere"), []Site{site("a", "t/x.yaml", "1")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]Drift{{Path: ".tpgen-index.json", What: "missing"}, {Path: "a/t/x.yaml", What: "missing"}}, got); d != "" {
		t.Errorf("drift of a missing DIR (-want +got):\n%s", d)
	}
}

// errKilled stands for the process dying at a step of Write.
var errKilled = errors.New("killed")

// TestKilledAtEveryStep kills Write (a panic from the hook, which runs no
// more of Write) at each of its steps: every site is then its old tree or
// its new one, and the next run finishes the job with an exact index.
func TestKilledAtEveryStep(t *testing.T) {
	oldSites := []Site{site("a", "t/x.yaml", "1", "t/y.yaml", "1"), site("b", "t/x.yaml", "1"), site("c", "t/x.yaml", "1")}
	newSites := []Site{site("a", "t/x.yaml", "2", "t/z.yaml", "2"), site("b", "t/x.yaml", "2")} // c is gone
	prune := Options{Version: "test", Prune: func(string, string) bool { return true }}

	// Collect the steps of a full run.
	var steps []string
	dir := t.TempDir()
	write(t, dir, opts, oldSites...)
	o := prune
	o.Hook = func(s string) { steps = append(steps, s) }
	write(t, dir, o, newSites...)
	// A unit is built beside as it is added, c (pruned) when it is
	// removed.
	wantSteps := []string{"built a", "built b", "index-union", "swapped a", "swapped b", "built c", "swapped c", "index"}
	if d := cmp.Diff(wantSteps, steps); d != "" {
		t.Fatalf("steps (-want +got):\n%s", d)
	}

	for _, step := range steps {
		t.Run(step, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, opts, oldSites...)
			must(t, os.WriteFile(filepath.Join(dir, "a", "NOTES.md"), []byte("hand"), 0o644))
			o := prune
			o.Hook = func(s string) {
				if s == step {
					panic(errKilled)
				}
			}
			func() {
				defer func() {
					if r := recover(); r != errKilled {
						t.Fatalf("recovered %v", r)
					}
				}()
				Write(context.Background(), dir, newSites, o)
			}()
			tree := read(t, dir)
			for i, name := range []string{"a", "b", "c"} {
				got := siteFiles(tree, name)
				delete(got, "NOTES.md")
				oldT, newT := files(oldSites[i]), map[string]string{}
				if i < len(newSites) {
					newT = files(newSites[i])
				}
				if d1, d2 := cmp.Diff(oldT, got), cmp.Diff(newT, got); d1 != "" && d2 != "" {
					t.Errorf("site %s is neither old nor new:\n%v", name, got)
				}
			}
			if tree["a/NOTES.md"] != "hand" {
				t.Error("a foreign file was lost")
			}
			// The next run repairs and finishes.
			write(t, dir, prune, newSites...)
			noDrift(t, dir, prune, newSites...)
			if read(t, dir)["a/NOTES.md"] != "hand" {
				t.Error("a foreign file was lost on the repairing run")
			}
		})
	}
}

func files(s Site) map[string]string {
	out := map[string]string{}
	for _, f := range s.Files {
		out[f.Path] = string(f.Data)
	}
	return out
}

func TestCancelledWriteLeavesWholeSitesAndAnExactIndex(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, opts, site("a", "t/x.yaml", "1"), site("b", "t/x.yaml", "1"))
	ctx, cancel := context.WithCancel(context.Background())
	o := Options{Version: "test", Hook: func(s string) {
		if s == "swapped a" {
			cancel()
		}
	}}
	_, err := Write(ctx, dir, []Site{site("a", "t/x.yaml", "2"), site("b", "t/x.yaml", "2")}, o)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted after 1 of 2 site(s)") {
		t.Fatalf("err = %v", err)
	}
	tree := read(t, dir)
	if tree["a/t/x.yaml"] != "2" || tree["b/t/x.yaml"] != "1" {
		t.Fatalf("tree: %v", tree)
	}
	// a is done: the index says so, so a check against that state is clean
	// for a and reports b.
	d, err := Check(dir, []Site{site("a", "t/x.yaml", "2"), site("b", "t/x.yaml", "2")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, x := range d {
		paths = append(paths, x.What+" "+x.Path)
	}
	if dd := cmp.Diff([]string{"changed .tpgen-index.json", "changed b/t/x.yaml"}, paths); dd != "" {
		t.Errorf("drift (-want +got):\n%s", dd)
	}
}

// The fallback swap (two renames) cut between its renames is repaired.
func TestTwoRenameSwapIsRepaired(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	// As if killed after the first rename of twoRenames.
	must(t, os.Rename(filepath.Join(dir, "a"), filepath.Join(dir, ".tpgen-old-a")))
	must(t, os.MkdirAll(filepath.Join(dir, ".tpgen-tmp-a", "t"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, ".tpgen-tmp-a", "t", "x.yaml"), []byte("2"), 0o644))
	ch := write(t, dir, opts, site("a", "t/x.yaml", "1"))
	if len(ch[0].Changed) != 0 {
		t.Errorf("the repaired tree is the old one, equal to the render: got changes %v", ch[0].Changed)
	}
	got := read(t, dir)
	delete(got, IndexFile)
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "1"}, got); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	// And the fallback itself swaps.
	must(t, os.MkdirAll(filepath.Join(dir, "new", "t"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "new", "t", "x.yaml"), []byte("2"), 0o644))
	must(t, twoRenames(openT(t, dir), "new", "a", oldName(UnitSite, "a")))
	if got := read(t, dir); got["a/t/x.yaml"] != "2" || got["new/t/x.yaml"] != "1" {
		t.Errorf("after twoRenames: %v", got)
	}
}

func TestLockRefusesASecondWriter(t *testing.T) {
	dir := t.TempDir()
	unlock, err := lock(openT(t, dir))
	must(t, err)
	defer unlock()
	_, err = Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "1")}, opts)
	if err == nil || !strings.Contains(err.Error(), "another tpgen is writing") {
		t.Fatalf("want a lock refusal, got %v", err)
	}
}

func TestNewIndexIsStable(t *testing.T) {
	a := NewIndex("v1", []Site{site("b", "t/x.yaml", "1"), site("a", "t/y.yaml", "2")}).Encode()
	b := NewIndex("v1", []Site{site("a", "t/y.yaml", "2"), site("b", "t/x.yaml", "1")}).Encode()
	if string(a) != string(b) {
		t.Errorf("site order changes the index:\n%s\n%s", a, b)
	}
	c := NewIndex("v1", []Site{site("a", "t/y.yaml", "2")})
	if c.Inputs == NewIndex("v1", []Site{site("a", "t/y.yaml", "2"), site("b")}).Inputs {
		t.Error("the inputs digest ignores a site")
	}
}

// openT opens dir as Write does, closed at the end of the test.
func openT(t *testing.T, dir string) *tree {
	t.Helper()
	tr, err := openTree(dir)
	must(t, err)
	t.Cleanup(tr.close)
	return tr
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A damaged index is refused with a hint, never misread as "no index".
func TestDamagedIndexIsRefused(t *testing.T) {
	for name, data := range map[string]string{"not JSON": "{", "unknown field": `{"tpgen": "x", "owner": "me"}`} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			must(t, os.WriteFile(filepath.Join(dir, IndexFile), []byte(data), 0o644))
			for _, err := range []error{
				func() error {
					_, err := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "1")}, opts)
					return err
				}(),
				func() error { _, err := Check(dir, []Site{site("a", "t/x.yaml", "1")}, opts); return err }(),
			} {
				if err == nil || !strings.Contains(err.Error(), "hint: the index is tpgen's; restore it from Git") {
					t.Errorf("want a refusal with a hint, got %v", err)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "a")); !os.IsNotExist(err) {
				t.Error("a refused write wrote the site")
			}
		})
	}
}

// TestCheckSaysWhenOnlyTheVersionDiffers: the same files written by
// another tpgen version are one "version" drift naming that version
// (issue 11); any other difference keeps the index "changed".
func TestCheckSaysWhenOnlyTheVersionDiffers(t *testing.T) {
	tests := []struct {
		name   string
		now    []Site
		inputs string // the sites' input digests now ("" : as written)
		want   []Drift
	}{
		{name: "version only", now: []Site{site("a", "t/x.yaml", "1"), site("b", "t/x.yaml", "1")},
			want: []Drift{{Path: IndexFile, What: "version", WrittenBy: "v1.0.0"}}},
		{name: "version and input digests", now: []Site{site("a", "t/x.yaml", "1"), site("b", "t/x.yaml", "1")}, inputs: "sha256:new",
			want: []Drift{{Path: IndexFile, What: "version", WrittenBy: "v1.0.0"}}},
		{name: "a file changed", now: []Site{site("a", "t/x.yaml", "2"), site("b", "t/x.yaml", "1")},
			want: []Drift{{Path: IndexFile, What: "changed"}, {Path: "a/t/x.yaml", What: "changed"}}},
		{name: "a file added", now: []Site{site("a", "t/x.yaml", "1", "t/y.yaml", "1"), site("b", "t/x.yaml", "1")},
			want: []Drift{{Path: IndexFile, What: "changed"}, {Path: "a/t/y.yaml", What: "missing"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			write(t, dir, Options{Version: "v1.0.0"}, site("a", "t/x.yaml", "1"), site("b", "t/x.yaml", "1"))
			if tt.inputs != "" {
				for i := range tt.now {
					tt.now[i].Inputs = tt.inputs
				}
			}
			got, err := Check(dir, tt.now, Options{Version: "v1.1.0"})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("drift (-want +got):\n%s", d)
			}
		})
	}
}
