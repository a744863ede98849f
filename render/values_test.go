package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
)

// TestValues: the values of each Helm component of each selected site, in
// site then graph order, as the plan computes them, filtered by component.
func TestValues(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sites      []string
		components []string
		want       []string // site/component chart@version release namespace
		wantErr    string
	}{
		{
			name: "every site, every Helm component",
			want: []string{
				"alpha/widgets widgets@1.0.0 widgets alpha-infra", "alpha/web-a web@1.0.0 web-a alpha-apps", "alpha/web-b web@1.0.0 web-b alpha-apps", "alpha/zeta web@1.0.0 zeta alpha-apps",
				"beta/widgets widgets@1.0.0 widgets beta-infra", "beta/web-a web@1.0.0 web-a beta-apps", "beta/web-b web@1.0.0 web-b beta-apps", "beta/zeta web@1.0.0 zeta beta-apps",
				"gamma/widgets widgets@1.0.0 widgets gamma-infra", "gamma/web-a web@1.0.0 web-a gamma-apps", "gamma/web-b web@1.0.0 web-b gamma-apps", "gamma/zeta web@1.0.0 zeta gamma-apps",
			},
		},
		{
			// beta shares alpha's cluster: render would add it, values does not.
			name: "one site, two components", sites: []string{"alpha"}, components: []string{"zeta", "web-a"},
			want: []string{"alpha/web-a web@1.0.0 web-a alpha-apps", "alpha/zeta web@1.0.0 zeta alpha-apps"},
		},
		{
			name: "a manifests component has no values", components: []string{"db"},
			wantErr: "no Helm component named db in the selected sites\nhint: --component takes the name of a component with a chart: web-a, web-b, widgets, zeta",
		},
		{
			name: "unknown site", sites: []string{"delta"},
			wantErr: "no site named delta in testdata/module-sites",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := render.Options{Paths: []string{"testdata/module-sites"}, ModulePath: []string{"testdata"}, Sites: tc.sites}
			vals, err := render.Values(context.Background(), o, tc.components)
			if tc.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.wantErr)
				return
			}
			require.NoError(t, err)
			var got []string
			for _, v := range vals {
				got = append(got, v.Site+"/"+v.Component+" "+v.Chart+"@"+v.Version+" "+v.Release+" "+v.Namespace)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("values (-want +got):\n%s", d)
			}
		})
	}
}

// TestValuesEncode: a header naming site, component, chart and source,
// then the values with sorted keys; uses of other components resolved.
func TestValuesEncode(t *testing.T) {
	o := render.Options{Paths: []string{"testdata/module-sites"}, ModulePath: []string{"testdata"}, Sites: []string{"alpha"}}
	vals, err := render.Values(context.Background(), o, []string{"web-a"})
	require.NoError(t, err)
	require.Len(t, vals, 1)
	b, err := vals[0].Encode()
	require.NoError(t, err)
	want := `# Values of site alpha, component web-a: chart web@1.0.0 (module module charts), release web-a in namespace alpha-apps.
# Computed by tpgen from testdata/module-sites/alpha.yaml. Secret-carrying keys hold references, never values.
# Use: helm template web-a <path to chart web 1.0.0> --namespace alpha-apps -f <this file>
cache: cache.alpha-data.svc
db: db.alpha-data.svc
`
	assert.Equal(t, want, string(b))
}

// TestWriteValues: DIR/<site>/<component>.values.yaml, other files of DIR
// kept, no temporary file left, nothing written through a link out of DIR.
func TestWriteValues(t *testing.T) {
	vals := []render.ComponentValues{
		{Site: "a", Profile: "a.yaml", Component: "web", Chart: "web", Version: "1.0.0", Release: "web", Namespace: "ns", Source: "module m charts", Values: map[string]any{"z": 1, "a": map[string]any{"c": "x", "b": true}}},
		{Site: "b", Profile: "b.yaml", Component: "db", Chart: "db", Version: "2.0.0", Release: "db", Namespace: "ns", Source: "module m charts", Values: map[string]any{"k": "v"}},
	}
	dir := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "notes.txt"), []byte("mine"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "web.values.yaml"), []byte("old"), 0o644))
	require.NoError(t, render.WriteValues(dir, vals))
	got, err := os.ReadFile(filepath.Join(dir, "a", "web.values.yaml"))
	require.NoError(t, err)
	assert.True(t, strings.HasSuffix(string(got), "a:\n  b: true\n  c: x\nz: 1\n"), "%s", got)
	_, err = os.Stat(filepath.Join(dir, "b", "db.values.yaml"))
	assert.NoError(t, err)
	notes, err := os.ReadFile(filepath.Join(dir, "a", "notes.txt"))
	require.NoError(t, err)
	assert.Equal(t, "mine", string(notes))
	entries, err := os.ReadDir(filepath.Join(dir, "a"))
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	assert.Equal(t, []string{"notes.txt", "web.values.yaml"}, names)

	// b links out of DIR: refused, nothing written outside.
	outside := t.TempDir()
	dir2 := filepath.Join(t.TempDir(), "out")
	require.NoError(t, os.MkdirAll(dir2, 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir2, "b")))
	err = render.WriteValues(dir2, vals)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "writing "+filepath.Join(dir2, "b", "db.values.yaml"))
	left, err := os.ReadDir(outside)
	require.NoError(t, err)
	assert.Empty(t, left)
}
