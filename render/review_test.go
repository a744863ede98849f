package render_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
)

func diffOptions(base string) render.DiffOptions {
	return render.DiffOptions{
		Options: render.Options{
			Paths: []string{"profiles"}, OutDir: "golden", Jobs: 2,
			Version: "devel",
		},
		Base: base,
	}
}

// A site of the example fleet against golden/ on disk: no differences.
func TestDiffGoldenIsClean(t *testing.T) {
	t.Chdir("..")
	o := diffOptions(render.BaseWorktree)
	o.Sites = []string{"nantes-iot"}
	r, err := render.Diff(context.Background(), o)
	require.NoError(t, err)
	require.False(t, r.Differs(), "%+v", r.Changes)
	// The site and its cluster directory; the other sites of golden/ are
	// out of scope.
	require.Len(t, r.Sites, 2, "other sites of golden/ are out of scope")
	assert.Equal(t, "clusters/nantes-iot", r.Sites[0].Site)
	assert.Equal(t, "nantes-iot", r.Sites[1].Site)
}

// BenchmarkDiffExamples is `tpgen diff --base worktree` on the example
// fleet: render in memory, read golden/, parse and compare.
func BenchmarkDiffExamples(b *testing.B) {
	b.Chdir("..")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := render.Diff(context.Background(), diffOptions(render.BaseWorktree)); err != nil {
			b.Fatal(err)
		}
	}
}
