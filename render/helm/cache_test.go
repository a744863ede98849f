package helm

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart"
)

// The cache gives what a rendering gives, for every input that changes
// it, and the caller's own objects.
func TestCache(t *testing.T) {
	const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-cm, namespace: {{ .Release.Namespace }}}
data:
  v: "{{ .Values.v }}"
  kube: "{{ .Capabilities.KubeVersion.Minor }}"
  widgets: "{{ .Capabilities.APIVersions.Has "example.com/v1/Widget" }}"
  {{- range .Files.Glob "files/*" }}
  file: {{ $.Files.Get "files/a" | quote }}
  {{- end }}
`
	base := Options{Release: "r", Namespace: "ns", Tier: "t", KubeVersion: "1.27", Values: map[string]any{"v": "a"}}
	variants := map[string]func(o *Options, c *chartEdit){
		"same":        func(*Options, *chartEdit) {},
		"values":      func(o *Options, _ *chartEdit) { o.Values = map[string]any{"v": "b"} },
		"release":     func(o *Options, _ *chartEdit) { o.Release = "s" },
		"namespace":   func(o *Options, _ *chartEdit) { o.Namespace = "other" },
		"tier":        func(o *Options, _ *chartEdit) { o.Tier = "u" },
		"kube":        func(o *Options, _ *chartEdit) { o.KubeVersion = "1.30" },
		"api":         func(o *Options, _ *chartEdit) { o.APIVersions = []string{"example.com/v1/Widget"} },
		"template":    func(_ *Options, c *chartEdit) { c.template = "# changed\n" },
		"file":        func(_ *Options, c *chartEdit) { c.file = "changed" },
		"chart value": func(_ *Options, c *chartEdit) { c.value = "changed" },
	}
	cache := NewCache(0)
	for name, change := range variants {
		t.Run(name, func(t *testing.T) {
			for round := range 3 { // a miss, a miss kept, then a hit
				o, e := base, chartEdit{file: "a"}
				change(&o, &e)
				want, err := Render(e.chart(cm), o)
				if err != nil {
					t.Fatal(err)
				}
				o.Cache = cache
				got, err := Render(e.chart(cm), o)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("round %d: cached rendering differs (-render +cached):\n%s", round, diff)
				}
				got[0].SetNamespace("changed by a later stage")
			}
		})
	}
	// Each variant misses twice, then hits: a change left out of the key
	// would hit at once (and "chart value", which changes no output, only
	// shows there).
	if hits := cache.Hits(); hits != len(variants) {
		t.Errorf("hits = %d, want %d (one per variant)", hits, len(variants))
	}
	// A hit meets Bound as a rendering does.
	o := base
	o.Cache = cache
	o.Bound = func(docs int, bytes, largest int64) error { return fmt.Errorf("%d documents: over", docs) }
	if _, err := Render(chartEdit{file: "a"}.chart(cm), o); err == nil || err.Error() != "rendering chart demo@1.0.0: 1 documents: over" {
		t.Errorf("a cached rendering over the bound: got %v", err)
	}
	// A failed rendering is not kept.
	before := cache.Hits()
	bad := chartEdit{template: `{{ fail "no" }}`}
	for range 2 {
		if _, err := Render(bad.chart(cm), o); err == nil {
			t.Fatal("a failing template rendered")
		}
	}
	if cache.Hits() != before {
		t.Error("a failed rendering was cached")
	}
}

// chartEdit changes the test chart in one place.
type chartEdit struct{ template, file, value string }

func (e chartEdit) chart(cm string) *chart.Chart {
	c := testChart(map[string]string{"cm.yaml": cm + e.template})
	c.Files = append(c.Files, &chart.File{Name: "files/a", Data: []byte(e.file)})
	if e.value != "" {
		c.Values = map[string]any{"unused": e.value}
	}
	return c
}

// Values that encode to the same JSON but hold different Go types (an
// int, a float64 and a json.Number 1; a string "1") render differently
// (kindOf, printf "%T"), so they must not share a cache entry; nor may
// two value sets that differ in one leaf.
func TestCacheTellsValueTypesApart(t *testing.T) {
	const cm = `apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
data:
  kind: {{ kindOf .Values.n | quote }}
  type: {{ printf "%T" .Values.n | quote }}
  leaf: {{ .Values.deep.a.b | quote }}
`
	cache := NewCache(0)
	deep := func(leaf string) map[string]any {
		return map[string]any{"a": map[string]any{"b": leaf}}
	}
	for _, tc := range []struct {
		name   string
		values map[string]any
		kind   string
		typ    string
		leaf   string
	}{
		{name: "int", values: map[string]any{"n": 1, "deep": deep("x")}, kind: "int", typ: "int", leaf: "x"},
		{name: "float64", values: map[string]any{"n": 1.0, "deep": deep("x")}, kind: "float64", typ: "float64", leaf: "x"},
		{name: "int64", values: map[string]any{"n": int64(1), "deep": deep("x")}, kind: "int64", typ: "int64", leaf: "x"},
		{name: "json.Number", values: map[string]any{"n": json.Number("1"), "deep": deep("x")}, kind: "string", typ: "json.Number", leaf: "x"},
		{name: "one leaf differs", values: map[string]any{"n": 1, "deep": deep("y")}, kind: "int", typ: "int", leaf: "y"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for round := range 3 { // a miss, a miss kept, then a hit
				objs, err := Render(testChart(map[string]string{"cm.yaml": cm}), Options{
					Release: "r", Namespace: "ns", Tier: "t", KubeVersion: "1.27", Values: tc.values, Cache: cache,
				})
				if err != nil {
					t.Fatal(err)
				}
				got := objs[0].Doc["data"]
				want := map[string]any{"kind": tc.kind, "type": tc.typ, "leaf": tc.leaf}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("round %d (-want +got):\n%s", round, diff)
				}
			}
		})
	}
}
