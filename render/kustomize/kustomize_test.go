package kustomize

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tpgen/tpgen/render/object"
)

const component = `apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
patches:
- target: {kind: Deployment}
  patch: |-
    - op: add
      path: /metadata/labels
      value: {zone: aware}
`

func deployment(name string) object.Object {
	return object.Object{Tier: "app", Source: "chart demo@1.0.0 templates/d.yaml", Doc: map[string]any{
		"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": name, "namespace": "tpe"},
	}}
}

func TestApply(t *testing.T) {
	overlays := fstest.MapFS{"zones/kustomization.yaml": {Data: []byte(component)}}
	site := t.TempDir()
	os.WriteFile(filepath.Join(site, "kustomization.yaml"), []byte(`apiVersion: kustomize.config.k8s.io/v1alpha1
kind: Component
resources: [extra.yaml]
`), 0o644)
	os.WriteFile(filepath.Join(site, "extra.yaml"), []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: extra, namespace: tpe}\n"), 0o644)

	out, err := Apply([]object.Object{deployment("a")}, Options{Overlays: overlays, Components: []string{"zones"}, SiteOverlay: site})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 {
		t.Fatalf("want the Deployment and the overlay's ConfigMap, got %d objects", len(out))
	}
	for _, o := range out {
		switch o.Kind() {
		case "Deployment":
			if o.Tier != "app" || o.Source != "chart demo@1.0.0 templates/d.yaml" {
				t.Errorf("provenance lost: %q %q", o.Tier, o.Source)
			}
			if got := o.Doc["metadata"].(map[string]any)["labels"]; got == nil {
				t.Errorf("patch not applied: %v", o.Doc)
			}
			if o.Annotations() != nil {
				t.Errorf("internal annotations left behind: %v", o.Annotations())
			}
		case "ConfigMap":
			if o.Tier != "" || !strings.HasPrefix(o.Source, "overlay zones, "+site) {
				t.Errorf("an added object has no tier and names the overlays: %q %q", o.Tier, o.Source)
			}
		}
	}
}

func TestApplyErrorNamesOverlay(t *testing.T) {
	site := t.TempDir()
	os.WriteFile(filepath.Join(site, "kustomization.yaml"), []byte("apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\npatches:\n- path: missing.yaml\n"), 0o644)
	_, err := Apply([]object.Object{deployment("a")}, Options{SiteOverlay: site})
	if err == nil || !strings.Contains(err.Error(), "applying overlays ("+site+")") || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("got %v", err)
	}
}

func TestApplyWithoutOverlaysIsIdentity(t *testing.T) {
	in := []object.Object{deployment("a")}
	out, err := Apply(in, Options{})
	if err != nil || len(out) != 1 || out[0].Doc["metadata"].(map[string]any)["annotations"] != nil {
		t.Fatalf("got %v %v", out, err)
	}
}

// A component of kind kustomize is built in memory, under the refusals of
// a site overlay.
func TestBuild(t *testing.T) {
	objs, err := Build(map[string][]byte{
		"kustomization.yaml": []byte("resources: [cm.yaml]\nnamePrefix: x-\n"),
		"cm.yaml":            []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"),
	}, "overlays/app")
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 || objs[0].Name() != "x-c" || objs[0].Source != "kustomize overlays/app" {
		t.Fatalf("got %+v", objs)
	}
	_, err = Build(map[string][]byte{
		"kustomization.yaml": []byte("resources: [https://example.com/x.yaml]\n"),
	}, "overlays/app")
	want := "kustomize directory overlays/app: refused (render never fetches nor runs anything):\n  overlays/app/kustomization.yaml: resources entry \"https://example.com/x.yaml\" is remote"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("got %v, want %q", err, want)
	}
}
