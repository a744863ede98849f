//go:build !race

package render_test

// raceEnabled: the test binary runs under the race detector.
const raceEnabled = false
