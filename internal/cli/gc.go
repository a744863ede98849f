package cli

import (
	"runtime"
	"runtime/debug"
)

// The garbage collector's settings of a tpgen process (issue 17). A
// render allocates many short-lived maps (decoded documents, template
// values) and holds little: the sites in progress (a few tens of MB
// each), the caches (bounded), the paths and digests of the sites
// written. GOGC=400 makes the collector run a fifth as often as Go's
// default; the soft memory limit makes it run as often as it must once
// the heap reaches the limit, so a fleet's render peaks near it whatever
// its size, while a small render never reaches it. The limit is a base
// plus a share per processor (the sites rendered at once): 256 MiB on 2
// processors.
//
// Measured with `/usr/bin/time -v tpgen render -j2` on the bench/export
// fleet into an empty directory (2-core machine, busy: CPU-s are
// user+sys, one run each, interleaved; one site / 100 sites):
//
//	setting                  CPU-s       max resident
//	GOGC=100 (Go's default)  0.71/35.1   124/229 MB
//	GOGC=400, 1 GiB          0.61/24.8   170/522 MB (the former setting)
//	GOGC=400, 288 MiB        0.62/26.9   167/350 MB
//	GOGC=400, 256 MiB        0.62/26.4   166/324 MB (chosen: 1.95x one site)
//
// Near the limit the collector's CPU is capped at half (Go's limiter), so
// a run whose live heap outgrows it is slower, never stopped; either
// variable set in the environment wins. The limit also keeps the garbage
// a template run or a CUE evaluation leaves far below --max-eval-memory's
// default (2Gi), which counts it.
const (
	gcPercent    = 400
	memoryBase   = 160 << 20
	memoryPerCPU = 48 << 20
)

// memoryLimit is the soft memory limit for procs processors.
func memoryLimit(procs int) int64 { return memoryBase + int64(procs)*memoryPerCPU }

// tuneGC sets the collector's percent and memory limit unless the user
// set them (GOGC, GOMEMLIMIT: the Go runtime reads those itself).
func tuneGC(lookupEnv func(string) (string, bool)) {
	if _, ok := lookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	if _, ok := lookupEnv("GOMEMLIMIT"); !ok {
		debug.SetMemoryLimit(memoryLimit(runtime.GOMAXPROCS(0)))
	}
}
