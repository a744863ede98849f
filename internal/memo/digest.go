package memo

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"hash"
	"math"
	"slices"
)

// Digest returns a digest of a decoded document (maps, lists, strings,
// numbers, booleans, nil) that tells apart the Go type of every value, for
// functions that treat types apart (a json.Number from an int, JSON-equal
// as they are), or ok false for a document holding another type.
func Digest(doc any) (k Key, ok bool) {
	h := sha256.New()
	if !digestValue(h, doc, 0) {
		return k, false
	}
	h.Sum(k[:0])
	return k, true
}

func digestValue(h hash.Hash, v any, depth int) bool {
	if depth > 10000 {
		return false
	}
	var n [8]byte
	put := func(tag byte, s string) {
		h.Write([]byte{tag})
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	switch v := v.(type) {
	case nil:
		put('0', "")
	case string:
		put('s', v)
	case bool:
		if v {
			put('t', "")
		} else {
			put('f', "")
		}
	case json.Number:
		put('n', string(v))
	case float64:
		binary.LittleEndian.PutUint64(n[:], math.Float64bits(v))
		put('d', string(n[:]))
	case int:
		binary.LittleEndian.PutUint64(n[:], uint64(v))
		put('i', string(n[:]))
	case int64:
		binary.LittleEndian.PutUint64(n[:], uint64(v))
		put('l', string(n[:]))
	case map[string]any:
		keys := make([]string, 0, len(v))
		for key := range v {
			keys = append(keys, key)
		}
		slices.Sort(keys)
		put('{', string(binary.LittleEndian.AppendUint64(nil, uint64(len(v)))))
		for _, key := range keys {
			put('k', key)
			if !digestValue(h, v[key], depth+1) {
				return false
			}
		}
	case []any:
		put('[', string(binary.LittleEndian.AppendUint64(nil, uint64(len(v)))))
		for _, x := range v {
			if !digestValue(h, x, depth+1) {
				return false
			}
		}
	default:
		return false
	}
	return true
}
