package cli

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render"
)

// run runs tpgen in process and fails the test unless it exits with want.
func run(t *testing.T, want int, args ...string) string {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := Run(args, &stdout, &stderr)
	require.Equal(t, want, code, "tpgen %s\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), stdout.String(), stderr.String())
	return stdout.String()
}

// ciRenderRE finds the drift gate's command in a CI example.
var ciRenderRE = regexp.MustCompile(`(?m)^\s*(?:- |run: )?tpgen (render .*--check)\s*$`)

// syncedPaths reads every Argo CD Application (spec.source.path) and Flux
// Kustomization (spec.path) under tree/*/gitops (and
// tree/clusters/*/gitops) and resolves each path
// against the repository root: the directory must exist and hold a
// kustomization.yaml, as Argo CD and Flux need. It returns how many paths
// it resolved.
func syncedPaths(t *testing.T, root, tree string) int {
	t.Helper()
	n := 0
	sites, err := os.ReadDir(tree)
	require.NoError(t, err)
	var units []string
	for _, s := range sites {
		if !s.IsDir() {
			continue
		}
		if s.Name() != render.ClustersDir {
			units = append(units, s.Name())
			continue
		}
		// The cluster directories' bootstraps.
		clusters, err := os.ReadDir(filepath.Join(tree, s.Name()))
		require.NoError(t, err)
		for _, c := range clusters {
			if _, err := os.Stat(filepath.Join(tree, s.Name(), c.Name(), "gitops")); err == nil {
				units = append(units, filepath.Join(s.Name(), c.Name()))
			}
		}
	}
	for _, u := range units {
		err := filepath.WalkDir(filepath.Join(tree, u, "gitops"), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Base(p) == "kustomization.yaml" {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			var obj struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Spec       struct {
					Path   string `json:"path"`
					Source struct {
						Path string `json:"path"`
					} `json:"source"`
				} `json:"spec"`
			}
			if err := yaml.Unmarshal(b, &obj); err != nil {
				return err
			}
			var synced string
			switch {
			case obj.Kind == "Application" && strings.HasPrefix(obj.APIVersion, "argoproj.io/"):
				synced = obj.Spec.Source.Path
			case obj.Kind == "Kustomization" && strings.HasPrefix(obj.APIVersion, "kustomize.toolkit.fluxcd.io/"):
				synced = obj.Spec.Path
			default:
				return nil
			}
			require.NotEmpty(t, synced, "%s syncs no path", p)
			dir := filepath.Join(root, filepath.FromSlash(synced))
			_, err = os.Stat(filepath.Join(dir, "kustomization.yaml"))
			require.NoError(t, err, "%s syncs %s: no kustomization.yaml there (repository root %s)", p, synced, root)
			n++
			return nil
		})
		require.NoError(t, err)
	}
	return n
}

// TestSyncedPaths: the README's quick start, the CI examples' command and
// a `tpgen init` site produce a tree whose GitOps objects sync the
// directories that hold it (issue 11: `init` wrote gitops.path sites while
// everything rendered into deploy/).
func TestSyncedPaths(t *testing.T) {
	profiles, err := filepath.Abs("../../profiles")
	require.NoError(t, err)
	var ciCommands [][]string
	for _, f := range []string{"../../examples/ci/github-actions.yml", "../../examples/ci/gitlab-ci.yml"} {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		m := ciRenderRE.FindSubmatch(b)
		require.NotNil(t, m, "%s has no `tpgen render ... --check` step", f)
		ciCommands = append(ciCommands, strings.Fields(string(m[1])))
	}
	// The fleet's two engines, to keep the test short.
	fleet := []string{"--site", "lyon-prod,nantes-iot", "-j", "2"}
	tests := []struct {
		name string
		// cwd is the working directory, relative to the repository root.
		cwd   string
		steps [][]string
		// tree is the rendered tree, relative to the repository root.
		tree string
	}{
		{
			name: "README quick start (make render)",
			steps: [][]string{
				{"validate", "profiles"},
				append([]string{"render", "profiles", "-o", "deploy"}, fleet...),
			},
			tree: "deploy",
		},
		{
			name: "GitHub Actions example",
			steps: [][]string{
				append(withoutCheck(ciCommands[0]), fleet...),
				append(ciCommands[0], fleet...),
			},
			tree: "deploy",
		},
		{
			name: "GitLab CI example",
			steps: [][]string{
				append(withoutCheck(ciCommands[1]), fleet...),
				append(ciCommands[1], fleet...),
			},
			tree: "deploy",
		},
		{
			name: "init, Argo CD",
			steps: [][]string{
				{"init", "oslo", "--hosting", "eks", "--bs-security", "MIXED", "-o", "sites"},
				{"render", "sites", "-o", "deploy"},
			},
			tree: "deploy",
		},
		{
			name: "init, Flux, from a subdirectory into another directory",
			cwd:  "config",
			steps: [][]string{
				{"init", "bergen", "--hosting", "generic", "--bs-security", "DISABLE", "--gitops-engine", "flux", "-o", "sites"},
				{"render", "sites", "-o", "../clusters/prod"},
			},
			tree: "clusters/prod",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
			require.NoError(t, copyDir(os.DirFS(profiles), ".", filepath.Join(root, "profiles")))
			cwd := filepath.Join(root, tt.cwd)
			require.NoError(t, os.MkdirAll(cwd, 0o755))
			t.Chdir(cwd)
			for _, s := range tt.steps {
				run(t, ExitOK, s...)
			}
			n := syncedPaths(t, root, filepath.Join(root, filepath.FromSlash(tt.tree)))
			// A site's own (its cluster's bootstrap, when rendered, adds to them).
			require.GreaterOrEqual(t, n, 5, "GitOps objects resolved")
		})
	}
}

func withoutCheck(args []string) []string {
	var out []string
	for _, a := range args {
		if a != "--check" {
			out = append(out, a)
		}
	}
	return out
}
