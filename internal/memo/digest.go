package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"math"
	"slices"
	"sync"
)

// Digest returns a digest of a decoded document (maps, lists, strings,
// numbers, booleans, nil) that tells apart the Go type of every value, for
// functions that treat types apart (a json.Number from an int, JSON-equal
// as they are), or ok false for a document holding another type.
func Digest(doc any) (k Key, ok bool) {
	d := digesters.Get().(*digester)
	defer d.release()
	if !d.value(doc, 0) {
		return k, false
	}
	d.flush()
	d.h.Sum(d.sum[:0])
	return d.sum, true
}

// digesters keep the hash and buffers of Digest between calls: a render
// digests every object of every site several times (issue 17).
var digesters = sync.Pool{New: func() any {
	return &digester{h: sha256.New(), buf: make([]byte, 0, 8<<10)}
}}

// digester writes a document's parts into buf, flushed to h as it fills.
// keys is a stack of the sorted keys of the maps being written.
type digester struct {
	h    hash.Hash
	buf  []byte
	keys []string
	sum  Key
}

// release resets d and returns it to the pool, unless a huge document
// grew its key stack.
func (d *digester) release() {
	d.h.Reset()
	d.buf = d.buf[:0]
	clear(d.keys) // let the documents' strings go
	d.keys = d.keys[:0]
	if cap(d.keys) <= 64<<10 {
		digesters.Put(d)
	}
}

// put writes a tag and a length-prefixed string.
func (d *digester) put(tag byte, s string) {
	if len(d.buf)+9 > cap(d.buf) {
		d.flush()
	}
	d.buf = append(d.buf, tag)
	d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(len(s)))
	for len(s) > 0 { // s is copied, so that it does not escape to h
		if len(d.buf) == cap(d.buf) {
			d.flush()
		}
		n := min(len(s), cap(d.buf)-len(d.buf))
		d.buf = append(d.buf, s[:n]...)
		s = s[n:]
	}
}

// flush writes buf to h.
func (d *digester) flush() {
	d.h.Write(d.buf)
	d.buf = d.buf[:0]
}

// number writes a tag and 8 bytes.
func (d *digester) number(tag byte, n uint64) {
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], n)
	d.put(tag, string(b[:]))
}

func (d *digester) value(v any, depth int) bool {
	if depth > 10000 {
		return false
	}
	switch v := v.(type) {
	case nil:
		d.put('0', "")
	case string:
		d.put('s', v)
	case bool:
		if v {
			d.put('t', "")
		} else {
			d.put('f', "")
		}
	case json.Number:
		d.put('n', string(v))
	case float64:
		d.number('d', math.Float64bits(v))
	case int:
		d.number('i', uint64(v))
	case int64:
		d.number('l', uint64(v))
	case map[string]any:
		start := len(d.keys)
		for key := range v {
			d.keys = append(d.keys, key)
		}
		end := len(d.keys)
		slices.Sort(d.keys[start:end])
		d.number('{', uint64(len(v)))
		for i := start; i < end; i++ {
			key := d.keys[i] // nested maps may move d.keys
			d.put('k', key)
			if !d.value(v[key], depth+1) {
				return false
			}
		}
		d.keys = d.keys[:start]
	case []any:
		d.number('[', uint64(len(v)))
		for _, x := range v {
			if !d.value(x, depth+1) {
				return false
			}
		}
	default:
		return false
	}
	return true
}
