package memo

import (
	"crypto/sha256"
	"sync"
)

// Key is the digest of a memoized function's input.
type Key = [sha256.Size]byte

// Memo holds at most Max bytes of values.
type Memo[V any] struct {
	mu    sync.Mutex
	max   int64
	size  int64
	m     map[Key]entry[V]
	order []Key
	seen  Seen
}

// Seen admits a key on its second sight: a value computed once in a run
// (most of a fleet's are shared, the others are not) costs no memory.
// It remembers the last MaxSeen keys.
type Seen struct {
	keys  map[Key]bool
	order []Key
}

// MaxSeen bounds the keys a Seen remembers (32 bytes each).
const MaxSeen = 1 << 16

// Again records k and says whether it was seen before.
func (s *Seen) Again(k Key) bool {
	if s.keys[k] {
		return true
	}
	if s.keys == nil {
		s.keys = map[Key]bool{}
	}
	if len(s.order) >= MaxSeen {
		delete(s.keys, s.order[0])
		s.order = s.order[1:]
	}
	s.keys[k] = true
	s.order = append(s.order, k)
	return false
}

type entry[V any] struct {
	v    V
	size int64
}

// New returns a memo bounded to max bytes.
func New[V any](max int64) *Memo[V] {
	return &Memo[V]{max: max, m: map[Key]entry[V]{}}
}

// Get returns the value of k, if held.
func (c *Memo[V]) Get(k Key) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.v, ok
}

// Put keeps v for k, from the second Put of k on; size is what v costs
// (the entry adds 64 bytes).
func (c *Memo[V]) Put(k Key, v V, size int64) {
	size += 64
	if size > c.max/16 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok || !c.seen.Again(k) {
		return
	}
	for c.size+size > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= c.m[old].size
		delete(c.m, old)
	}
	c.m[k] = entry[V]{v: v, size: size}
	c.order = append(c.order, k)
	c.size += size
}

// Size is the bytes held.
func (c *Memo[V]) Size() int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.size
}

// Len is the number of entries.
func (c *Memo[V]) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// ClonePtrs copies s and each element it points to, so that a caller
// changing what a memoized function returned (a list of *field.Error, say)
// does not change the memo. nil stays nil.
func ClonePtrs[S ~[]*T, T any](s S) S {
	if s == nil {
		return nil
	}
	out := make(S, len(s))
	for i, p := range s {
		c := *p
		out[i] = &c
	}
	return out
}
