package object

import (
	"crypto/sha256"
	"sync"
)

// Issue 17: a fleet's sites render mostly the same objects (1,602
// distinct among 18,534 for 100 generated sites), and converting them
// between YAML and maps was most of a render's CPU. Decode and
// MarshalYAML keep their results by the digest of their exact input, so
// the same bytes are parsed once and the same document encoded once. The
// memos are process-wide (the functions are pure: the same input gives
// the same output whoever asks), bounded in bytes, evicting the oldest
// first, and safe for concurrent use. What they hold is never handed
// out: callers get copies.

// memoBytes bound each memo: the source bytes of the decoded documents,
// the YAML of the encoded ones.
const memoBytes = 16 << 20

type memo[V any] struct {
	mu    sync.Mutex
	max   int64
	size  int64
	m     map[[sha256.Size]byte]memoEntry[V]
	order [][sha256.Size]byte
}

type memoEntry[V any] struct {
	v    V
	size int64
}

func newMemo[V any](max int64) *memo[V] {
	return &memo[V]{max: max, m: map[[sha256.Size]byte]memoEntry[V]{}}
}

func (c *memo[V]) get(k [sha256.Size]byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	return e.v, ok
}

func (c *memo[V]) put(k [sha256.Size]byte, v V, size int64) {
	size += 64 // the key and the entry
	if size > c.max/16 {
		return // one huge document would evict the others
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; ok {
		return
	}
	for c.size+size > c.max && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= c.m[old].size
		delete(c.m, old)
	}
	c.m[k] = memoEntry[V]{v: v, size: size}
	c.order = append(c.order, k)
	c.size += size
}

var (
	decoded = newMemo[map[string]any](memoBytes)
	encoded = newMemo[[]byte](memoBytes)
)
