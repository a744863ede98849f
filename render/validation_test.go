package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/crd"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// fleetObjects returns each site's objects in the shared rendering of the
// example fleet. The working directory must be the repository root.
func fleetObjects(t *testing.T) (*render.Result, map[string][]object.Object) {
	t.Helper()
	res := sharedFleet(t)
	out := map[string][]object.Object{}
	for _, s := range res.Sites {
		for _, f := range s.Tree {
			if f.Object.Doc == nil {
				continue // a tier's kustomization.yaml
			}
			o := f.Object
			o.Tier, _, _ = strings.Cut(f.Path, "/")
			out[s.Name] = append(out[s.Name], o)
		}
		out[s.Name] = append(out[s.Name], s.ClusterObjects...)
	}
	return res, out
}

// Every example site renders with zero findings: no error (render would
// have failed), no warning, nothing waived. The objects checked are real
// Kubernetes objects: built-in kinds through their API types, custom
// resources through the CRDs the site renders.
func TestFleetHasNoFindings(t *testing.T) {
	t.Chdir("..")
	res, objs := fleetObjects(t)
	require.Len(t, res.Sites, 8)
	builtin, custom := 0, 0
	for _, s := range res.Sites {
		assert.Empty(t, s.Findings, s.Name)
		for _, o := range objs[s.Name] {
			if kube.Builtin(o.APIVersion(), o.Kind()) {
				builtin++
			} else {
				custom++
			}
		}
	}
	assert.Greater(t, builtin, 900)
	assert.Greater(t, custom, 30)
}

// The custom resources of every example site are valid against the
// upstream CRDs of the operator versions of the release (../shared/crds),
// not only against tpgen's own, looser CRDs; and each CRD a site renders
// has an upstream CRD of the same name serving the same versions, so the
// upstream one can replace it (as the end-to-end test does). The Argo CD
// and Flux objects of gitops/ are checked against their upstream CRDs too.
func TestFleetAgainstUpstreamCRDs(t *testing.T) {
	var dirs []string
	for _, d := range []string{"strimzi-0.33.2", "percona-psmdb-1.13.0", "cert-manager-v1.12.0", "argo-cd-v3.5.1", "flux-v2"} {
		dirs = append(dirs, shared.CRDs(t, d))
	}
	upstream, err := crd.Load(dirs...)
	require.NoError(t, err)
	t.Chdir("..")
	_, objs := fleetObjects(t)
	checked := 0
	for site, list := range objs {
		for _, o := range list {
			if o.GroupKind() == "CustomResourceDefinition.apiextensions.k8s.io" {
				spec := o.Doc["spec"].(map[string]any)
				kind := spec["names"].(map[string]any)["kind"].(string)
				d, ok := upstream.Lookup(spec["group"].(string), kind)
				if assert.True(t, ok, "%s: no upstream CRD for %s", site, o.Name()) {
					assert.Equal(t, o.Name(), d.Name)
					for _, v := range spec["versions"].([]any) {
						if v.(map[string]any)["served"] == true {
							assert.Contains(t, d.Versions, v.(map[string]any)["name"], "%s: %s", site, o.Name())
						}
					}
				}
				continue
			}
			if kube.Builtin(o.APIVersion(), o.Kind()) {
				continue
			}
			_, ok := upstream.Lookup(o.Group(), o.Kind())
			require.True(t, ok, "%s: %s has no upstream CRD", site, o.ID())
			for _, e := range upstream.Validate(o.Doc) {
				t.Errorf("%s: %s: %v", site, o.ID(), e)
			}
			checked++
		}
	}
	assert.Greater(t, checked, 30)
}

// ValidateRendered reads back what Run writes (golden/ is that, byte for
// byte, TestGolden says): no findings, every object, sources from the
// headers.
func TestValidateRenderedReadsTheWrittenTree(t *testing.T) {
	t.Chdir("..")
	res, err := render.ValidateRendered(context.Background(), render.RenderedOptions{Dir: "golden", Paths: []string{"profiles"}})
	require.NoError(t, err)
	require.Len(t, res.Sites, 8)
	for _, s := range res.Sites {
		assert.Empty(t, s.Findings, s.Name)
		floor := 150 // a ThingPark site
		if strings.HasPrefix(s.Name, "nijmegen") {
			floor = 50 // a Smart Emission site
		}
		assert.Greater(t, s.Objects, floor, s.Name)
	}
}

// ValidateRendered reads the site's share of its cluster directory
// (render/tree, the directory's top level only: gitops/ holds the
// cluster's bootstrap) with the site's tiers.
func TestValidateRenderedReadsTheClusterDirectory(t *testing.T) {
	t.Chdir("..")
	dir := t.TempDir()
	for _, d := range []string{"nantes-iot", "clusters/nantes-iot"} {
		require.NoError(t, os.CopyFS(filepath.Join(dir, d), os.DirFS(filepath.Join("golden", d))))
	}
	// The site's profile only: four reads, each planning the whole fleet,
	// took a minute under -race.
	opts := render.RenderedOptions{Dir: dir, Paths: []string{"profiles/nantes-iot.yaml"}, Sites: []string{"nantes-iot"}}
	res, err := render.ValidateRendered(context.Background(), opts)
	require.NoError(t, err)
	require.Len(t, res.Sites, 1)
	assert.Empty(t, res.Sites[0].Findings)
	all := res.Sites[0].Objects

	// The cluster's bootstrap is not read: nothing there is parsed.
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clusters/nantes-iot/gitops/broken.yaml"), []byte("a: [\n"), 0o644))
	res, err = render.ValidateRendered(context.Background(), opts)
	require.NoError(t, err)
	assert.Equal(t, all, res.Sites[0].Objects)

	// One object fewer in the cluster directory: one object fewer read.
	require.NoError(t, os.Remove(filepath.Join(dir, "clusters/nantes-iot/clusterrole.rbac.authorization.k8s.io_strimzi-kafka-broker.yaml")))
	res, err = render.ValidateRendered(context.Background(), opts)
	require.NoError(t, err)
	assert.Equal(t, all-1, res.Sites[0].Objects)

	// A file of the cluster directory that is not YAML is named.
	bad := filepath.Join(dir, "clusters", "nantes-iot", "broken.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("a: [\n"), 0o644))
	_, err = render.ValidateRendered(context.Background(), opts)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "site nantes-iot: reading "+bad+": ")
}
