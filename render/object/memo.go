package object

import "github.com/tpgen/tpgen/internal/memo"

// Issue 17: a fleet's sites render mostly the same objects (1,602
// distinct among 18,534 for 100 generated sites), and converting them
// between YAML and maps was most of a render's CPU. Decode and
// MarshalYAML keep their results by the digest of their exact input, so
// the same bytes are parsed once and the same document encoded once. The
// memos are process-wide (the functions are pure: the same input gives
// the same output whoever asks) and bounded; what they hold is never
// handed out: callers get copies.

// memoBytes bound each memo: the source bytes of the decoded documents,
// the YAML of the encoded ones.
const memoBytes = 16 << 20

var (
	decoded = memo.New[map[string]any](memoBytes)
	encoded = memo.New[[]byte](memoBytes)
)
