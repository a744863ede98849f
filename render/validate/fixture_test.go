package validate

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/render/object"
)

// fixture is testdata/site.yaml as a site's items, ready to break.
type fixture struct {
	items []Item
	opts  Options
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	data, err := os.ReadFile("testdata/site.yaml")
	if err != nil {
		t.Fatal(err)
	}
	docs, err := object.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{opts: Options{
		Site: "s1", Profile: "profiles/s1.yaml", KubeVersion: "1.27", Namespace: "tpe", ClusterTier: "cluster",
		Policy: Policy{
			PriorityClasses: []string{"pc-high"},
			Exposure:        Exposure{Ports: []int{443}, Because: "the test"},
			NetworkPolicy:   true,
			Provided:        map[string][]string{"Secret": {"app-tls"}},
			References:      []Reference{{Group: "example.com", Kind: "Widget", Path: "spec.disk.class", Refers: "StorageClass"}},
		},
	}}
	for _, d := range docs {
		o := object.Object{Doc: d, Source: "test"}
		ann := o.Annotations()
		o.Tier = ann["test.tier"].(string)
		delete(ann, "test.tier")
		if len(ann) == 0 {
			delete(o.Doc["metadata"].(map[string]any), "annotations")
		}
		f.items = append(f.items, Item{Object: o, File: o.Tier + "/" + strings.ToLower(o.Kind()) + "_" + o.Name() + ".yaml"})
	}
	return f
}

// obj returns the document of the object with the given ID.
func (f *fixture) obj(t testing.TB, id string) map[string]any {
	t.Helper()
	for _, it := range f.items {
		if it.Object.ID() == id {
			return it.Object.Doc
		}
	}
	t.Fatalf("fixture has no %s", id)
	return nil
}

func (f *fixture) item(t testing.TB, id string) *Item {
	t.Helper()
	for i := range f.items {
		if f.items[i].Object.ID() == id {
			return &f.items[i]
		}
	}
	t.Fatalf("fixture has no %s", id)
	return nil
}

// add appends objects given as YAML, in tier.
func (f *fixture) add(t testing.TB, tier, src string) {
	t.Helper()
	docs, err := object.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		o := object.Object{Doc: d, Tier: tier, Source: "test"}
		f.items = append(f.items, Item{Object: o, File: tier + "/" + strings.ToLower(o.Kind()) + "_" + o.Name() + ".yaml"})
	}
}

// remove drops the object with the given ID.
func (f *fixture) remove(t testing.TB, id string) {
	t.Helper()
	for i, it := range f.items {
		if it.Object.ID() == id {
			f.items = append(f.items[:i], f.items[i+1:]...)
			return
		}
	}
	t.Fatalf("fixture has no %s", id)
}

// set writes v at a dotted path (numbers index lists), creating maps.
func set(doc map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	var cur any = doc
	for i, p := range parts {
		last := i == len(parts)-1
		switch c := cur.(type) {
		case map[string]any:
			if last {
				c[p] = v
				return
			}
			if c[p] == nil {
				c[p] = map[string]any{}
			}
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			if last {
				c[n] = v
				return
			}
			cur = c[n]
		}
	}
}

// del deletes the key at a dotted path.
func del(doc map[string]any, path string) {
	parts := strings.Split(path, ".")
	var cur any = doc
	for _, p := range parts[:len(parts)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			n, _ := strconv.Atoi(p)
			cur = c[n]
		}
	}
	delete(cur.(map[string]any), parts[len(parts)-1])
}
