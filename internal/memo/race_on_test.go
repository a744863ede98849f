//go:build race

package memo

// raceEnabled: the test binary runs under the race detector, whose
// sync.Pool drops some of what it is given, so allocations are not
// counted then.
const raceEnabled = true
