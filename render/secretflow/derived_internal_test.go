package secretflow

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/object"
)

// derived reports exactly the fields the probe spelling does not explain,
// with their paths: the cheaper comparison (no path written, no key
// sorted, no respelling where there is no probe marker) finds what the
// first one found.
func TestDerivedPaths(t *testing.T) {
	const canon, probe = "((tpgen-secret:db/pw))", "~~TPGEN-SECRET:db/pw~~"
	cm := func(data map[string]any) object.Object {
		return object.Object{Source: "chart c@1 templates/cm.yaml", Doc: map[string]any{
			"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm"}, "data": data}}
	}
	for _, tc := range []struct {
		name string
		a, b map[string]any
		want []string
	}{
		{name: "equal", a: map[string]any{"k": "v", "n": []any{"x", true}}, b: map[string]any{"k": "v", "n": []any{"x", true}}},
		{name: "respelt marker", a: map[string]any{"k": "u:" + canon + "@h"}, b: map[string]any{"k": "u:" + probe + "@h"}},
		{name: "respelt key", a: map[string]any{canon: "v"}, b: map[string]any{probe: "v"}},
		{name: "derived string", a: map[string]any{"sum": "abc", "same": "x"}, b: map[string]any{"sum": "abd", "same": "x"},
			want: []string{"data.sum"}},
		{name: "probe spelling in both", a: map[string]any{"k": probe}, b: map[string]any{"k": probe},
			want: []string{"data.k"}},
		{name: "canonical spelling in both", a: map[string]any{"k": canon}, b: map[string]any{"k": canon}},
		{name: "key only in one", a: map[string]any{"a": "1"}, b: map[string]any{"b": "1"},
			want: []string{"data.a", "data.b"}},
		{name: "dotted key", a: map[string]any{"db.url": "x"}, b: map[string]any{"db.url": "y"},
			want: []string{`data["db.url"]`}},
		{name: "list index", a: map[string]any{"l": []any{"a", map[string]any{"m": "1"}}}, b: map[string]any{"l": []any{"a", map[string]any{"m": "2"}}},
			want: []string{"data.l[1].m"}},
		{name: "list length", a: map[string]any{"l": []any{"a"}}, b: map[string]any{"l": []any{"a", "b"}},
			want: []string{"data.l"}},
		{name: "type", a: map[string]any{"m": map[string]any{}}, b: map[string]any{"m": "x"},
			want: []string{"data.m"}},
		{name: "number", a: map[string]any{"n": 1}, b: map[string]any{"n": 2},
			want: []string{"data.n"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, m := range derived([]object.Object{cm(tc.a)}, []object.Object{cm(tc.b)}) {
				if m.Object != "ConfigMap/cm" || m.Source != "chart c@1 templates/cm.yaml" || m.Why != whyDerived {
					t.Errorf("misuse %+v", m)
				}
				got = append(got, m.Field)
			}
			slices.Sort(got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
	root := derived([]object.Object{cm(nil)}, []object.Object{{Doc: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "cm"}, "data": "x"}}})
	if len(root) != 1 || root[0].Field != "data" {
		t.Errorf("data turned into a string: %+v", root)
	}
}
