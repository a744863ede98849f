package profile

import (
	"context"
	"errors"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/tpgen/tpgen/internal/bound"
	"github.com/tpgen/tpgen/internal/diag"
)

// Defaults of EvalLimits.
const (
	DefaultEvalTime   = 10 * time.Second
	DefaultEvalMemory = 2 << 30 // bytes of heap growth
)

// EvalLimits bound the evaluation of one profile (with its fleet
// defaults) and of its plan. CUE evaluation takes no context and cannot be
// stopped: it runs in a goroutine that is abandoned when a limit is hit or
// the context is cancelled, and the Loader is unusable afterwards (every
// later call fails). The goroutine still runs until the process exits, which
// the CLI does at once; a long-lived library user should do the same.
type EvalLimits struct {
	// Time is the wall-clock time one profile may take; 0 means
	// DefaultEvalTime.
	Time time.Duration
	// Memory is how much the Go heap may grow while one profile is
	// evaluated, in bytes; 0 means DefaultEvalMemory. It is sampled every
	// few milliseconds (runtime/metrics), so a burst can overshoot it a
	// little; it measures the whole process, so it bounds one evaluation
	// when profiles are evaluated one at a time, and a Pool's concurrent
	// evaluations together.
	Memory int64
}

func (e EvalLimits) time() time.Duration {
	if e.Time <= 0 {
		return DefaultEvalTime
	}
	return e.Time
}

func (e EvalLimits) memory() int64 {
	if e.Memory <= 0 {
		return DefaultEvalMemory
	}
	return e.Memory
}

// LoadAllContext is LoadAll with each profile's evaluation bounded by lim
// and stopped by ctx: a cancelled ctx returns ctx's error at once, a
// profile over a limit returns a diag.List naming it, the limit and the
// flag that raises it.
func (l *Loader) LoadAllContext(ctx context.Context, paths []string, lim EvalLimits) ([]*Site, error) {
	l.bound, l.limits = ctx, lim
	defer func() { l.bound = nil }()
	return l.LoadAll(paths)
}

// PlanContext is Plan bounded like LoadAllContext.
func (l *Loader) PlanContext(ctx context.Context, s *Site, lim EvalLimits) (*Plan, error) {
	return boundedValue(l, ctx, s.Source.File, lim, func() (*Plan, error) { return l.Plan(s) })
}

// load is Load under the bounds LoadAllContext set, if any.
func (l *Loader) load(src Source) (*Site, error) {
	if l.bound == nil {
		return l.Load(src)
	}
	return boundedValue(l, l.bound, src.File, l.limits, func() (*Site, error) { return l.Load(src) })
}

// boundedValue is bounded for an f with a value. An abandoned f goes on
// running: it hands its value over a channel no one reads then, never
// through a variable its caller reads.
func boundedValue[T any](l *Loader, ctx context.Context, file string, lim EvalLimits, f func() (T, error)) (T, error) {
	out := make(chan T, 1)
	err := l.bounded(ctx, file, lim, func() error {
		v, err := f()
		out <- v
		return err
	})
	if err != nil {
		var zero T
		return zero, err
	}
	return <-out, nil
}

// errAbandoned says the Loader's cue.Context is still in use by an
// evaluation that was given up.
var errAbandoned = errors.New("the profile loader was stopped during an evaluation and cannot be used again")

// bounded runs f, an evaluation of file, in a goroutine and waits for it,
// for ctx, for the time limit and for the heap limit, whichever comes
// first.
func (l *Loader) bounded(ctx context.Context, file string, lim EvalLimits, f func() error) error {
	if l.abandoned {
		return errAbandoned
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	err := bound.Run(ctx, bound.Limits{Time: lim.time(), Memory: lim.memory()}, f)
	var over *bound.Exceeded
	var panicked *bound.Panic
	switch {
	case err == nil:
		return nil
	case errors.As(err, &over) && over.Memory:
		l.abandoned = true
		limit := resource.NewQuantity(lim.memory(), resource.BinarySI).String()
		return diag.List{{File: file, Message: fmt.Sprintf("evaluation stopped: it grew the heap by more than --max-eval-memory %s", limit),
			Hint: "a profile is data: look for a comprehension or list.Range that builds a huge value, or raise --max-eval-memory"}}
	case errors.As(err, &over):
		l.abandoned = true
		return diag.List{{File: file, Message: fmt.Sprintf("evaluation stopped: it took longer than --max-eval-time %s", lim.time()),
			Hint: "a profile is data: look for a comprehension or list.Range that builds a huge value, or raise --max-eval-time"}}
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		l.abandoned = true
		return fmt.Errorf("evaluating %s: %w", file, err)
	case errors.As(err, &panicked):
		return fmt.Errorf("evaluating %s: CUE panicked: %v", file, panicked.Value)
	}
	return err
}

// ParseMemory parses a --max-eval-memory value: a Kubernetes quantity
// such as 512Mi, 2Gi or 3G.
func ParseMemory(s string) (int64, error) {
	q, err := resource.ParseQuantity(s)
	if err != nil || q.Sign() <= 0 {
		return 0, fmt.Errorf("%q: want a positive size such as 512Mi or 2Gi", s)
	}
	return q.Value(), nil
}
