package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"io"
	"math"
	"slices"
)

// Digest returns a digest of a decoded document (maps, lists, strings,
// numbers, booleans, nil) that tells apart the Go type of every value, for
// functions that treat types apart (a json.Number from an int, JSON-equal
// as they are), or ok false for a document holding another type.
func Digest(doc any) (k Key, ok bool) {
	d := digester{h: sha256.New(), buf: make([]byte, 0, 8<<10)}
	if !d.value(doc, 0) {
		return k, false
	}
	d.h.Write(d.buf)
	d.h.Sum(k[:0])
	return k, true
}

// digester writes a document's parts into buf, flushed to h as it fills.
type digester struct {
	h   hash.Hash
	buf []byte
}

// put writes a tag and a length-prefixed string.
func (d *digester) put(tag byte, s string) {
	if len(d.buf)+len(s) > cap(d.buf)-9 {
		d.h.Write(d.buf)
		d.buf = d.buf[:0]
	}
	d.buf = append(d.buf, tag)
	d.buf = binary.LittleEndian.AppendUint64(d.buf, uint64(len(s)))
	if len(s) > cap(d.buf)-len(d.buf) {
		d.h.Write(d.buf)
		d.buf = d.buf[:0]
		io.WriteString(d.h, s)
		return
	}
	d.buf = append(d.buf, s...)
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
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		d.number('{', uint64(len(v)))
		for _, key := range keys {
			d.put('k', key)
			if !d.value(v[key], depth+1) {
				return false
			}
		}
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
