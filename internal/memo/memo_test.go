package memo

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
)

// A memo stays within its bound, evicting the oldest first.
func TestMemoBounded(t *testing.T) {
	m := New[[]byte](16 * 1000)
	key := func(i int) Key { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	for i := range 1000 {
		m.Put(key(i), make([]byte, 100), 100)
		if _, ok := m.Get(key(i)); ok {
			t.Fatal("a value put once was kept")
		}
		m.Put(key(i), make([]byte, 100), 100)
	}
	if m.Size() > 16*1000 || m.Len() != len(m.order) {
		t.Fatalf("size %d over the bound, %d entries, %d in order", m.Size(), m.Len(), len(m.order))
	}
	if _, ok := m.Get(key(0)); ok {
		t.Error("the oldest entry was kept")
	}
	if _, ok := m.Get(key(999)); !ok {
		t.Error("the newest entry was evicted")
	}
	m.Put(key(-1), make([]byte, 2000), 2000) // over a sixteenth: not kept
	m.Put(key(-1), make([]byte, 2000), 2000)
	if _, ok := m.Get(key(-1)); ok {
		t.Error("an entry over a sixteenth of the bound was kept")
	}
}

// Digest tells apart what a JSON encoding would not (the Go types), and
// nothing else.
func TestDigest(t *testing.T) {
	docs := []any{
		map[string]any{"n": json.Number("1")},
		map[string]any{"n": 1},
		map[string]any{"n": int64(1)},
		map[string]any{"n": float64(1)},
		map[string]any{"n": "1"},
		map[string]any{"n": true},
		map[string]any{"n": nil},
		map[string]any{"n": []any{}},
		map[string]any{"n": map[string]any{}},
		map[string]any{"n": []any{"a", "b"}},
		map[string]any{"n": []any{"ab"}},
		map[string]any{"na": "b"},
		map[string]any{"n": "ab"},
	}
	seen := map[Key]int{}
	for i, d := range docs {
		k, ok := Digest(d)
		if !ok {
			t.Fatalf("doc %d: not digested", i)
		}
		if j, dup := seen[k]; dup {
			t.Errorf("docs %d and %d share a digest", j, i)
		}
		seen[k] = i
	}
	a, _ := Digest(map[string]any{"x": 1, "y": map[string]any{"z": "w", "v": []any{1.5}}})
	b, _ := Digest(map[string]any{"y": map[string]any{"v": []any{1.5}, "z": "w"}, "x": 1})
	if a != b {
		t.Error("the same document built in another order: another digest")
	}
	if _, ok := Digest(map[string]any{"u": uint(1)}); ok {
		t.Error("a uint was digested: Digest must refuse types it does not know")
	}
}

// nestedDoc has maps inside maps inside lists, whose keys Digest sorts
// on one shared stack.
func nestedDoc() any {
	return map[string]any{
		"z": map[string]any{"b": []any{map[string]any{"y": 1, "x": json.Number("2")}, "s"}, "a": nil},
		"a": []any{true, false, 1.5, int64(-3)},
		"m": map[string]any{"k2": map[string]any{"q": "r", "p": map[string]any{}}, "k1": "v"},
	}
}

// Digest is the same function whatever its buffers: the digest of a
// nested document is the one the first version (a slice of keys per map,
// a new hash per call) computed.
func TestDigestStable(t *testing.T) {
	for range 3 { // the pooled digester is reused
		k, ok := Digest(nestedDoc())
		if got := fmt.Sprintf("%x", k); !ok || got != "912ee144bce7ef61a21bbe314101ae2038431e4f04840fd375de86f6c3f6b70b" {
			t.Fatalf("Digest = %s, %v", got, ok)
		}
	}
	// A refused document leaves nothing behind for the next call.
	if _, ok := Digest(map[string]any{"a": map[string]any{"b": uint(1), "c": 1}}); ok {
		t.Fatal("a uint was digested")
	}
	if k, _ := Digest(nestedDoc()); fmt.Sprintf("%x", k) != "912ee144bce7ef61a21bbe314101ae2038431e4f04840fd375de86f6c3f6b70b" {
		t.Error("a refused document changed the next digest")
	}
}

// Digest allocates nothing once warm (issue 17: it ran for every object
// of every site several times and allocated 5% of a fleet render).
func TestDigestAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's sync.Pool drops items")
	}
	doc := nestedDoc()
	if n := testing.AllocsPerRun(100, func() { Digest(doc) }); n > 0 {
		t.Errorf("Digest allocates %v times a call, want 0", n)
	}
}

// ClonePtrs copies the elements too: changing a copy changes neither the
// original list nor what it points to.
func TestClonePtrs(t *testing.T) {
	type e struct{ msg string }
	orig := []*e{{"a"}, {"b"}}
	c := ClonePtrs(orig)
	c[0].msg = "changed"
	c[1] = &e{"replaced"}
	if orig[0].msg != "a" || orig[1].msg != "b" {
		t.Fatalf("the original changed: %q %q", orig[0].msg, orig[1].msg)
	}
	if ClonePtrs([]*e(nil)) != nil {
		t.Fatal("nil must stay nil")
	}
}
