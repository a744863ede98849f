//go:build race

package render_test

// raceEnabled: the test binary runs under the race detector. The tests
// over the real upstream charts (TestThinkube*) skip then: they render
// data, not concurrency, and take minutes raced; `make test` runs them in
// its plain pass. The engine's concurrency is raced by the other tests.
const raceEnabled = true
