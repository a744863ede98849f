package cli

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tpgen/tpgen/modules"
)

// TestMain lets testscript run the real CLI in process as the command tpgen.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tpgen": func() { os.Exit(Main()) },
		// tpgen-killed-at STEP ARGS...: tpgen, killed with SIGKILL at a
		// step of the output stage ("index-union", "built <site>",
		// "swapped <site>", "index"), as a crash or an OOM kill would.
		"tpgen-killed-at": func() {
			step := os.Args[1]
			os.Args = append(os.Args[:1], os.Args[2:]...)
			writeHook = func(s string) {
				if s == step {
					syscall.Kill(os.Getpid(), syscall.SIGKILL)
					select {} // the signal is on its way
				}
			}
			os.Exit(Main())
		},
	})
}

var update = flag.Bool("update", false, "rewrite testdata/golden/ from the scripts' output")

// commitRE matches the short commit hashes reports print: they change
// whenever the rendered tree committed in a script changes.
var commitRE = regexp.MustCompile(`\b[0-9a-f]{12}\b`)

// TestScripts runs testdata/script/*.txtar: every exit code and user-facing
// message of the CLI.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// Example profiles of the repository, for scripts that need a fleet.
			return copyDir(os.DirFS("../../profiles"), ".", filepath.Join(env.WorkDir, "fleet"))
		},
		// [shared]: ../shared/helm-repo is there (scripts that need it
		// skip loudly without it).
		Condition: sharedCondition,
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tripwire":           tripwireCmd, // see tripwire_test.go
			"tripwire-untouched": tripwireUntouchedCmd,
			"chart-servers":      chartServersCmd, // see chartservers_test.go
			// extract-charts DIR: write the embedded charts to DIR, so a
			// script can break one and point a profile's charts.path at it.
			"extract-charts": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: extract-charts DIR")
				}
				charts, err := fs.Sub(modules.FS, "thingpark-enterprise/charts")
				ts.Check(err)
				ts.Check(copyDir(charts, ".", ts.MkAbs(args[0])))
			},
			// expect-exit N ARGS...: run tpgen in process and require exit code N.
			"expect-exit": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) < 1 {
					ts.Fatalf("usage: expect-exit N ARGS...")
				}
				want, err := strconv.Atoi(args[0])
				ts.Check(err)
				got := 0
				if err := ts.Exec("tpgen", args[1:]...); err != nil {
					var ee *exec.ExitError
					if !errors.As(err, &ee) {
						ts.Fatalf("tpgen %v: %v", args[1:], err)
					}
					got = ee.ExitCode()
				}
				if got != want {
					ts.Fatalf("tpgen %v: exit %d, want %d", args[1:], got, want)
				}
			},
			// tree-hash DIR NAME: remember a digest of every file under DIR as
			// $NAME; tree-unchanged DIR NAME proves a failed run left DIR as it
			// was.
			"tree-unchanged": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: tree-unchanged DIR NAME")
				}
				h, err := treeHash(ts.MkAbs(args[0]))
				ts.Check(err)
				if same := h == ts.Getenv(args[1]); same == neg {
					ts.Fatalf("tree %s: unchanged=%v, want %v", args[0], same, !neg)
				}
			},
			"tree-hash": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: tree-hash DIR NAME")
				}
				h, err := treeHash(ts.MkAbs(args[0]))
				ts.Check(err)
				ts.Setenv(args[1], h)
			},
			// golden NAME: the last command's stdout, commit hashes masked,
			// equals testdata/golden/NAME (rewritten with -update).
			"golden": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 1 {
					ts.Fatalf("usage: golden NAME")
				}
				got := commitRE.ReplaceAllString(ts.ReadFile("stdout"), "<commit>")
				file := filepath.Join("testdata", "golden", args[0])
				if *update {
					ts.Check(os.MkdirAll(filepath.Dir(file), 0o755))
					ts.Check(os.WriteFile(file, []byte(got), 0o644))
					return
				}
				want, err := os.ReadFile(file)
				ts.Check(err)
				if got != string(want) {
					ts.Fatalf("stdout differs from %s (run go test ./internal/cli -run TestScripts -update and review the diff):\n%s", file, lineDiff(string(want), got))
				}
			},
			// same-tree A B: the two directories hold the same files,
			// ignoring tpgen's own .tpgen-* entries at the top of each.
			"same-tree": func(ts *testscript.TestScript, neg bool, args []string) {
				if len(args) != 2 {
					ts.Fatalf("usage: same-tree A B")
				}
				a, err := treeHash(ts.MkAbs(args[0]), ".tpgen-")
				ts.Check(err)
				b, err := treeHash(ts.MkAbs(args[1]), ".tpgen-")
				ts.Check(err)
				if same := a == b; same == neg {
					ts.Fatalf("trees %s and %s: same=%v, want %v", args[0], args[1], same, !neg)
				}
			},
		},
	})
}

// lineDiff lists the first lines where want and got differ.
func lineDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	shown := 0
	for i := 0; i < max(len(w), len(g)) && shown < 10; i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			fmt.Fprintf(&b, "line %d:\n  want %q\n  got  %q\n", i+1, wl, gl)
			shown++
		}
	}
	return b.String()
}

func copyDir(src fs.FS, root, dst string) error {
	return fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, filepath.FromSlash(p))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if filepath.Ext(p) == ".go" {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}

// treeHash digests every path and file under dir, except top-level
// entries whose name starts with one of skip.
func treeHash(dir string, skip ...string) (string, error) {
	var sum uint64 = 14695981039346656037
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		for _, s := range skip {
			if filepath.Dir(rel) == "." && strings.HasPrefix(rel, s) {
				if d.IsDir() {
					return filepath.SkipDir
				}
				return nil
			}
		}
		for _, c := range []byte(rel) {
			sum = (sum ^ uint64(c)) * 1099511628211
		}
		if d.IsDir() {
			return nil
		}
		b, err := os.ReadFile(p)
		for _, c := range b {
			sum = (sum ^ uint64(c)) * 1099511628211
		}
		return err
	})
	return fmt.Sprintf("%016x", sum), err
}
