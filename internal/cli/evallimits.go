package cli

import (
	"time"

	"github.com/spf13/pflag"

	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// evalFlags are the flags of every verb that loads profiles: the bounds
// of CUE evaluation and where the modules profiles name are found.
type evalFlags struct {
	time       time.Duration
	memory     string
	modulePath []string
}

func (e *evalFlags) add(f *pflag.FlagSet) {
	f.DurationVar(&e.time, "max-eval-time", profile.DefaultEvalTime, "stop evaluating a profile (CUE) or running a chart's templates after this long")
	f.StringVar(&e.memory, "max-eval-memory", "2Gi", "stop evaluating a profile (CUE) or running a chart's templates when it grows the heap by this much (512Mi, 2Gi, ...)")
	addModulePath(f, &e.modulePath)
}

// addModulePath adds --module-path.
func addModulePath(f *pflag.FlagSet, p *[]string) {
	f.StringArrayVar(p, "module-path", nil, "a `DIR` holding platform modules (one directory each) that profiles select by name (repeatable; then "+module.PathEnv+", colon-separated)")
}

// searchPath is the module search path: --module-path, then the
// environment.
func (e *evalFlags) searchPath() []string { return module.SearchPath(e.modulePath) }

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
