// Package object is the value every pipeline stage passes on: one
// Kubernetes object as a generic map, with where it came from. It is not a
// stage; it holds no platform knowledge.
package object

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"sigs.k8s.io/yaml"
)

// Object is one Kubernetes object and its provenance.
type Object struct {
	// Tier is the output tier the object belongs to.
	Tier string
	// Source says what produced it, e.g. "chart data@1.3.5
	// templates/kafka.yaml" or "overlay hosting/eks".
	Source string
	// Patched names the overlays that changed the object Source made, or
	// "" (findings name them beside the source).
	Patched string
	// Doc is the object. Numbers are json.Number so they print as written.
	Doc map[string]any
}

// APIVersion returns apiVersion.
func (o Object) APIVersion() string { s, _ := o.Doc["apiVersion"].(string); return s }

// Kind returns kind.
func (o Object) Kind() string { s, _ := o.Doc["kind"].(string); return s }

// Group returns the API group ("" for core).
func (o Object) Group() string {
	if g, _, ok := strings.Cut(o.APIVersion(), "/"); ok {
		return g
	}
	return ""
}

func (o Object) meta() map[string]any { m, _ := o.Doc["metadata"].(map[string]any); return m }

// Name returns metadata.name.
func (o Object) Name() string { s, _ := o.meta()["name"].(string); return s }

// Namespace returns metadata.namespace.
func (o Object) Namespace() string { s, _ := o.meta()["namespace"].(string); return s }

// SetNamespace sets metadata.namespace.
func (o Object) SetNamespace(ns string) {
	m := o.meta()
	if m == nil {
		m = map[string]any{}
		o.Doc["metadata"] = m
	}
	m["namespace"] = ns
}

// Annotations returns metadata.annotations (nil when absent).
func (o Object) Annotations() map[string]any {
	m, _ := o.meta()["annotations"].(map[string]any)
	return m
}

// ID names the object as Kind/namespace/name (Kind/name when cluster-scoped).
func (o Object) ID() string {
	if ns := o.Namespace(); ns != "" {
		return o.Kind() + "/" + ns + "/" + o.Name()
	}
	return o.Kind() + "/" + o.Name()
}

// GroupKind returns kind.group, or kind for the core group.
func (o Object) GroupKind() string {
	if g := o.Group(); g != "" {
		return o.Kind() + "." + g
	}
	return o.Kind()
}

// Dig walks nested maps by key and returns the value at path, or nil when
// a step is missing or not a map.
func Dig(v any, path ...string) any {
	for _, p := range path {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[p]
	}
	return v
}

// EncodedSize is the length of the object's JSON encoding, what a
// last-applied-configuration annotation would hold.
func (o Object) EncodedSize() (int, error) {
	b, err := json.Marshal(o.Doc)
	return len(b), err
}

// Decode splits a multi-document YAML stream into objects. Empty documents
// are skipped; a document that is not a mapping is an error naming its
// index. Numbers are kept exact. A duplicate key in a mapping is an error
// (YAML spec), even with equal values.
func Decode(src []byte) ([]map[string]any, error) {
	var out []map[string]any
	for i, doc := range splitDocs(src) {
		k := sha256.Sum256(doc)
		if m, ok := decoded.Get(k); ok {
			out = append(out, DeepCopy(m))
			continue
		}
		j, err := yaml.YAMLToJSONStrict(doc)
		if err != nil {
			return nil, fmt.Errorf("document %d: %w", i+1, err)
		}
		if bytes.Equal(bytes.TrimSpace(j), []byte("null")) {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(j))
		d.UseNumber()
		var m map[string]any
		if err := d.Decode(&m); err != nil {
			return nil, fmt.Errorf("document %d: not a mapping: %w", i+1, err)
		}
		if m == nil {
			out = append(out, m) // a document "null" spelled otherwise
			continue
		}
		decoded.Put(k, m, int64(len(doc)))
		out = append(out, DeepCopy(m))
	}
	return out, nil
}

// Normalize returns doc as Decode gives it back from its encoding:
// numbers as json.Number, lists as []any, mappings as map[string]any. It
// makes an object a stage built in memory (with Go ints or []string)
// comparable, by reflect.DeepEqual, with one read from a file. doc is not
// changed.
func Normalize(doc map[string]any) (map[string]any, error) {
	b, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, err
	}
	return m, nil
}

// splitDocs splits on lines that are exactly "---" (optionally with a
// trailing comment), as YAML streams do.
func splitDocs(src []byte) [][]byte {
	var docs [][]byte
	var cur bytes.Buffer
	for _, line := range bytes.SplitAfter(src, []byte("\n")) {
		t := bytes.TrimRight(line, " \t\r\n")
		if bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) {
			docs = append(docs, bytes.Clone(cur.Bytes()))
			cur.Reset()
			continue
		}
		cur.Write(line)
	}
	return append(docs, cur.Bytes())
}

// Encode writes doc as YAML with sorted keys.
func Encode(w io.Writer, doc map[string]any) error {
	b, err := marshalYAML(doc)
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// MarshalYAML returns doc as YAML with sorted keys: sigs.k8s.io/yaml's
// Marshal, byte for byte (doc's JSON encoding converted to YAML), once
// per distinct JSON encoding.
func MarshalYAML(doc map[string]any) ([]byte, error) {
	b, err := marshalYAML(doc)
	return bytes.Clone(b), err
}

// marshalYAML is MarshalYAML, its result shared with the memo.
func marshalYAML(doc map[string]any) ([]byte, error) {
	j, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("error marshaling into JSON: %w", err)
	}
	k := sha256.Sum256(j)
	if y, ok := encoded.Get(k); ok {
		return y, nil
	}
	y, err := yaml.JSONToYAML(j)
	if err != nil {
		return nil, err
	}
	encoded.Put(k, y, int64(len(y)))
	return y, nil
}

// DeepCopy copies a decoded document (maps, lists and scalars) so that a
// stage may change it without touching its input.
func DeepCopy(doc map[string]any) map[string]any {
	out := make(map[string]any, len(doc))
	for k, v := range doc {
		out[k] = deepCopyValue(v)
	}
	return out
}

func deepCopyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return DeepCopy(v)
	case []any:
		c := make([]any, len(v))
		for i := range v {
			c[i] = deepCopyValue(v[i])
		}
		return c
	}
	return v
}

// UnionKeys returns the keys of a and b, sorted, each once: the fields two
// versions of a mapping have between them.
func UnionKeys(a, b map[string]any) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
