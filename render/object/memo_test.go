package object

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// Decode hands out copies: a stage that changes what it decoded (the
// arrangement sets namespaces in place) does not change what the next
// site decodes from the same bytes.
func TestDecodeMemoGivesCopies(t *testing.T) {
	src := []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: y}}\ndata: {list: '1', num: 1.50}\n")
	first, err := Decode(src)
	if err != nil {
		t.Fatal(err)
	}
	want := DeepCopy(first[0])
	change := func(d map[string]any) {
		d["metadata"].(map[string]any)["namespace"] = "changed"
		d["metadata"].(map[string]any)["labels"].(map[string]any)["x"] = "changed"
	}
	change(first[0])
	for range 3 {
		again, err := Decode(src)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, again[0]); diff != "" {
			t.Fatalf("a change to a decoded document reached the next decode (-want +got):\n%s", diff)
		}
		if again[0]["data"].(map[string]any)["num"] != json.Number("1.5") {
			t.Errorf("number: got %#v", again[0]["data"])
		}
		change(again[0])
	}
}

// MarshalYAML is sigs.k8s.io/yaml's Marshal byte for byte, memoized or
// not, and its result is the caller's.
func TestMarshalYAMLEqualsYAMLMarshal(t *testing.T) {
	docs := []map[string]any{
		{"kind": "ConfigMap", "data": map[string]any{"on": "on", "yes": "y", "n": json.Number("1.0"), "big": json.Number("12345678901234567890")}},
		{"b": []any{"x", map[string]any{"z": nil, "a": true}}, "a": "multi\nline\n", "c": "<&>", "d": 1.5, "e": int64(7)},
		{},
	}
	for i, d := range docs {
		want, err := yaml.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		for range 2 {
			got, err := MarshalYAML(d)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("doc %d: got %q %v, want %q", i, got, err, want)
			}
			got[0] = '!' // the caller's: the memo keeps its own
		}
	}
	if _, err := MarshalYAML(map[string]any{"f": func() {}}); err == nil {
		t.Error("a value JSON cannot encode: no error")
	}
}
