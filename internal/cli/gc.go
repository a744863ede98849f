package cli

import "runtime/debug"

// The garbage collector's settings of a tpgen process (issue 17). A
// render allocates many short-lived maps (decoded documents, template
// values). Measured on the 100-site benchmark fleet (BenchmarkRender100,
// user+sys of the process, one run each): at Go's default GOGC=100 the
// collector ran 67 times, 18.2 CPU-s, 616 MB peak resident; at 200, 32
// times, 14.1 CPU-s, 888 MB; at 400, 16 times, 13.2 CPU-s (27% less),
// 1.2 GB (the benchmark holds the whole fleet in memory). The memory
// limit is the guard: near it the collector runs as often as it must, so
// the heap stays under it while the live objects fit (Go caps the
// collector's CPU at half when they do not). It also keeps the garbage a
// template run or a CUE evaluation leaves below --max-eval-memory's
// default (2Gi), which counts it.
const (
	gcPercent   = 400
	memoryLimit = 1 << 30
)

// tuneGC sets the collector's percent and memory limit unless the user
// set them (GOGC, GOMEMLIMIT: the Go runtime reads those itself).
func tuneGC(lookupEnv func(string) (string, bool)) {
	if _, ok := lookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	if _, ok := lookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit)
	}
}
