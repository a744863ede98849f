package review_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/charts"
	"github.com/tpgen/tpgen/overlays"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/review"
)

func diffOptions(base string) review.DiffOptions {
	return review.DiffOptions{
		Options: render.Options{
			Paths: []string{"profiles"}, Jobs: 2,
			Charts:   chartsource.NewFS(charts.FS, "embedded charts"),
			Overlays: overlays.FS,
			Version:  "devel",
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
	require.Len(t, r.Sites, 2, "other sites of golden/ are out of scope")
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
