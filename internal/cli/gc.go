package cli

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
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
// A render whose live heap is large (Thinkube's 20 upstream charts, two
// sites at once: 100 to 140 MB live) collects much more often under that
// fixed limit. So after each collection the limit follows the live heap:
// 2.5 times it when that is above the base (followLiveHeap), which leaves
// the 100-site fleet (60 to 100 MB live) at the base (still 331 MB peak).
// The Thinkube examples' render (the TestThinkubeGolden test binary at
// these settings, user+sys, two runs each, idle): at 256 MiB fixed 4.3
// CPU-s, 334 MB; following the live heap 3.9 CPU-s, 400 to 430 MB; at
// 1 GiB 3.35 CPU-s, 610 to 650 MB.
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

// liveHeadroom is how many times the live heap the limit allows, once
// that is more than the base.
const liveHeadroom = 2.5

// limitFor is the soft memory limit for a live heap of live bytes.
func limitFor(base int64, live uint64) int64 {
	return max(base, int64(float64(live)*liveHeadroom))
}

// tuneGC sets the collector's percent and memory limit unless the user
// set them (GOGC, GOMEMLIMIT: the Go runtime reads those itself). It
// returns the limit it set (0: none), for followLiveHeap.
func tuneGC(lookupEnv func(string) (string, bool)) (limit int64) {
	if _, ok := lookupEnv("GOGC"); !ok {
		debug.SetGCPercent(gcPercent)
	}
	if _, ok := lookupEnv("GOMEMLIMIT"); !ok {
		limit = memoryLimit(runtime.GOMAXPROCS(0))
		debug.SetMemoryLimit(limit)
	}
	return limit
}

// gcSentinel is dropped at once; its finalizer runs after the
// collection that found it unreachable (it holds a pointer: never a
// tiny allocation, whose finalizer may not run).
type gcSentinel struct{ _ *int }

// followLiveHeap sets the soft memory limit to limitFor(base, live heap)
// after every collection, until stop is called.
func followLiveHeap(base int64) (stop func()) {
	var stopped atomic.Bool
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&gcSentinel{}, func(*gcSentinel) {
			if stopped.Load() {
				return
			}
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				debug.SetMemoryLimit(limitFor(base, sample[0].Value.Uint64()))
			}
			arm()
		})
	}
	arm()
	return func() { stopped.Store(true) }
}
