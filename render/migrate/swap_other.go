//go:build !linux

package migrate

// exchange swaps the directories a and b with two renames.
func exchange(a, b string) error { return twoRenames(a, b) }
