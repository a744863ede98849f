package secret

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Scan's memo tells apart what Scan tells apart, JSON-equal or not, and
// hands out copies.
func TestScanMemo(t *testing.T) {
	doc := func(v any) map[string]any {
		return map[string]any{"spec": map[string]any{"password": v, "env": []any{map[string]any{"name": "x", "value": "y"}}}}
	}
	first := Scan(doc(12345678))
	if len(first) != 1 {
		t.Fatalf("an int password: got %v, want one finding", first)
	}
	want := cloneFindings(first)
	first[0].Path[0].Key = "changed"
	first[0].Reason = "changed"
	for range 3 { // kept from the second scan on
		got := Scan(doc(12345678))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("the memo handed out its own findings (-want +got):\n%s", diff)
		}
		got[0].Path[0].Key = "changed"
	}
	// Same JSON, another Go type that Scan ignores.
	if got := Scan(doc(uint(12345678))); len(got) != 0 {
		t.Errorf("a uint password (Scan ignores the type): got %v, the int's findings", got)
	}
	for _, v := range []any{json.Number("12345678"), "12345678", float64(12345678), int64(12345678)} {
		fresh := []Finding(nil)
		scan(doc(v), nil, 0, false, &fresh)
		for range 2 {
			if diff := cmp.Diff(fresh, Scan(doc(v))); diff != "" {
				t.Errorf("%T: memoized Scan differs (-scan +Scan):\n%s", v, diff)
			}
		}
	}
}
