package output

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func cluster(name string, files ...string) Site {
	s := site(name, files...)
	s.Unit = UnitCluster
	s.Profile, s.Inputs = "", ""
	return s
}

// The index's clusters are parsed as strictly as its sites.
func TestHostileClusterIndexIsRefused(t *testing.T) {
	h := Hash([]byte("x"))
	for _, tc := range []struct{ name, index, want string }{
		{"parent cluster", `{"tpgen": "t", "inputs": "", "sites": {}, "clusters": {"../victim": {"files": {"x.yaml": "` + h + `"}}}}`,
			`cluster "../victim": not a DNS-1123 label`},
		{"dot-dot file", `{"tpgen": "t", "inputs": "", "sites": {}, "clusters": {"c": {"files": {"../x.yaml": "` + h + `"}}}}`,
			`cluster c: file "../x.yaml": not a clean relative path`},
		{"bad hash", `{"tpgen": "t", "inputs": "", "sites": {}, "clusters": {"c": {"files": {"x.yaml": "md5:1"}}}}`,
			`cluster c: file "x.yaml": hash "md5:1" is not sha256:<64 hex digits>`},
		{"unknown field", `{"tpgen": "t", "inputs": "", "sites": {}, "clusters": {"c": {"files": {}, "site": "a"}}}`,
			`json: unknown field "site"`},
		{"bad site cluster", `{"tpgen": "t", "inputs": "", "sites": {"a": {"profile": "a.yaml", "inputs": "", "cluster": "A/B", "files": {}}}}`,
			`site a: cluster "A/B": not a DNS-1123 label`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseIndex([]byte(tc.index))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A site may not be named like the directory of the cluster directories.
func TestSiteNamedClustersIsRefused(t *testing.T) {
	_, err := Write(context.Background(), t.TempDir(), []Site{site("clusters", "t/x.yaml", "1")}, opts)
	if err == nil || err.Error() != `site "clusters": the name is reserved for the cluster directories` {
		t.Errorf("got %v", err)
	}
}

// A cluster directory is written, indexed and pruned as a unit; a
// two-rename swap cut in the middle is repaired.
func TestClusterUnits(t *testing.T) {
	dir := t.TempDir()
	a := site("a", "t/x.yaml", "1")
	a.Cluster = "c1"
	write(t, dir, opts, a, cluster("c1", "crd.yaml", "v1"))
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "1", "clusters/c1/crd.yaml": "v1"}, withoutIndex(read(t, dir))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	noDrift(t, dir, opts, a, cluster("c1", "crd.yaml", "v1"))

	// As if killed after the first rename of twoRenames.
	must(t, os.Rename(filepath.Join(dir, "clusters", "c1"), filepath.Join(dir, oldClusterPrefix+"c1")))
	must(t, os.MkdirAll(filepath.Join(dir, tmpName(UnitCluster, "c1")), 0o755))
	ch := write(t, dir, opts, a, cluster("c1", "crd.yaml", "v1"))
	for _, c := range ch {
		if len(c.Changed) != 0 {
			t.Errorf("the repaired tree is the old one, equal to the render: got changes %+v", c)
		}
	}

	// The site moves to cluster c2: c1 is pruned (no site names it).
	a.Cluster = "c2"
	ch = write(t, dir, opts, a, cluster("c2", "crd.yaml", "v2"))
	var pruned []string
	for _, c := range ch {
		if c.Unit == UnitCluster && c.Pruned {
			pruned = append(pruned, c.Site)
		}
	}
	if d := cmp.Diff([]string{"c1"}, pruned); d != "" {
		t.Errorf("pruned clusters (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]string{"a/t/x.yaml": "1", "clusters/c2/crd.yaml": "v2"}, withoutIndex(read(t, dir))); d != "" {
		t.Errorf("tree (-want +got):\n%s", d)
	}
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	must(t, err)
	x, err := ParseIndex(b)
	must(t, err)
	if _, ok := x.Clusters["c1"]; ok || x.Sites["a"].Cluster != "c2" {
		t.Errorf("index: %+v", x)
	}
}

// DIR/clusters that is a link is never written through.
func TestLinkedClustersDirIsRefused(t *testing.T) {
	base := t.TempDir()
	dir := filepath.Join(base, "out")
	must(t, os.MkdirAll(filepath.Join(base, "victim"), 0o755))
	must(t, os.MkdirAll(dir, 0o755))
	write(t, dir, opts, site("a", "t/x.yaml", "1"))
	must(t, os.Symlink(filepath.Join(base, "victim"), filepath.Join(dir, "clusters")))
	_, err := Write(context.Background(), dir, []Site{site("a", "t/x.yaml", "1"), cluster("c1", "crd.yaml", "v1")}, opts)
	if err == nil || !strings.Contains(err.Error(), "not the directory of the cluster directories") {
		t.Errorf("got %v", err)
	}
	if ents, _ := os.ReadDir(filepath.Join(base, "victim")); len(ents) > 0 {
		t.Errorf("written through the link: %v", ents)
	}
}

func withoutIndex(m map[string]string) map[string]string {
	delete(m, IndexFile)
	return m
}
