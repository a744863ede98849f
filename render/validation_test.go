package render_test

import (
	"context"
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
		for _, f := range s.Files {
			if strings.HasSuffix(f.Path, "/kustomization.yaml") {
				continue
			}
			docs, err := object.Decode(f.Data)
			require.NoError(t, err)
			tier, _, _ := strings.Cut(f.Path, "/")
			for _, d := range docs {
				out[s.Name] = append(out[s.Name], object.Object{Tier: tier, Doc: d})
			}
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
