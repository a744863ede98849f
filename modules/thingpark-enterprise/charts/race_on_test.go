//go:build race

package charts_test

// raceEnabled: the test binary runs under the race detector.
const raceEnabled = true
