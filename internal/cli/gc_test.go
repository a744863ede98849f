package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// TestTuneGC: tpgen raises GOGC to 400 under a memory limit of 160 MiB
// and 48 MiB per processor (issue 17), unless the user set GOGC or
// GOMEMLIMIT, which win.
func TestTuneGC(t *testing.T) {
	limit := int64(160<<20 + runtime.GOMAXPROCS(0)*48<<20)
	if got := memoryLimit(2); got != 256<<20 {
		t.Errorf("memoryLimit(2) = %d, want 256 MiB", got)
	}
	tests := []struct {
		name        string
		env         map[string]string
		wantPercent int
		wantLimit   int64
	}{
		{name: "neither set", wantPercent: gcPercent, wantLimit: limit},
		{name: "GOGC set", env: map[string]string{"GOGC": "50"}, wantPercent: 100, wantLimit: limit},
		{name: "GOMEMLIMIT set", env: map[string]string{"GOMEMLIMIT": "4GiB"}, wantPercent: gcPercent, wantLimit: math.MaxInt64},
		{name: "both set", env: map[string]string{"GOGC": "off", "GOMEMLIMIT": "4GiB"}, wantPercent: 100, wantLimit: math.MaxInt64},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The test process runs at the runtime's defaults (the env
			// values above are only what tuneGC looks up); restore them.
			defer debug.SetGCPercent(debug.SetGCPercent(100))
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
			tuneGC(func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if got := debug.SetGCPercent(100); got != tt.wantPercent {
				t.Errorf("GC percent = %d, want %d", got, tt.wantPercent)
			}
			if got := debug.SetMemoryLimit(-1); got != tt.wantLimit {
				t.Errorf("memory limit = %d, want %d", got, tt.wantLimit)
			}
		})
	}
}

// TestLimitFollowsLiveHeap: the limit is the base until the live heap
// is more than base/2.5, then 2.5 times it; after a collection the
// limit followLiveHeap sets is that of the live heap.
func TestLimitFollowsLiveHeap(t *testing.T) {
	for _, tt := range []struct {
		live uint64
		want int64
	}{
		{0, 256 << 20},
		{100 << 20, 256 << 20},
		{102 << 20, 256 << 20}, // 2.5 x 102 MiB = 255 MiB: the base
		{140 << 20, 350 << 20},
		{1 << 30, 2560 << 20},
	} {
		if got := limitFor(256<<20, tt.live); got != tt.want {
			t.Errorf("limitFor(256 MiB, %d MiB) = %d MiB, want %d MiB", tt.live>>20, got>>20, tt.want>>20)
		}
	}

	defer debug.SetMemoryLimit(debug.SetMemoryLimit(math.MaxInt64))
	// A base of 1 byte: the limit becomes 2.5 times the test process's
	// live heap, which holds big.
	big := make([]byte, 64<<20)
	stop := followLiveHeap(1)
	defer stop()
	// The finalizer runs on its own goroutine, after the collection: wait
	// for it (a hang guard, not a time limit on tpgen).
	want := int64(float64(len(big)) * liveHeadroom)
	var got int64
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		runtime.GC()
		if got = debug.SetMemoryLimit(-1); got >= want && got != math.MaxInt64 {
			break
		}
	}
	if got < want || got == math.MaxInt64 {
		t.Errorf("limit after collections = %d MiB, want at least 2.5 x the 64 MiB held", got>>20)
	}
	runtime.KeepAlive(big)
}
