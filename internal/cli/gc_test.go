package cli

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
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
