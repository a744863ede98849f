package review_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/review"
)

func diffOptions(base string) review.DiffOptions {
	return review.DiffOptions{
		Options: render.Options{
			Paths: []string{"profiles"}, Jobs: 2,
			Version: "devel",
		},
		Dir:  "golden",
		Base: base,
	}
}

// Sites of the example fleet (a Flux one, an Argo CD one) against
// golden/ on disk: no differences. The objects rendered now are compared
// as they are in memory, normalized (an Argo CD Application's retry
// factor is a Go int there, a number read back from golden/).
func TestDiffGoldenIsClean(t *testing.T) {
	t.Chdir("../..")
	o := diffOptions(review.BaseWorktree)
	o.Sites = []string{"nantes-iot", "berlin-lab"}
	r, err := review.Diff(context.Background(), o)
	require.NoError(t, err)
	require.False(t, r.Differs(), "%+v", r.Changes)
	// The sites and their cluster directories (berlin-lab shares
	// eu-shared with lyon-prod, rendered for it); the other sites of
	// golden/ are out of scope.
	var units []string
	for _, s := range r.Sites {
		units = append(units, s.Site)
	}
	assert.Equal(t, []string{"berlin-lab", "clusters/eu-shared", "clusters/nantes-iot", "lyon-prod", "nantes-iot"}, units)
}

// BenchmarkDiffExamples is `tpgen diff --base worktree` on the example
// fleet: render in memory, read golden/, parse and compare.
func BenchmarkDiffExamples(b *testing.B) {
	b.Chdir("../..")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := review.Diff(context.Background(), diffOptions(review.BaseWorktree)); err != nil {
			b.Fatal(err)
		}
	}
}
