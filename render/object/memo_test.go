package object

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
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

// The memos stay within their bound, evicting the oldest first.
func TestMemoBounded(t *testing.T) {
	m := newMemo[[]byte](16 * 1000)
	key := func(i int) [sha256.Size]byte { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	for i := range 1000 {
		m.put(key(i), make([]byte, 100), 100)
	}
	if m.size > m.max || len(m.m) != len(m.order) {
		t.Fatalf("size %d over max %d, %d entries, %d in order", m.size, m.max, len(m.m), len(m.order))
	}
	if _, ok := m.get(key(0)); ok {
		t.Error("the oldest entry was kept")
	}
	if _, ok := m.get(key(999)); !ok {
		t.Error("the newest entry was evicted")
	}
	m.put(key(-1), make([]byte, 2000), 2000) // over max/16: not kept
	if _, ok := m.get(key(-1)); ok {
		t.Error("an entry over a sixteenth of the bound was kept")
	}
}
