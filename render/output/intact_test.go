package output_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render/output"
)

// TestIntact: a unit is intact only when every file the index records is
// a regular file with the recorded bytes, in a real directory, and the
// index is sealed.
func TestIntact(t *testing.T) {
	sites := []output.Site{
		{Name: "paris", Profile: "paris.yaml", Inputs: "sha256:1", Files: []output.File{{Path: "a/x.yaml", Data: []byte("x\n")}, {Path: "y.yaml", Data: []byte("y\n")}}},
		{Name: "paris", Unit: output.UnitCluster, Files: []output.File{{Path: "ns.yaml", Data: []byte("ns\n")}}},
	}
	tests := []struct {
		name    string
		edit    func(t *testing.T, dir string)
		site    bool
		cluster bool
	}{
		{name: "as written", edit: func(*testing.T, string) {}, site: true, cluster: true},
		{name: "foreign file", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "paris", "NOTES.md"), []byte("mine"), 0o644))
		}, site: true, cluster: true},
		{name: "edited", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "paris", "a", "x.yaml"), []byte("z\n"), 0o644))
		}, cluster: true},
		{name: "deleted", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "clusters", "paris", "ns.yaml")))
		}, site: true},
		{name: "a link with the bytes", edit: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "paris", "y.yaml")
			require.NoError(t, os.WriteFile(filepath.Join(dir, "y-copy"), []byte("y\n"), 0o644))
			require.NoError(t, os.Remove(p))
			require.NoError(t, os.Symlink("../y-copy", p))
		}, cluster: true},
		{name: "a directory of the site a link to a copy", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(filepath.Join(dir, "paris", "a"), filepath.Join(dir, "a-copy")))
			require.NoError(t, os.Symlink("../a-copy", filepath.Join(dir, "paris", "a")))
		}, cluster: true},
		{name: "a file a directory", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.Remove(filepath.Join(dir, "paris", "y.yaml")))
			require.NoError(t, os.Mkdir(filepath.Join(dir, "paris", "y.yaml"), 0o755))
		}, cluster: true},
		{name: "a file a FIFO (not waited on)", edit: func(t *testing.T, dir string) {
			p := filepath.Join(dir, "paris", "a", "x.yaml")
			require.NoError(t, os.Remove(p))
			mkfifo(t, p)
		}, cluster: true},
		{name: "a file grown", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "paris", "y.yaml"), []byte("y\ny\n"), 0o644))
		}, cluster: true},
		{name: "site directory a link", edit: func(t *testing.T, dir string) {
			require.NoError(t, os.Rename(filepath.Join(dir, "paris"), filepath.Join(dir, "elsewhere")))
			require.NoError(t, os.Symlink("elsewhere", filepath.Join(dir, "paris")))
		}, cluster: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			_, err := output.Write(context.Background(), dir, sites, output.Options{Version: "v1"})
			require.NoError(t, err)
			tt.edit(t, dir)
			b, err := os.ReadFile(filepath.Join(dir, output.IndexFile))
			require.NoError(t, err)
			x, err := output.ParseIndex(b)
			require.NoError(t, err)
			require.True(t, x.Sealed())
			require.Equal(t, tt.site, output.Intact(dir, x, output.UnitSite, "paris", nil), "site")
			require.Equal(t, tt.cluster, output.Intact(dir, x, output.UnitCluster, "paris", nil), "cluster")
			require.False(t, output.Intact(dir, x, output.UnitSite, "rome", nil), "a site the index does not record")
		})
	}
	t.Run("reject and seal", func(t *testing.T) {
		dir := t.TempDir()
		_, err := output.Write(context.Background(), dir, sites, output.Options{Version: "v1"})
		require.NoError(t, err)
		b, err := os.ReadFile(filepath.Join(dir, output.IndexFile))
		require.NoError(t, err)
		x, err := output.ParseIndex(b)
		require.NoError(t, err)
		require.False(t, output.Intact(dir, x, output.UnitSite, "paris", func(b []byte) bool { return string(b) == "y\n" }))
		s := x.Sites["paris"]
		s.Inputs = "sha256:2" // a digest claimed by hand
		x.Sites["paris"] = s
		require.False(t, x.Sealed())
	})
}

// TestWriterAbort: an aborted Writer leaves DIR as it was: a DIR it
// created is gone, an existing one keeps its old trees.
func TestWriterAbort(t *testing.T) {
	sites := []output.Site{
		{Name: "paris", Profile: "paris.yaml", Files: []output.File{{Path: "x.yaml", Data: []byte("x\n")}}},
		{Name: "paris", Unit: output.UnitCluster, Files: []output.File{{Path: "ns.yaml", Data: []byte("ns\n")}}},
	}
	dir := filepath.Join(t.TempDir(), "out")
	w, err := output.Begin(dir, output.Options{Version: "v1"})
	require.NoError(t, err)
	for _, s := range sites {
		require.NoError(t, w.Add(s))
	}
	w.Abort()
	require.NoDirExists(t, dir)

	_, err = output.Write(context.Background(), dir, sites, output.Options{Version: "v1"})
	require.NoError(t, err)
	before, err := os.ReadFile(filepath.Join(dir, output.IndexFile))
	require.NoError(t, err)
	w, err = output.Begin(dir, output.Options{Version: "v1"})
	require.NoError(t, err)
	sites[0].Files[0].Data = []byte("y\n")
	require.NoError(t, w.Add(sites[0]))
	w.Abort()
	got, err := os.ReadFile(filepath.Join(dir, "paris", "x.yaml"))
	require.NoError(t, err)
	require.Equal(t, "x\n", string(got))
	after, err := os.ReadFile(filepath.Join(dir, output.IndexFile))
	require.NoError(t, err)
	require.Equal(t, string(before), string(after))
	ents, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	require.Equal(t, []string{".tpgen-index.json", "clusters", "paris"}, names, "nothing left beside")
}
