//go:build !race

package memo

// raceEnabled: the test binary runs under the race detector.
const raceEnabled = false
