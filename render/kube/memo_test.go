package kube

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"k8s.io/apimachinery/pkg/util/validation/field"
)

// Check's memo gives what a check gives, and the caller's own errors.
func TestCheckMemo(t *testing.T) {
	doc := func() map[string]any {
		return map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": "Bad_Name"}, "data": map[string]any{"k": "v"}, "dta": 1}
	}
	want := check(doc())
	if len(want) < 2 {
		t.Fatalf("want an invalid name and an unknown field, got %v", want)
	}
	first := Check(doc())
	first[0].Detail = "changed"
	for range 2 {
		got := Check(doc())
		if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(field.Error{})); diff != "" {
			t.Fatalf("memoized Check differs (-check +Check):\n%s", diff)
		}
		got[0].Detail = "changed"
	}
}
