package render_test

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/output"
)

var update = flag.Bool("update", false, "rewrite golden/ from profiles/ (deletes stale files)")

// renderFleet renders the example fleet in memory from the repository root,
// as `tpgen render profiles -o golden` does (the sites' gitops.path is
// golden, where the tree is).
func renderFleet(t testing.TB, jobs int) *render.Result {
	t.Helper()
	res, err := render.Run(context.Background(), render.Options{
		Paths: []string{"profiles"}, Jobs: jobs, GitOpsPath: "golden",
		Version: "devel",
	})
	require.NoError(t, err)
	return res
}

var fleet struct {
	once sync.Once
	res  *render.Result
}

// sharedFleet is one rendering of the example fleet (-j 2) for the tests
// that only read it: the fleet takes seconds to render, minutes under
// -race. Callers must not modify it.
func sharedFleet(t testing.TB) *render.Result {
	t.Helper()
	fleet.once.Do(func() { fleet.res = renderFleet(t, 2) })
	require.NotNil(t, fleet.res, "rendering the fleet failed in an earlier test")
	return fleet.res
}

// treeOf is the tree `tpgen render` writes into an empty directory.
func treeOf(res *render.Result) map[string][]byte {
	out := map[string][]byte{output.IndexFile: res.Index}
	for _, s := range res.Sites {
		for _, f := range s.Files {
			out[s.Name+"/"+f.Path] = f.Data
		}
	}
	for _, c := range res.Clusters {
		for _, f := range c.Files {
			out[render.ClustersDir+"/"+c.Name+"/"+f.Path] = f.Data
		}
	}
	return out
}

// TestGolden compares the rendered example fleet with golden/, file by file.
func TestGolden(t *testing.T) {
	t.Chdir("..")
	got := treeOf(sharedFleet(t))
	matchGolden(t, "golden", got, "make golden")
}

// matchGolden compares got (path -> bytes) with the tree under dir, file
// by file: new, changed and stale files fail the test, each named (a
// change with its first differing line). With -update it rewrites dir
// from got instead, deleting stale files; regen says how to do that.
func matchGolden(t *testing.T, dir string, got map[string][]byte, regen string) {
	t.Helper()
	if *update {
		require.NoError(t, os.RemoveAll(dir))
		for p, b := range got {
			full := filepath.Join(dir, filepath.FromSlash(p))
			require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
			require.NoError(t, os.WriteFile(full, b, 0o644))
		}
		return
	}
	want := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		want[filepath.ToSlash(rel)] = b
		return err
	})
	require.NoError(t, err, "%s/ is missing: run `%s`", dir, regen)
	var problems []string
	for p, b := range got {
		w, ok := want[p]
		switch {
		case !ok:
			problems = append(problems, "new file "+p)
		case !bytes.Equal(w, b):
			problems = append(problems, "changed "+p+"\n"+firstDiff(string(w), string(b)))
		}
	}
	for p := range want {
		if _, ok := got[p]; !ok {
			problems = append(problems, "stale file "+p)
		}
	}
	slices.Sort(problems)
	if len(problems) > 0 {
		t.Fatalf("rendered tree differs from %s/ (run `%s` if intended):\n%s", dir, regen, strings.Join(problems, "\n"))
	}
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "  line " + strconv.Itoa(i+1) + ":\n  - " + x + "\n  + " + y
		}
	}
	return ""
}

// TestDeterministic renders the fleet twice, independently, one site at a
// time and two at once (the shared rendering): the bytes must be
// identical. Two renders, not three: a third at -j 4 cost a third of the
// test's time for an interleaving -j 2 already varies. make test runs it
// without the race detector (the shared rendering is raced by the tests
// that read it).
func TestDeterministic(t *testing.T) {
	t.Chdir("..")
	serial := treeOf(renderFleet(t, 1))
	parallel := treeOf(sharedFleet(t))
	require.NotEmpty(t, serial)
	require.Equal(t, serial, parallel, "-j 1 and -j 2 differ")
}
