package render_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/output"
)

// incrFleet writes three generated sites (site-000 aks, site-001 eks,
// site-002 generic) where site-000 and site-001 share a site overlay and
// site-002 takes thingpark-cluster from its own charts.path; it returns
// the profiles' directory and the module overlays' copy.
func incrFleet(t *testing.T) (profiles, overlays string) {
	t.Helper()
	dir := t.TempDir()
	profiles = filepath.Join(dir, "profiles")
	overlays = filepath.Join(dir, "overlays")
	require.NoError(t, os.MkdirAll(profiles, 0o755))
	testfleet.Write(t, profiles, 3)
	require.NoError(t, os.CopyFS(overlays, os.DirFS("../modules/thingpark-enterprise/overlays")))
	for _, c := range []string{"thingpark-cluster", "thingpark-common"} {
		require.NoError(t, os.CopyFS(filepath.Join(profiles, "charts", c), os.DirFS("../modules/thingpark-enterprise/charts/"+c)))
	}
	appendTo(t, filepath.Join(profiles, "site-002.yaml"), "charts: {path: ./charts}\n")
	require.NoError(t, os.MkdirAll(filepath.Join(profiles, "overlay"), 0o755))
	writeOverlay(t, profiles, "one")
	for _, s := range []string{"site-000", "site-001"} {
		appendTo(t, filepath.Join(profiles, s+".yaml"), "overlay: ./overlay\n")
	}
	return profiles, overlays
}

func writeOverlay(t *testing.T, profiles, value string) {
	t.Helper()
	require.NoError(t, os.WriteFile(filepath.Join(profiles, "overlay", "kustomization.yaml"), []byte(`apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- target: {kind: Deployment, name: twa}
  patch: |-
    - op: add
      path: /metadata/annotations
      value: {example.net/overlay: "`+value+`"}
`), 0o644))
}

func appendTo(t *testing.T, file, s string) {
	t.Helper()
	f, err := os.OpenFile(file, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString(s)
	require.NoError(t, err)
	require.NoError(t, f.Close())
}

// incrRun renders profiles into out and returns the sites it rendered
// (those it did not keep).
func incrRun(t *testing.T, profiles, overlays, out string, edit func(*render.Options)) (*render.Result, []string) {
	t.Helper()
	o := render.Options{Paths: []string{profiles}, GitOpsPath: "sites", Version: "v1.0.0", Jobs: 2,
		Overlays: os.DirFS(overlays), WriteOptions: render.WriteOptions{OutDir: out}}
	if edit != nil {
		edit(&o)
	}
	res, err := render.Run(context.Background(), o)
	require.NoError(t, err)
	rendered := []string{}
	for _, s := range res.Sites {
		if !s.Skipped {
			rendered = append(rendered, s.Name)
		}
	}
	return res, rendered
}

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	}))
	return out
}

// TestIncremental changes one input at a time: each change renders
// exactly the sites that read it, every other site is kept, and the tree
// is byte for byte what a full render into an empty directory gives.
func TestIncremental(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a fleet")
	}
	profiles, overlays := incrFleet(t)
	out := filepath.Join(t.TempDir(), "out")
	_, got := incrRun(t, profiles, overlays, out, nil)
	require.Equal(t, []string{"site-000", "site-001", "site-002"}, got, "first render")

	steps := []struct {
		name   string
		change func()
		want   []string
	}{
		{"nothing", func() {}, []string{}},
		{"one profile", func() { appendTo(t, filepath.Join(profiles, "site-001.yaml"), "# a comment\n") }, []string{"site-001"}},
		{"site overlay of two sites", func() { writeOverlay(t, profiles, "two") }, []string{"site-000", "site-001"}},
		{"chart of charts.path", func() {
			appendTo(t, filepath.Join(profiles, "charts", "thingpark-cluster", "values.yaml"), "# a comment\n")
		}, []string{"site-002"}},
		{"chart's library dependency", func() {
			appendTo(t, filepath.Join(profiles, "charts", "thingpark-common", "values.yaml"), "# a comment\n")
		}, []string{"site-002"}},
		{"module overlay of the AKS and EKS sites", func() {
			appendTo(t, filepath.Join(overlays, "topology", "zones", "README.md"), "changed\n")
		}, []string{"site-000", "site-001"}},
		{"module overlay now naming a file outside its directory", func() {
			appendTo(t, filepath.Join(overlays, "topology", "zones", "kustomization.yaml"), "# see ../../notes.txt\n")
		}, []string{"site-000", "site-001"}},
		{"that file", func() {
			require.NoError(t, os.WriteFile(filepath.Join(overlays, "notes.txt"), []byte("notes\n"), 0o644))
		}, []string{"site-000", "site-001"}},
		{"fleet defaults", func() { appendTo(t, filepath.Join(profiles, "defaults.cue"), "// a comment\n") }, []string{"site-000", "site-001", "site-002"}},
		{"nothing again", func() {}, []string{}},
	}
	for _, st := range steps {
		st.change()
		_, got := incrRun(t, profiles, overlays, out, nil)
		require.Equal(t, st.want, got, "after a change to the %s, the sites rendered", st.name)
	}

	// The incremental tree is the full render's, byte for byte.
	full := filepath.Join(t.TempDir(), "out")
	_, got = incrRun(t, profiles, overlays, full, func(o *render.Options) { o.Full = true })
	require.Len(t, got, 3)
	if d := cmp.Diff(readTree(t, full), readTree(t, out)); d != "" {
		t.Fatalf("incremental tree differs from a full render (-full +incremental):\n%s", d)
	}
	_, got = incrRun(t, profiles, overlays, out, func(o *render.Options) { o.Full = true })
	require.Len(t, got, 3, "--full renders every site")

	// A new tpgen version renders every site.
	_, got = incrRun(t, profiles, overlays, out, func(o *render.Options) { o.Version = "v1.1.0" })
	require.Len(t, got, 3, "a new version")
	// So do tighter checks than the defaults.
	_, got = incrRun(t, profiles, overlays, out, func(o *render.Options) { o.Version = "v1.1.0"; o.Limits.Objects = 4000 })
	require.Len(t, got, 3, "non-default limits")
	_, got = incrRun(t, profiles, overlays, out, func(o *render.Options) { o.Version = "v1.1.0"; o.Strict = true })
	require.Equal(t, []string{"site-000", "site-001"}, got, "--strict renders the sites with an overlay")
}

// TestIncrementalCheck: --check keeps the unchanged sites too, yet
// catches a hand edit and a deleted file in them, and a hand-edited index
// cannot make render keep a site whose files differ.
func TestIncrementalCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("renders a fleet")
	}
	profiles, overlays := incrFleet(t)
	out := filepath.Join(t.TempDir(), "out")
	incrRun(t, profiles, overlays, out, nil)
	check := func(o *render.Options) { o.Check = true }

	res, got := incrRun(t, profiles, overlays, out, check)
	require.Empty(t, got, "an unchanged fleet is checked without rendering")
	require.Empty(t, res.Drift)

	edited := filepath.Join(out, "site-001", "enterprise", "statefulset.apps_lrc.yaml")
	appendTo(t, edited, "# hand edit\n")
	deleted := filepath.Join(out, "site-002", "data", "kustomization.yaml")
	require.NoError(t, os.Remove(deleted))
	res, got = incrRun(t, profiles, overlays, out, check)
	require.Equal(t, []string{"site-001", "site-002"}, got)
	require.Equal(t, []output.Drift{
		{Path: "site-001/enterprise/statefulset.apps_lrc.yaml", What: "changed", Edited: true},
		{Path: "site-002/data/kustomization.yaml", What: "missing"},
	}, res.Drift)

	// An index edited to claim the files as they are now: its seal no
	// longer matches, so every site is rendered and the edit is drift.
	idxFile := filepath.Join(out, output.IndexFile)
	b, err := os.ReadFile(idxFile)
	require.NoError(t, err)
	var idx map[string]any
	require.NoError(t, json.Unmarshal(b, &idx))
	lrc, err := os.ReadFile(edited)
	require.NoError(t, err)
	idx["sites"].(map[string]any)["site-001"].(map[string]any)["files"].(map[string]any)["enterprise/statefulset.apps_lrc.yaml"] = output.Hash(lrc)
	b, err = json.MarshalIndent(idx, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(idxFile, append(b, '\n'), 0o644))
	res, got = incrRun(t, profiles, overlays, out, check)
	require.Equal(t, []string{"site-000", "site-001", "site-002"}, got, "a forged index is trusted for nothing")
	require.True(t, slices.ContainsFunc(res.Drift, func(d output.Drift) bool {
		return d.Path == "site-001/enterprise/statefulset.apps_lrc.yaml" && d.What == "changed"
	}), "drift: %v", res.Drift)

	// Render repairs the tree (and the seal); a later hand edit renders
	// that site only.
	incrRun(t, profiles, overlays, out, nil)
	appendTo(t, edited, "# hand edit\n")
	_, got = incrRun(t, profiles, overlays, out, check)
	require.Equal(t, []string{"site-001"}, got, "a site whose files differ from the index is rendered")
}

// planFleet writes a fleet of the test module (a user module in a
// --module-path directory) whose sites read different inputs: alpha and
// beta share the cluster "shared" and a site overlay; gamma takes
// the chart web from its charts.path; delta (sops workflow, one SOPS
// file, skipped by profile discovery) and epsilon read the fleet defaults of eu/; epsilon uses a copy
// of the module (module2). It returns the options of a render into out.
func planFleet(t *testing.T) (render.Options, string) {
	t.Helper()
	dir := t.TempDir()
	mods, sites := filepath.Join(dir, "mods"), filepath.Join(dir, "sites")
	for _, m := range []string{"module", "module2"} {
		require.NoError(t, os.CopyFS(filepath.Join(mods, m), os.DirFS("testdata/module")))
		cue := filepath.Join(mods, m, "module.cue")
		b, err := os.ReadFile(cue)
		require.NoError(t, err)
		src := strings.Replace(string(b), "\toverlays: []\n", "\toverlays: []\n\tif profile.overlay != _|_ {\n\t\tsiteOverlay: profile.overlay\n\t}\n", 1)
		require.NoError(t, os.WriteFile(cue, []byte(src), 0o644))
	}
	require.NoError(t, os.CopyFS(filepath.Join(sites, "charts", "web"), os.DirFS("testdata/module/charts/web")))
	require.NoError(t, os.MkdirAll(filepath.Join(sites, "ov"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(sites, "eu"), 0o755))
	write := func(name, src string) {
		require.NoError(t, os.WriteFile(filepath.Join(sites, name), []byte(src), 0o644))
	}
	flux := "gitops: {engine: flux, repoURL: \"https://git.example.net/deploy.git\", revision: main}\n"
	write("alpha.yaml", "name: alpha\nmodule: module\ncluster: shared\nkubernetesVersion: \"1.27\"\nprefix: alpha\noverlay: ./ov\n"+flux)
	write("beta.yaml", "name: beta\nmodule: module\ncluster: shared\nkubernetesVersion: \"1.27\"\nprefix: beta\noverlay: ./ov\n"+flux)
	write("gamma.yaml", "name: gamma\nmodule: module\nkubernetesVersion: \"1.27\"\nprefix: gamma\ncharts: {path: ./charts}\n"+flux)
	write("eu/defaults.cue", "kubernetesVersion: \"1.27\"\n")
	write("eu/delta.yaml", "name: delta\nmodule: module\nprefix: delta\nsecrets: {workflow: sops, sops: {age: age1"+strings.Repeat("q", 58)+", files: {\"widget-config\": ./_sops/widget.yaml}}}\n"+flux)
	require.NoError(t, os.MkdirAll(filepath.Join(sites, "eu", "_sops"), 0o755))
	write("eu/_sops/widget.yaml", "sops: one\n")
	write("eu/epsilon.yaml", "name: epsilon\nmodule: module2\nprefix: epsilon\n"+flux)
	write("ov/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\ncommonAnnotations: {example.net/overlay: one}\n")
	return render.Options{Paths: []string{sites}, ModulePath: []string{mods}, GitOpsPath: "deploy", Version: "v1.0.0", Jobs: 2,
		WriteOptions: render.WriteOptions{OutDir: filepath.Join(dir, "out")}}, sites
}

// planRun renders with o and returns the sites whose plans it evaluated
// and those it rendered.
func planRun(t *testing.T, o render.Options) (res *render.Result, planned, rendered []string) {
	t.Helper()
	var mu sync.Mutex
	planned, rendered = []string{}, []string{}
	defer render.OnPlan(func(site string) {
		mu.Lock()
		defer mu.Unlock()
		planned = append(planned, site)
	})()
	res, err := render.Run(context.Background(), o)
	require.NoError(t, err)
	slices.Sort(planned)
	planned = slices.Compact(planned) // a site joining a kept cluster: planned again with it
	for _, s := range res.Sites {
		if !s.Skipped {
			rendered = append(rendered, s.Name)
		}
	}
	return res, planned, rendered
}

// TestIncrementalBeforePlanning: a re-render evaluates the profile of no
// site whose inputs did not change: a change to each kind of input plans
// and renders exactly the sites that read it (and the other sites of
// their clusters), an unchanged fleet is neither planned nor rendered,
// and the tree is byte for byte a full render's.
func TestIncrementalBeforePlanning(t *testing.T) {
	o, sites := planFleet(t)
	all := []string{"alpha", "beta", "delta", "epsilon", "gamma"}
	_, planned, rendered := planRun(t, o)
	require.Equal(t, all, planned, "first render")
	require.Equal(t, all, rendered, "first render")

	mods := o.ModulePath[0]
	steps := []struct {
		name              string
		change            func()
		planned, rendered []string
	}{
		{"nothing", func() {}, []string{}, []string{}},
		{"a profile", func() { appendTo(t, filepath.Join(sites, "gamma.yaml"), "# a comment\n") }, []string{"gamma"}, []string{"gamma"}},
		{"the profile of a site of a shared cluster", func() { appendTo(t, filepath.Join(sites, "alpha.yaml"), "# a comment\n") }, []string{"alpha", "beta"}, []string{"alpha", "beta"}},
		{"the site overlay of two sites", func() {
			appendTo(t, filepath.Join(sites, "ov", "kustomization.yaml"), "# a comment\n")
		}, []string{"alpha", "beta"}, []string{"alpha", "beta"}},
		{"a file added to the site overlay", func() {
			require.NoError(t, os.WriteFile(filepath.Join(sites, "ov", "notes.txt"), []byte("notes\n"), 0o644))
		}, []string{"alpha", "beta"}, []string{"alpha", "beta"}},
		{"a chart file of charts.path", func() {
			appendTo(t, filepath.Join(sites, "charts", "web", "values.yaml"), "# a comment\n")
		}, []string{"gamma"}, []string{"gamma"}},
		{"a file added to that chart", func() {
			require.NoError(t, os.WriteFile(filepath.Join(sites, "charts", "web", "templates", "extra.yaml"),
				[]byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-extra}\ndata: {a: b}\n"), 0o644))
		}, []string{"gamma"}, []string{"gamma"}},
		{"another chart added to charts.path (it would replace the module's)", func() {
			require.NoError(t, os.CopyFS(filepath.Join(sites, "charts", "widgets"), os.DirFS("testdata/module/charts/widgets")))
			appendTo(t, filepath.Join(sites, "charts", "widgets", "values.yaml"), "# a copy\n")
		}, []string{"gamma"}, []string{"gamma"}},
		{"the SOPS file", func() { appendTo(t, filepath.Join(sites, "eu", "_sops", "widget.yaml"), "# a comment\n") }, []string{"delta"}, []string{"delta"}},
		{"fleet defaults", func() { appendTo(t, filepath.Join(sites, "eu", "defaults.cue"), "// a comment\n") }, []string{"delta", "epsilon"}, []string{"delta", "epsilon"}},
		{"a module file", func() {
			appendTo(t, filepath.Join(mods, "module", "manifests", "db", "README.md"), "changed\n")
		}, []string{"alpha", "beta", "delta", "gamma"}, []string{"alpha", "beta", "delta", "gamma"}},
		// Planned, the sites are kept: their inputs digest is the same.
		{"a file added to the module", func() {
			require.NoError(t, os.WriteFile(filepath.Join(mods, "module", "notes.txt"), []byte("notes\n"), 0o644))
		}, []string{"alpha", "beta", "delta", "gamma"}, []string{}},
		{"the module's chart", func() {
			appendTo(t, filepath.Join(mods, "module2", "charts", "web", "values.yaml"), "# a comment\n")
		}, []string{"epsilon"}, []string{"epsilon"}},
		{"a module added to the search path", func() {
			require.NoError(t, os.MkdirAll(filepath.Join(mods, "other"), 0o755))
		}, all, []string{}},
		{"nothing again", func() {}, []string{}, []string{}},
	}
	for _, st := range steps {
		st.change()
		_, planned, rendered := planRun(t, o)
		require.Equal(t, st.planned, planned, "after a change to %s, the sites planned", st.name)
		require.Equal(t, st.rendered, rendered, "after a change to %s, the sites rendered", st.name)
	}

	// The incremental tree is the full render's, byte for byte.
	full := o
	full.Full, full.OutDir = true, filepath.Join(t.TempDir(), "out")
	_, _, rendered = planRun(t, full)
	require.Equal(t, all, rendered)
	if d := cmp.Diff(readTree(t, full.OutDir), readTree(t, o.OutDir)); d != "" {
		t.Fatalf("incremental tree differs from a full render (-full +incremental):\n%s", d)
	}

	// A site that joins the cluster of a kept site: the cluster is made
	// again from all its sites.
	appendTo(t, filepath.Join(sites, "eu", "epsilon.yaml"), "cluster: gamma\n")
	_, planned, rendered = planRun(t, o)
	require.Equal(t, []string{"epsilon", "gamma"}, planned)
	require.Equal(t, []string{"epsilon", "gamma"}, rendered)

	// --site renders the selected site's cluster; kept, it is not planned
	// (the changed sites are, as every site is checked).
	sel := o
	sel.Sites = []string{"gamma"}
	appendTo(t, filepath.Join(sites, "alpha.yaml"), "# a comment\n")
	_, planned, rendered = planRun(t, sel)
	require.Equal(t, []string{"alpha", "beta"}, planned)
	require.Equal(t, []string{}, rendered)

	// A new tpgen version plans and renders every site.
	v := o
	v.Version = "v1.1.0"
	_, planned, rendered = planRun(t, v)
	require.Equal(t, all, planned)
	require.Equal(t, all, rendered)
}

// TestIncrementalBeforePlanningCheck: --check plans no unchanged site
// either, yet catches a hand edit and a deleted file in one (that site
// and the other sites of its cluster are planned and compared); an index
// edited to claim the digests of changed inputs keeps no site; a profile
// that takes a kept site's name is refused, naming both.
func TestIncrementalBeforePlanningCheck(t *testing.T) {
	o, sites := planFleet(t)
	all := []string{"alpha", "beta", "delta", "epsilon", "gamma"}
	planRun(t, o)
	check := o
	check.Check = true

	res, planned, rendered := planRun(t, check)
	require.Equal(t, []string{}, planned)
	require.Equal(t, []string{}, rendered)
	require.Empty(t, res.Drift)

	edited := filepath.Join(o.OutDir, "gamma", "web-a", "deployment.apps_web-a.yaml")
	appendTo(t, edited, "# hand edit\n")
	deleted := filepath.Join(o.OutDir, "alpha", "db", "kustomization.yaml")
	require.NoError(t, os.Remove(deleted))
	res, planned, rendered = planRun(t, check)
	require.Equal(t, []string{"alpha", "beta", "gamma"}, planned)
	require.Equal(t, []string{"alpha", "beta", "gamma"}, rendered)
	require.Equal(t, []output.Drift{
		{Path: "alpha/db/kustomization.yaml", What: "missing"},
		{Path: "gamma/web-a/deployment.apps_web-a.yaml", What: "changed", Edited: true},
	}, res.Drift)
	planRun(t, o) // repairs the tree

	// The chart changes; the index is edited to claim the chart's new
	// digest: its seal no longer matches, and every site is planned.
	appendTo(t, filepath.Join(sites, "charts", "web", "values.yaml"), "# a comment\n")
	idxFile := filepath.Join(o.OutDir, output.IndexFile)
	b, err := os.ReadFile(idxFile)
	require.NoError(t, err)
	var idx map[string]any
	require.NoError(t, json.Unmarshal(b, &idx))
	reads := idx["sites"].(map[string]any)["gamma"].(map[string]any)["reads"].(map[string]any)
	chart := "tree:" + filepath.Join(sites, "charts", "web")
	require.Contains(t, reads, chart)
	reads[chart] = digestTree(t, filepath.Join(sites, "charts", "web"))
	b, err = json.MarshalIndent(idx, "", "  ")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(idxFile, append(b, '\n'), 0o644))
	_, planned, rendered = planRun(t, check)
	require.Equal(t, all, planned, "a forged index is trusted for nothing")
	require.Equal(t, all, rendered)
	_, planned, rendered = planRun(t, o)
	require.Equal(t, all, planned)
	require.Equal(t, all, rendered)

	// A new profile takes a kept site's name.
	require.NoError(t, os.WriteFile(filepath.Join(sites, "zeta.yaml"), []byte("name: gamma\nmodule: module\nkubernetesVersion: \"1.27\"\nprefix: zeta\ngitops: {engine: flux, repoURL: \"https://git.example.net/deploy.git\", revision: main}\n"), 0o644))
	_, err = render.Run(context.Background(), o)
	require.ErrorContains(t, err, `site name "gamma" is already used by `+filepath.Join(sites, "gamma.yaml"))
}

// digestTree is what the index would record for dir (any digest will
// do: the edit is what the test is about).
func digestTree(t *testing.T, dir string) string {
	t.Helper()
	return output.Hash([]byte(fmt.Sprint(readTree(t, dir))))
}
