package memo

import (
	"crypto/sha256"
	"fmt"
	"testing"
)

// A memo stays within its bound, evicting the oldest first.
func TestMemoBounded(t *testing.T) {
	m := New[[]byte](16 * 1000)
	key := func(i int) Key { return sha256.Sum256([]byte(fmt.Sprint(i))) }
	for i := range 1000 {
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
	if _, ok := m.Get(key(-1)); ok {
		t.Error("an entry over a sixteenth of the bound was kept")
	}
}
