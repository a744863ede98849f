//go:build !linux

package output

// exchange swaps the directories a and b with two renames; recoverSwaps
// repairs a run cut between them.
func exchange(t *tree, a, b, old string) error { return twoRenames(t, a, b, old) }

// lock does nothing where flock is not available.
func lock(t *tree) (unlock func(), err error) { return func() {}, nil }
