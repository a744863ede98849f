package diff

import (
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// goldenObjects reads the rendered example fleet (golden/) as objects.
func goldenObjects(b *testing.B) []Object {
	b.Helper()
	var out []Object
	root := os.DirFS("../../golden")
	err := fs.WalkDir(root, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Base(p) == "kustomization.yaml" || path.Ext(p) != ".yaml" {
			return err
		}
		data, err := fs.ReadFile(root, p)
		if err != nil {
			return err
		}
		var doc map[string]any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return err
		}
		site, rel, _ := strings.Cut(p, "/")
		out = append(out, Object{Site: site, Tier: path.Dir(rel), File: p, Doc: doc})
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return out
}

// BenchmarkCompareExamples compares the example fleet's ~1200 objects with
// a copy in which every object changed (a label) and every workload
// changed an image: the worst case of a fleet-wide chart bump.
func BenchmarkCompareExamples(b *testing.B) {
	old := goldenObjects(b)
	bumped := goldenObjects(b)
	for _, o := range bumped {
		meta, _ := o.Doc["metadata"].(map[string]any)
		labels, _ := meta["labels"].(map[string]any)
		if labels == nil {
			labels = map[string]any{}
			meta["labels"] = labels
		}
		labels["helm.sh/chart"] = "bumped-9.9.9"
		labels["example.net/rollout"] = "2"
	}
	b.ReportAllocs()
	for b.Loop() {
		r := Compare(old, bumped, Options{})
		if len(r.Changes) == 0 {
			b.Fatal("no changes")
		}
	}
}
