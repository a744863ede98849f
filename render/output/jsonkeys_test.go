package output

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// TestDuplicateKeys: a key twice in one object is found, however it is
// spelled, and nothing else is taken for one.
func TestDuplicateKeys(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{name: "none", in: `{"a": {"x": 1}, "b": {"x": [{"x": 1}, {"x": 2}]}}`},
		{name: "twice", in: "{\n\"a\": 1,\n\"a\": 2}", want: `line 3: duplicate key "a" (first at line 2)`},
		{name: "nested", in: "{\"s\": {\n\"f\": {\"x\": 1,\n \"y\": 2, \"x\": 3}}}", want: `line 3: duplicate key "x" (first at line 2)`},
		{name: "escaped spelling", in: `{"ab": 1, "a\u0062": 2}`, want: `line 1: duplicate key "ab" (first at line 1)`},
		{name: "in an array's objects", in: `[{"a": 1}, {"a": 1, "a": 2}]`, want: `line 1: duplicate key "a" (first at line 1)`},
		{name: "keys in string values", in: `{"a": "\"a\": {", "b": "}, \"a\": ["}`},
		{name: "a value equal to a key", in: `{"a": "a", "b": "a"}`},
		{name: "not JSON", in: `{"a": "unterminated`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := duplicateKeys([]byte(tt.in))
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.EqualError(t, err, tt.want)
		})
	}
}

// TestParseIndexReads: what a site read is parsed strictly: a read of
// an unknown kind, or a digest that is not one, is refused, naming it.
func TestParseIndexReads(t *testing.T) {
	const hash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	for _, tt := range []struct{ reads, want string }{
		{reads: `{"file:p.yaml": "` + hash + `", "tree:charts/web": "` + hash + `"}`},
		{reads: `{"exec:rm": "` + hash + `"}`, want: `site paris: read "exec:rm": not one of file:, tree:, list:, node:, builtin:, overlays: followed by a path`},
		{reads: `{"file:": "` + hash + `"}`, want: `site paris: read "file:": not one of file:, tree:, list:, node:, builtin:, overlays: followed by a path`},
		{reads: `{"file:p.yaml": "md5:00"}`, want: `site paris: read "file:p.yaml": digest "md5:00" is not sha256:<64 hex digits>`},
	} {
		x, err := ParseIndex([]byte(`{"tpgen": "v1", "inputs": "", "sites": {"paris": {"profile": "p.yaml", "inputs": "", "files": {}, "key": "` + hash + `", "reads": ` + tt.reads + `}}}`))
		if tt.want == "" {
			require.NoError(t, err)
			require.Len(t, x.Sites["paris"].Reads, 2)
			continue
		}
		require.EqualError(t, err, tt.want)
	}
}
