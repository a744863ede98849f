package secret

import (
	"slices"

	"github.com/tpgen/tpgen/internal/memo"
)

// scans memoize Scan (issue 17: validation scans every object of every
// site, and most objects are the same from site to site). The key digests
// the document with the Go type of every value, since Scan treats types
// apart; a document holding another type is scanned every time.
var scans = memo.New[[]Finding](4 << 20)

func cloneFindings(f []Finding) []Finding {
	if f == nil {
		return nil
	}
	out := make([]Finding, len(f))
	for i, x := range f {
		out[i] = Finding{Path: slices.Clone(x.Path), Reason: x.Reason}
	}
	return out
}
