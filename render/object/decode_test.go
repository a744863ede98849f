package object

import (
	"strings"
	"testing"
)

// A rendered document with a duplicate key is refused, even with equal
// values (YAML spec): the pipeline never keeps one of two silently.
func TestDecodeRefusesDuplicateKeys(t *testing.T) {
	for _, src := range []string{
		"apiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\n",
		"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, name: b}\n",
		"apiVersion: v1\nkind: ConfigMap\n---\ndata: {k: 1, k: 1}\n",
	} {
		_, err := Decode([]byte(src))
		if err == nil || !strings.Contains(err.Error(), "already set in map") {
			t.Errorf("%q: want a duplicate key error, got %v", src, err)
		}
	}
	docs, err := Decode([]byte("apiVersion: v1\nkind: ConfigMap\n"))
	if err != nil || len(docs) != 1 || docs[0]["kind"] != "ConfigMap" {
		t.Errorf("a clean document: %v %v", docs, err)
	}
}
