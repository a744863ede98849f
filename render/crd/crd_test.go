package crd

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

func doc(t *testing.T, src string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := yaml.Unmarshal([]byte(src), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func errStrings(t *testing.T, s *Set, obj map[string]any) []string {
	t.Helper()
	var out []string
	for _, e := range s.Validate(obj) {
		out = append(out, e.Error())
	}
	return out
}

const widget = `apiVersion: example.com/v1
kind: Widget
metadata: {name: w, namespace: tpe}
spec:
  size: 3
  ports: [{name: http, port: 80}]
  template: {apiVersion: v1, kind: Pod, metadata: {name: p}}
`

func TestLoadAndValidate(t *testing.T) {
	s, err := Load("testdata")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range s.Definitions() {
		names = append(names, d.String())
	}
	if d := cmp.Diff([]string{"clusterwidgets.example.com (ClusterWidget.example.com, v1)", "widgets.example.com (Widget.example.com, v1)"}, names); d != "" {
		t.Errorf("definitions (-want +got):\n%s", d)
	}
	if d, _ := s.Lookup("example.com", "ClusterWidget"); d.Namespaced {
		t.Error("ClusterWidget is cluster-scoped")
	}
	for _, tc := range []struct {
		name   string
		modify func(m map[string]any)
		want   []string
	}{
		{name: "valid (the default fills color)"},
		{name: "unknown field", modify: func(m map[string]any) { spec(m)["colour"] = "red" },
			want: []string{"spec.colour: Forbidden: unknown field (not in the CRD schema)"}},
		{name: "unknown metadata field", modify: func(m map[string]any) { m["metadata"].(map[string]any)["labelz"] = map[string]any{} },
			want: []string{"metadata.labelz: Forbidden: unknown field (not in the CRD schema)"}},
		{name: "wrong type", modify: func(m map[string]any) { spec(m)["size"] = "3" },
			want: []string{`spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"`}},
		{name: "minimum", modify: func(m map[string]any) { spec(m)["size"] = 0 },
			want: []string{"spec.size: Invalid value: 0: spec.size in body should be greater than or equal to 1"}},
		{name: "missing required field, and CEL is not run (as the API server)", modify: func(m map[string]any) { delete(spec(m), "size") },
			want: []string{"spec.size: Required value"}},
		{name: "enum", modify: func(m map[string]any) { spec(m)["color"] = "green" },
			want: []string{`spec.color: Unsupported value: "green": supported values: "red", "blue"`}},
		{name: "CEL rule", modify: func(m map[string]any) { spec(m)["size"] = 11 },
			want: []string{"spec: Invalid value: size must be at most 10"}},
		{name: "list-map keys are unique", modify: func(m map[string]any) {
			spec(m)["ports"] = []any{map[string]any{"name": "http", "port": 80}, map[string]any{"name": "http", "port": 81}}
		}, want: []string{`spec.ports[1]: Duplicate value: {"name":"http"}`}},
		{name: "embedded resource needs kind", modify: func(m map[string]any) { delete(spec(m)["template"].(map[string]any), "kind") },
			want: []string{"spec.template.kind: Required value"}},
		{name: "invalid name", modify: func(m map[string]any) { m["metadata"].(map[string]any)["name"] = "W" },
			want: []string{`metadata.name: Invalid value: "W": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`}},
		{name: "a version not served", modify: func(m map[string]any) { m["apiVersion"] = "example.com/v1beta1" },
			want: []string{`apiVersion: Unsupported value: "example.com/v1beta1": supported values: "example.com/v1"`}},
		{name: "a kind the set does not define", modify: func(m map[string]any) { m["kind"] = "Gadget" },
			want: []string{`kind: Not found: "Gadget.example.com"`}},
		{name: "a namespaced kind needs a namespace", modify: func(m map[string]any) { delete(m["metadata"].(map[string]any), "namespace") },
			want: []string{"metadata.namespace: Required value"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := doc(t, widget)
			if tc.modify != nil {
				tc.modify(m)
			}
			before, _ := yaml.Marshal(m)
			if d := cmp.Diff(tc.want, errStrings(t, s, m)); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if after, _ := yaml.Marshal(m); string(after) != string(before) {
				t.Error("Validate modified its argument")
			}
		})
	}
}

func spec(m map[string]any) map[string]any { return m["spec"].(map[string]any) }

func TestAddRefusesWhatTheAPIServerRefuses(t *testing.T) {
	s := NewSet()
	crd := doc(t, `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: gadgets.example.com}
spec:
  group: example.com
  names: {kind: Gadget, plural: gadgetz}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec: {type: object, properties: {size: {}}}
`)
	errs, err := s.Add(crd)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range errs {
		got = append(got, e.Error())
	}
	want := []string{
		`metadata.name: Invalid value: "gadgets.example.com": must be spec.names.plural+"."+spec.group`,
		"spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type: Required value: must not be empty for specified object fields",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if len(s.Definitions()) != 0 {
		t.Error("an invalid CRD was added")
	}
	dir := t.TempDir()
	b, _ := yaml.Marshal(crd)
	if err := os.WriteFile(filepath.Join(dir, "gadgets.yaml"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "gadgets.yaml: CustomResourceDefinition gadgets.example.com: ") {
		t.Errorf("Load: got %v, want an error naming the file and the CRD", err)
	}
}

// Validate is safe for concurrent use (run with -race).
func TestValidateConcurrently(t *testing.T) {
	s, err := Load("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			m := doc(t, widget)
			spec(m)["size"] = 11
			if errs := s.Validate(m); len(errs) != 1 {
				t.Errorf("got %v", errs)
			}
		})
	}
	wg.Wait()
}

// TestValidateMemo: Validate is memoized by object content per CRD
// (issue 17: a fleet's sites validate the same custom resources), and a
// result served from the memo is the one computed, whatever the caller
// did to an earlier one.
func TestValidateMemo(t *testing.T) {
	s, err := Load("testdata/widgets.yaml")
	if err != nil {
		t.Fatal(err)
	}
	d, _ := s.Lookup("example.com", "Widget")
	bad := func(size any) map[string]any {
		m := doc(t, widget)
		m["metadata"].(map[string]any)["name"] = "memo-test" // not in the other tests' memo
		spec(m)["size"] = size
		return m
	}
	wantCEL := []string{"spec: Invalid value: size must be at most 10"}
	wantType := []string{`spec.size: Invalid value: "string": spec.size in body must be of type integer: "string"`}
	before := d.results.Len()
	for i := range 3 {
		if diff := cmp.Diff(wantCEL, errStrings(t, s, bad(11))); diff != "" {
			t.Fatalf("call %d (-want +got):\n%s", i+1, diff)
		}
		s.Validate(bad(11))[0].Detail = "changed by the caller"
		if diff := cmp.Diff(wantType, errStrings(t, s, bad("3"))); diff != "" {
			t.Fatalf("call %d, another object (-want +got):\n%s", i+1, diff)
		}
	}
	if got := d.results.Len() - before; got != 2 {
		t.Errorf("the memo holds %d new results, want 2 (one per distinct object)", got)
	}
}
