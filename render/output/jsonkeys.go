package output

import (
	"encoding/json"
	"fmt"
)

// duplicateKeys fails when an object of the JSON text data holds the same
// key twice (encoding/json keeps the last one silently), naming the line
// of the second key and of the first. Keys are compared as decoded (an
// escaped spelling of a key is the key). Text that is not JSON is left to
// the decoder, which reports its own error. It scans the bytes once,
// without building the values: the index of a large fleet is megabytes.
func duplicateKeys(data []byte) error {
	type object struct {
		keys map[string]int // key -> line
		key  bool           // a key comes next
	}
	var stack []*object // nil entries: arrays
	line := 1
	for i := 0; i < len(data); i++ {
		switch data[i] {
		case '\n':
			line++
		case '{':
			stack = append(stack, &object{key: true})
		case '[':
			stack = append(stack, nil)
		case '}', ']':
			if len(stack) == 0 {
				return nil
			}
			stack = stack[:len(stack)-1]
		case ',':
			if len(stack) > 0 && stack[len(stack)-1] != nil {
				stack[len(stack)-1].key = true
			}
		case '"':
			start, escaped := i, false
			for i++; i < len(data) && data[i] != '"'; i++ {
				switch data[i] {
				case '\\':
					escaped = true
					i++
				case '\n':
					line++
				}
			}
			if i >= len(data) {
				return nil
			}
			top := (*object)(nil)
			if len(stack) > 0 {
				top = stack[len(stack)-1]
			}
			if top == nil || !top.key {
				continue
			}
			top.key = false
			k := string(data[start+1 : i])
			if escaped {
				if json.Unmarshal(data[start:i+1], &k) != nil {
					return nil
				}
			}
			if first, ok := top.keys[k]; ok {
				return fmt.Errorf("line %d: duplicate key %q (first at line %d)", line, k, first)
			}
			if top.keys == nil {
				top.keys = map[string]int{}
			}
			top.keys[k] = line
		}
	}
	return nil
}
