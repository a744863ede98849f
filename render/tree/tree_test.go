package tree

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/header"
)

func cmFile(name, source string) string {
	s := ""
	if source != "" {
		s = header.Format("site.yaml", source) + "\n"
	}
	return s + "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: " + name + "\n"
}

// writeTree writes files (relative to dir) and returns dir.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, data := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func openRoot(t *testing.T, dir string) *os.Root {
	t.Helper()
	r, err := os.OpenRoot(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// brief is what the tests compare: file, tier, source, name.
type brief struct{ File, Tier, Source, Name string }

func briefs(objs []Object) []brief {
	var out []brief
	for _, o := range objs {
		out = append(out, brief{o.File, o.Tier, o.Source, o.Name()})
	}
	return out
}

var site = map[string]string{
	"paris/cluster/kustomization.yaml":                  header.Format("site.yaml", header.Kustomization("cluster")) + "\nresources:\n- namespace.core_tpe.yaml\n",
	"paris/cluster/namespace.core_tpe.yaml":             header.Format("site.yaml", "chart c templates/ns.yaml") + "\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: tpe\n",
	"paris/data/configmap.core_b.yaml":                  cmFile("b", "chart d templates/b.yaml"),
	"paris/data/configmap.core_a.yaml":                  cmFile("a", "overlay x"),
	"paris/data/notes.txt":                              "not an object",
	"paris/data/configmap.core_edited.yaml":             cmFile("edited", ""),
	"paris/gitops/tiers/application.argoproj.io_x.yaml": header.Format("site.yaml", "gitops") + "\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: x\n",
	"paris/gitops/kustomization.yaml":                   "resources: []\n",
	"lyon/data/configmap.core_other-site.yaml":          cmFile("other-site", "chart d"),
	// A cluster directory: files of several sites' profiles, the
	// cluster's bootstrap in gitops/.
	"clusters/c1/kustomization.yaml":                                   header.Format(header.Profiles([]string{"a.yaml", "b.yaml"}), header.ClusterKustomization("c1")) + "\nresources:\n- clusterrole.rbac.authorization.k8s.io_r.yaml\n",
	"clusters/c1/clusterrole.rbac.authorization.k8s.io_r.yaml":         header.Format("b.yaml", "chart c templates/r.yaml") + "\napiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: r\n",
	"clusters/c1/gitops/appproject.argoproj.io_argocd_cluster-c1.yaml": header.Format(header.Profiles([]string{"a.yaml", "b.yaml"}), "gitops argocd") + "\napiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: cluster-c1\n",
}

func TestRead(t *testing.T) {
	dir := writeTree(t, site)
	root := openRoot(t, dir)
	for _, tc := range []struct {
		name string
		site string
		o    Options
		want []brief
	}{
		{name: "every object file, recursively, by path", site: "paris", want: []brief{
			{"cluster/namespace.core_tpe.yaml", "cluster", "chart c templates/ns.yaml", "tpe"},
			{"data/configmap.core_a.yaml", "data", "overlay x", "a"},
			{"data/configmap.core_b.yaml", "data", "chart d templates/b.yaml", "b"},
			{"data/configmap.core_edited.yaml", "data", "file configmap.core_edited.yaml", "edited"},
			{"gitops/tiers/application.argoproj.io_x.yaml", "gitops/tiers", "gitops", "x"},
		}},
		{name: "directories in their order, a missing one empty", site: "paris", o: Options{Dirs: []string{"data", "missing", "cluster"}}, want: []brief{
			{"data/configmap.core_a.yaml", "data", "overlay x", "a"},
			{"data/configmap.core_b.yaml", "data", "chart d templates/b.yaml", "b"},
			{"data/configmap.core_edited.yaml", "data", "file configmap.core_edited.yaml", "edited"},
			{"cluster/namespace.core_tpe.yaml", "cluster", "chart c templates/ns.yaml", "tpe"},
		}},
		{name: "a directory alone, not its subdirectories", site: "paris", o: Options{Dirs: []string{"gitops"}}},
		{name: "the files listed, a missing one skipped", site: "paris", o: Options{Files: []string{"data/configmap.core_b.yaml", "cluster/kustomization.yaml", "data/gone.yaml"}, Lenient: true}, want: []brief{
			{"data/configmap.core_b.yaml", "data", "chart d templates/b.yaml", "b"},
		}},
		{name: "a cluster directory's top level", site: "clusters/c1", o: Options{Dirs: []string{"."}}, want: []brief{
			{"clusterrole.rbac.authorization.k8s.io_r.yaml", ".", "chart c templates/r.yaml", "r"},
		}},
		{name: "a cluster directory, sources from headers naming several profiles", site: "clusters/c1", want: []brief{
			{"clusterrole.rbac.authorization.k8s.io_r.yaml", ".", "chart c templates/r.yaml", "r"},
			{"gitops/appproject.argoproj.io_argocd_cluster-c1.yaml", "gitops", "gitops argocd", "cluster-c1"},
		}},
		{name: "a missing site", site: "nice"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read(root, dir, tc.site, tc.o)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, briefs(got)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			// The same files in memory give the same objects.
			var files []File
			for p, data := range site {
				if rel, ok := cutSite(p, tc.site); ok {
					files = append(files, File{Path: rel, Data: []byte(data)})
				}
			}
			o := tc.o
			if o.Files != nil {
				o.Files = o.Files[:2] // Parse has no missing file
			}
			mem, err := Parse(tc.site, files, o)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, briefs(mem)); d != "" {
				t.Errorf("Parse (-want +got):\n%s", d)
			}
		})
	}
}

func cutSite(p, site string) (string, bool) {
	if len(p) > len(site) && p[:len(site)+1] == site+"/" {
		return p[len(site)+1:], true
	}
	return "", false
}

// What tpgen did not write is refused (naming the file), or skipped when
// Lenient: a link out of the tree, a file over the limit, a named pipe,
// a file that is not YAML.
func TestReadHostile(t *testing.T) {
	outside := writeTree(t, map[string]string{"secret.yaml": cmFile("stolen", "chart x")})
	lim := fsguard.Limit{Max: 200, What: "file size", Raise: "--max-file-size"}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, siteDir string)
		err   string // the error's text, %s the site directory
		is    error
		// refused says the file is refused even when Lenient: not
		// something tpgen could have left, but a way out of the tree.
		refused bool
		file    string // the hostile file; default data/configmap.core_z.yaml
	}{
		{name: "link out of the tree", setup: func(t *testing.T, d string) {
			must(t, os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(d, "data", "configmap.core_z.yaml")))
		}, err: "%s/data/configmap.core_z.yaml: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it", refused: true},
		{name: "link to a directory", setup: func(t *testing.T, d string) {
			must(t, os.Symlink(".", filepath.Join(d, "data", "loop.yaml")))
		}, err: "%s/data/loop.yaml: not a regular file (a directory)\nhint: tpgen reads only regular files", is: fsguard.ErrNotRegular, file: "data/loop.yaml"},
		{name: "over the limit", setup: func(t *testing.T, d string) {
			must(t, os.WriteFile(filepath.Join(d, "data", "configmap.core_z.yaml"), []byte(strings.Repeat("x", 300)), 0o644))
		}, err: "%s/data/configmap.core_z.yaml: 300 bytes, over the limit: the file size limit is 200 bytes\nhint: raise it with --max-file-size", is: fsguard.ErrTooLarge},
		{name: "named pipe", setup: func(t *testing.T, d string) {
			must(t, syscall.Mkfifo(filepath.Join(d, "data", "configmap.core_z.yaml"), 0o644))
		}, err: "%s/data/configmap.core_z.yaml: not a regular file (a named pipe)\nhint: tpgen reads only regular files", is: fsguard.ErrNotRegular},
		{name: "not YAML", setup: func(t *testing.T, d string) {
			must(t, os.WriteFile(filepath.Join(d, "data", "configmap.core_z.yaml"), []byte("a: [\n"), 0o644))
		}, err: "reading %s/data/configmap.core_z.yaml: document 1: yaml: line 1: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"paris/data/configmap.core_a.yaml": cmFile("a", "chart a")})
			siteDir := filepath.Join(dir, "paris")
			tc.setup(t, siteDir)
			root := openRoot(t, dir)
			file := tc.file
			if file == "" {
				file = "data/configmap.core_z.yaml"
			}
			for _, o := range []Options{{Limit: lim}, {Limit: lim, Dirs: []string{"data"}}, {Limit: lim, Files: []string{"data/configmap.core_a.yaml", file}}} {
				_, err := Read(root, dir, "paris", o)
				if err == nil {
					t.Fatalf("%+v: no error", o)
				}
				if want := fmtSite(tc.err, siteDir); err.Error() != want {
					t.Errorf("%+v: error\n got %q\nwant %q", o, err.Error(), want)
				}
				if tc.is != nil && !errors.Is(err, tc.is) {
					t.Errorf("%+v: %v does not wrap %v", o, err, tc.is)
				}
				o.Lenient = true
				got, err := Read(root, dir, "paris", o)
				if tc.refused {
					if err == nil || err.Error() != fmtSite(tc.err, siteDir) {
						t.Errorf("lenient %+v: error %v, want %q", o, err, fmtSite(tc.err, siteDir))
					}
					continue
				}
				if err != nil {
					t.Fatalf("lenient: %v", err)
				}
				if d := cmp.Diff([]brief{{"data/configmap.core_a.yaml", "data", "chart a", "a"}}, briefs(got)); d != "" {
					t.Errorf("lenient %+v: (-want +got):\n%s", o, d)
				}
			}
		})
	}
}

// A site directory that is a symbolic link is not tpgen's: never
// followed, it holds no object.
func TestReadLinkedSite(t *testing.T) {
	outside := writeTree(t, map[string]string{"data/configmap.core_a.yaml": cmFile("a", "chart a")})
	dir := t.TempDir()
	must(t, os.Symlink(outside, filepath.Join(dir, "paris")))
	got, err := Read(openRoot(t, dir), dir, "paris", Options{})
	if err != nil || got != nil {
		t.Fatalf("Read = %v, %v; want nothing", got, err)
	}
}

func fmtSite(s, siteDir string) string {
	out := ""
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+1 < len(s) && s[i+1] == 's' {
			out += siteDir
			i++
			continue
		}
		out += string(s[i])
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
