package cli

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/tpgen/tpgen/render/profile"
)

// evalFlags are the flags that bound CUE evaluation, on every verb that
// loads profiles.
type evalFlags struct {
	time   time.Duration
	memory string
}

func (e *evalFlags) add(f *pflag.FlagSet) {
	f.DurationVar(&e.time, "max-eval-time", profile.DefaultEvalTime, "stop evaluating a profile (CUE) or running a chart's templates after this long")
	f.StringVar(&e.memory, "max-eval-memory", "2Gi", "stop evaluating a profile (CUE) or running a chart's templates when it grows the heap by this much (512Mi, 2Gi, ...)")
}

// limits checks the flags (a bad value is a usage error).
func (e *evalFlags) limits() (profile.EvalLimits, error) {
	if e.time <= 0 {
		return profile.EvalLimits{}, usageErr("--max-eval-time %s: want a positive duration such as 10s", e.time)
	}
	mem, err := profile.ParseMemory(e.memory)
	if err != nil {
		return profile.EvalLimits{}, usageErr("--max-eval-memory %v", err)
	}
	return profile.EvalLimits{Time: e.time, Memory: mem}, nil
}
