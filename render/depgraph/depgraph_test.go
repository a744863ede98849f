package depgraph

import (
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// diamond: d depends on b and c, both on a; e depends on a and d.
func diamond(t *testing.T) *Graph {
	t.Helper()
	g, err := New(map[string][]string{"a": nil, "b": {"a"}, "c": {"a"}, "d": {"c", "b"}, "e": {"a", "d"}})
	require.NoError(t, err)
	return g
}

func TestOrderDepthReduce(t *testing.T) {
	g := diamond(t)
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, g.Order())
	assert.Equal(t, map[string]int{"a": 0, "b": 1, "c": 1, "d": 2, "e": 3},
		map[string]int{"a": g.Depth("a"), "b": g.Depth("b"), "c": g.Depth("c"), "d": g.Depth("d"), "e": g.Depth("e")})
	assert.Equal(t, []string{"d"}, g.Reduce("e"), "e -> a is implied by e -> d -> b -> a")
	assert.Equal(t, []string{"b", "c"}, g.Reduce("d"))
	assert.Nil(t, g.Reduce("a"))
	assert.Equal(t, []string{"a", "b", "c", "d"}, g.Ancestors("e"))
	assert.Equal(t, []string{"b", "c", "e"}, g.Dependents("a"))
}

func TestOrderTiesByName(t *testing.T) {
	g, err := New(map[string][]string{"z": nil, "y": {"z"}, "b": nil, "a": {"y"}})
	require.NoError(t, err)
	assert.Equal(t, []string{"b", "z", "y", "a"}, g.Order())
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		deps map[string][]string
		want string
	}{
		{"self", map[string][]string{"a": {"a"}}, "a depends on itself"},
		{"cycle", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": nil}, "dependency cycle: a -> b -> c -> a"},
		{"cycle below a root", map[string][]string{"a": {"b"}, "b": {"c"}, "c": {"b"}}, "dependency cycle: b -> c -> b"},
		{"unknown", map[string][]string{"a": {"x"}, "b": {"y", "a"}}, "a depends on x, which does not exist (the names are a, b)\nb depends on y, which does not exist (the names are a, b)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.deps)
			require.Error(t, err)
			assert.Equal(t, tc.want, err.Error())
		})
	}
	_, err := New(map[string][]string{"a": {"b"}, "b": {"a"}})
	var ce *CycleError
	require.True(t, errors.As(err, &ce))
	assert.Equal(t, []string{"a", "b", "a"}, ce.Path)
}

// ReduceWithin looks through the names left out: their dependencies stand
// for them, reduced again among themselves.
func TestReduceWithin(t *testing.T) {
	g := diamond(t)
	all := func(string) bool { return true }
	for _, n := range g.Order() {
		assert.Equal(t, g.Reduce(n), g.ReduceWithin(n, all), n)
	}
	not := func(names ...string) func(string) bool {
		return func(n string) bool { return !slices.Contains(names, n) }
	}
	assert.Equal(t, []string{"b", "c"}, g.ReduceWithin("e", not("d")), "e -> d stands for d's dependencies b and c; e -> a is implied by them")
	assert.Equal(t, []string{"a"}, g.ReduceWithin("d", not("b", "c")))
	assert.Equal(t, []string{"a"}, g.ReduceWithin("e", not("b", "c", "d")))
	assert.Nil(t, g.ReduceWithin("e", not("a", "b", "c", "d")))
}
