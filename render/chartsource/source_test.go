package chartsource

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/tpgen/tpgen/internal/fsguard"
)

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// chartDir writes base/charts/demo (Chart.yaml, values.yaml, a template,
// a .helmignore) and base/outside/secret; it returns base/charts.
func chartDir(t *testing.T) string {
	t.Helper()
	base := t.TempDir()
	dir := filepath.Join(base, "charts")
	files := map[string]string{
		"demo/Chart.yaml":          "apiVersion: v2\nname: demo\nversion: 1.0.0\n",
		"demo/values.yaml":         "a: 1\n",
		"demo/templates/cm.yaml":   "kind: ConfigMap\n{{ if .Values.a }}a: 1{{ end }}\n",
		"demo/.helmignore":         "ignored.txt\ndocs/\n",
		"demo/ignored.txt":         "not loaded",
		"demo/docs/guide.md":       "not loaded",
		"demo/files/real.txt":      "real",
		"../outside/secret":        "s3cr3t",
		"../outside/kubeconfig.md": "client-key-data: x",
	}
	for p, b := range files {
		f := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(f), 0o755))
		must(t, os.WriteFile(f, []byte(b), 0o644))
	}
	must(t, os.Symlink("real.txt", filepath.Join(dir, "demo", "files", "in.txt")))
	return dir
}

func get(t *testing.T, dir string) ([]string, error) {
	t.Helper()
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	src := NewRoot(root, "chart directory "+dir, fsguard.Limit{Max: 1 << 10, What: "file size", Raise: "--max-file-size"})
	ch, err := src.Get("demo", "1.0.0")
	if err != nil {
		return nil, err
	}
	var names []string
	for _, f := range ch.Raw {
		names = append(names, f.Name)
	}
	slices.Sort(names)
	return names, nil
}

func TestNewRootLoadsAsHelmDoes(t *testing.T) {
	dir := chartDir(t)
	names, err := get(t, dir)
	must(t, err)
	want := []string{".helmignore", "Chart.yaml", "files/in.txt", "files/real.txt", "templates/cm.yaml", "values.yaml"}
	if !slices.Equal(names, want) {
		t.Errorf("files %v, want %v (.helmignore applied, in-root link read)", names, want)
	}
}

func TestNewRootRefusesHostileFiles(t *testing.T) {
	tests := []struct {
		name  string
		setup func(dir string) error
		want  string
	}{
		{"link out of the chart directory", func(dir string) error {
			return os.Symlink("../../../outside/secret", filepath.Join(dir, "demo", "files", "leak.txt"))
		}, "demo/files/leak.txt: resolves outside its input root"},
		{"named pipe", func(dir string) error {
			return syscall.Mkfifo(filepath.Join(dir, "demo", "files", "pipe.txt"), 0o644)
		}, "demo/files/pipe.txt: not a regular file (a named pipe)"},
		{"link to a directory", func(dir string) error {
			return os.Symlink("../templates", filepath.Join(dir, "demo", "files", "tpl"))
		}, "demo/files/tpl: a symbolic link to a directory"},
		{"over the file size limit", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "demo", "files", "big.txt"), []byte(strings.Repeat("x", 2<<10)), 0o644)
		}, "demo/files/big.txt: 2048 bytes, over the limit: the file size limit is 1 KiB\nhint: raise it with --max-file-size"},
		{"duplicate key in values.yaml", func(dir string) error {
			return os.WriteFile(filepath.Join(dir, "demo", "values.yaml"), []byte("a: 1\na: 1\n"), 0o644)
		}, `demo/values.yaml:2:1: duplicate key "a" (first at line 1)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := chartDir(t)
			must(t, tt.setup(dir))
			_, err := get(t, dir)
			if err == nil || !strings.Contains(err.Error(), "reading chart demo from chart directory "+dir+": ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("got %v, want %q", err, tt.want)
			}
		})
	}
}

// A range (a repository chart's version that charts.path replaces) is
// met by a chart whose version it accepts; an exact version only by
// itself.
func TestGetVersionOrRange(t *testing.T) {
	dir := chartDir(t)
	root, err := os.OpenRoot(dir)
	must(t, err)
	defer root.Close()
	src := NewRoot(root, "chart directory "+dir, fsguard.Limit{})
	for _, tc := range []struct {
		version string
		ok      bool
	}{{"1.0.0", true}, {"~1.0", true}, {">=0.9 <2", true}, {"1.0.1", false}, {"^2", false}, {"v1.0.0", false}} {
		_, err := src.Get("demo", tc.version)
		if (err == nil) != tc.ok {
			t.Errorf("Get(demo, %q): %v, want ok=%v", tc.version, err, tc.ok)
		}
	}
}
