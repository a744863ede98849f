package chartsource

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// chartYAML is a Chart.yaml of chart name at version with deps, each
// "name version repository [alias]".
func chartYAML(name, version string, deps ...string) string {
	s := "apiVersion: v2\nname: " + name + "\nversion: " + version + "\n"
	if len(deps) > 0 {
		s += "dependencies:\n"
	}
	for _, d := range deps {
		f := strings.Fields(d)
		s += "  - name: " + f[0] + "\n    version: \"" + f[1] + "\"\n    repository: " + f[2] + "\n"
		if len(f) > 3 {
			s += "    alias: " + f[3] + "\n"
		}
	}
	return s
}

// sources returns the files under two sources: a file system (as the
// embedded charts) and a directory on disk read through os.Root (as
// charts.path); the directory's parent holds outside/secret.
func sources(t *testing.T, files map[string]string) map[string]*FS {
	t.Helper()
	mfs := fstest.MapFS{}
	base := t.TempDir()
	dir := filepath.Join(base, "charts")
	must(t, os.MkdirAll(dir, 0o755))
	must(t, os.MkdirAll(filepath.Join(base, "outside", "lib"), 0o755))
	must(t, os.WriteFile(filepath.Join(base, "outside", "lib", "Chart.yaml"), []byte(chartYAML("lib", "1.0.0")), 0o644))
	for p, b := range files {
		mfs[p] = &fstest.MapFile{Data: []byte(b)}
		f := filepath.Join(dir, p)
		must(t, os.MkdirAll(filepath.Dir(f), 0o755))
		must(t, os.WriteFile(f, []byte(b), 0o644))
	}
	root, err := os.OpenRoot(dir)
	must(t, err)
	t.Cleanup(func() { root.Close() })
	return map[string]*FS{
		"embedded":  NewFS(mfs, "test charts"),
		"directory": NewRoot(root, "test charts", fsguard.Limit{Max: 1 << 20, What: "file size", Raise: "--max-file-size"}),
	}
}

// tree lists ch and its dependencies as "name@version", nested with "/".
func tree(ch *chart.Chart, prefix string) []string {
	out := []string{prefix + ch.Name() + "@" + ch.Metadata.Version}
	for _, d := range ch.Dependencies() {
		out = append(out, tree(d, prefix+ch.Name()+"/")...)
	}
	return out
}

func TestResolveFileDependencies(t *testing.T) {
	lib := map[string]string{
		"lib/Chart.yaml":                  chartYAML("lib", "1.2.0"),
		"lib/templates/_x.tpl":            `{{ define "lib.x" }}x{{ end }}`,
		"lib/values.yaml":                 "a: 1\n",
		"nested/base/Chart.yaml":          chartYAML("base", "0.1.0"),
		"nested/mid/Chart.yaml":           chartYAML("mid", "2.0.0", "base ~0.1 file://../base"),
		"vendoring/Chart.yaml":            chartYAML("vendoring", "1.0.0", "lib 1.0.0 file://../lib"),
		"vendoring/charts/lib/Chart.yaml": chartYAML("lib", "1.0.0"),
	}
	tests := []struct {
		name, chart string
		files       map[string]string
		want        []string
		raw         []string // Raw files of the top chart under charts/
	}{
		{"sibling library", "app", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.2.0 file://../lib"),
		}, []string{"app@1.0.0", "app/lib@1.2.0"}, []string{"charts/lib/Chart.yaml", "charts/lib/templates/_x.tpl", "charts/lib/values.yaml"}},
		{"range constraint, nested path, recursive", "app", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib ^1.0.0 file://./../lib", "mid >=2.0.0 file://../nested/mid"),
		}, []string{"app@1.0.0", "app/lib@1.2.0", "app/mid@2.0.0", "app/mid/base@0.1.0"},
			[]string{"charts/lib/Chart.yaml", "charts/lib/templates/_x.tpl", "charts/lib/values.yaml", "charts/mid/Chart.yaml", "charts/mid/charts/base/Chart.yaml"}},
		{"a vendored copy wins over file://", "app", map[string]string{
			"app/Chart.yaml":            chartYAML("app", "1.0.0", "lib 1.0.0 file://../lib"),
			"app/charts/lib/Chart.yaml": chartYAML("lib", "1.0.0"),
		}, []string{"app@1.0.0", "app/lib@1.0.0"}, []string{"charts/lib/Chart.yaml"}},
		{"a dependency's vendored copy wins", "app", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "vendoring 1.0.0 file://../vendoring"),
		}, []string{"app@1.0.0", "app/vendoring@1.0.0", "app/vendoring/lib@1.0.0"}, []string{"charts/vendoring/Chart.yaml", "charts/vendoring/charts/lib/Chart.yaml"}},
		{"other repositories and aliases are left to Helm", "app", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "redis 18.1.0 https://charts.example.com", "lib 1.2.0 file://../lib one", "lib ~1.2 file://../lib two"),
		}, []string{"app@1.0.0", "app/lib@1.2.0"}, []string{"charts/lib/Chart.yaml", "charts/lib/templates/_x.tpl", "charts/lib/values.yaml"}},
	}
	for _, tt := range tests {
		files := map[string]string{}
		for k, v := range lib {
			files[k] = v
		}
		for k, v := range tt.files {
			files[k] = v
		}
		for kind, src := range sources(t, files) {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				ch, err := src.Get(tt.chart, "1.0.0")
				must(t, err)
				if got := tree(ch, ""); !slices.Equal(got, tt.want) {
					t.Errorf("charts %v, want %v", got, tt.want)
				}
				var raw []string
				for _, f := range ch.Raw {
					if strings.HasPrefix(f.Name, "charts/") {
						raw = append(raw, f.Name)
					}
				}
				slices.Sort(raw)
				if !slices.Equal(raw, tt.raw) {
					t.Errorf("Raw under charts/ %v, want %v", raw, tt.raw)
				}
			})
		}
	}
}

func TestResolveRefuses(t *testing.T) {
	const hintOut = "\nhint: a file:// dependency is read from the same chart source: put chart lib beside app (repository: file://../lib), or vendor it in app/charts/"
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"version mismatch", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://../lib"),
			"lib/Chart.yaml": chartYAML("lib", "1.1.0"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../lib): the chart at lib is version 1.1.0, which 1.0.0 does not accept\nhint: bring the dependency's version in Chart.yaml and the chart's version together"},
		{"range mismatch in a nested dependency", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "mid 1.0.0 file://../mid"),
			"mid/Chart.yaml": chartYAML("mid", "1.0.0", "lib ~2.1 file://../lib"),
			"lib/Chart.yaml": chartYAML("lib", "2.2.0"),
		}, "mid/Chart.yaml: dependency lib ~2.1 (file://../lib): the chart at lib is version 2.2.0, which ~2.1 does not accept\nhint: bring the dependency's version in Chart.yaml and the chart's version together"},
		{"invalid constraint", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib not-a-version file://../lib"),
			"lib/Chart.yaml": chartYAML("lib", "1.0.0"),
		}, "app/Chart.yaml: dependency lib not-a-version (file://../lib): version \"not-a-version\" is not a version constraint: improper constraint: \"not-a-version\"\nhint: write a version or a range, e.g. 1.0.0 or ~1.0.0"},
		{"path leaving the root", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://../../outside/lib"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../../outside/lib): the path ../../outside/lib leaves test charts" + hintOut},
		{"path leaving the root and coming back", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://../../charts/lib"),
			"lib/Chart.yaml": chartYAML("lib", "1.0.0"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../../charts/lib): the path ../../charts/lib leaves test charts" + hintOut},
		{"absolute path", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file:///etc/lib"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file:///etc/lib): the path /etc/lib leaves test charts" + hintOut},
		{"the root itself", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://.."),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://..): the path .. names the root of test charts, not a chart\nhint: name the chart's directory, e.g. file://../lib"},
		{"cycle", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "a 1.0.0 file://../a"),
			"a/Chart.yaml":   chartYAML("a", "1.0.0", "b 1.0.0 file://../b"),
			"b/Chart.yaml":   chartYAML("b", "1.0.0", "a 1.0.0 file://../a"),
		}, "b/Chart.yaml: dependency a 1.0.0 (file://../a): a dependency cycle: a -> b -> a\nhint: a chart cannot depend on itself; remove one of these file:// dependencies"},
		{"self", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "app 1.0.0 file://."),
		}, "app/Chart.yaml: dependency app 1.0.0 (file://.): a dependency cycle: app -> app\nhint: a chart cannot depend on itself; remove one of these file:// dependencies"},
		{"missing directory", map[string]string{
			"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://../lib"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../lib): no chart at lib in test charts\nhint: put chart lib at lib, or correct the repository path"},
		{"another chart's name", map[string]string{
			"app/Chart.yaml":   chartYAML("app", "1.0.0", "lib 1.0.0 file://../other"),
			"other/Chart.yaml": chartYAML("other", "1.0.0"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../other): the chart at other is named other\nhint: Helm matches a dependency by its chart's name; correct the name or the path"},
		{"one name, two paths", map[string]string{
			"app/Chart.yaml":  chartYAML("app", "1.0.0", "lib 1.0.0 file://../lib one", "lib 1.0.0 file://../lib2 two"),
			"lib/Chart.yaml":  chartYAML("lib", "1.0.0"),
			"lib2/Chart.yaml": chartYAML("lib", "1.0.0"),
		}, "app/Chart.yaml: dependency lib 1.0.0 (file://../lib2): lib is already read from lib\nhint: list each dependency name from one path; use alias for a second instance"},
	}
	// A lattice: each level's two charts depend on both of the next level.
	lattice := map[string]string{"app/Chart.yaml": chartYAML("app", "1.0.0", "l1a 1.0.0 file://../l1a", "l1b 1.0.0 file://../l1b")}
	for i := 1; i <= 10; i++ {
		next := []string{}
		if i < 10 {
			next = []string{fmt.Sprintf("l%da 1.0.0 file://../l%da", i+1, i+1), fmt.Sprintf("l%db 1.0.0 file://../l%db", i+1, i+1)}
		}
		for _, x := range []string{"a", "b"} {
			name := fmt.Sprintf("l%d%s", i, x)
			lattice[name+"/Chart.yaml"] = chartYAML(name, "1.0.0", next...)
		}
	}
	tests = append(tests, struct {
		name  string
		files map[string]string
		want  string
	}{"exponential lattice", lattice, "l9b/Chart.yaml: dependency l10b 1.0.0 (file://../l10b): more than 256 file:// dependencies to attach\nhint: vendor the dependencies with `helm dependency build`, or share fewer charts between dependencies"})
	for _, tt := range tests {
		for kind, src := range sources(t, tt.files) {
			t.Run(tt.name+"/"+kind, func(t *testing.T) {
				_, err := src.Get("app", "1.0.0")
				want := "resolving the dependencies of chart app from test charts: " + tt.want
				if err == nil || err.Error() != want {
					t.Errorf("got  %v\nwant %s", err, want)
				}
			})
		}
	}
}

// TestResolveLinkOutOfTheDirectory: a charts.path directory whose file://
// dependency is a symbolic link leaving it is refused by os.Root.
func TestResolveLinkOutOfTheDirectory(t *testing.T) {
	src := sources(t, map[string]string{"app/Chart.yaml": chartYAML("app", "1.0.0", "lib 1.0.0 file://../lib")})["directory"]
	must(t, os.Symlink("../outside/lib", filepath.Join(src.root.Name(), "lib")))
	_, err := src.Get("app", "1.0.0")
	want := "resolving the dependencies of chart app from test charts: app/Chart.yaml: dependency lib 1.0.0 (file://../lib): reading chart lib from test charts: lib/.helmignore: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
}
