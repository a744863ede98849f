// Package bound runs a computation that takes no context (a CUE
// evaluation, a Helm template run) under a context, a time limit and a
// limit on the growth of the Go heap, whichever comes first.
//
// Such a computation cannot be interrupted: when a limit is hit or the
// context is cancelled, Run stops waiting and the goroutine is abandoned.
// It keeps running until the process exits, which the CLI does at once; a
// long-lived caller must treat the state f touches as lost.
package bound

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"
)

// Limits of one Run; zero fields are not limits.
type Limits struct {
	// Time is the wall-clock time f may take.
	Time time.Duration
	// Memory is how much the Go heap may grow while f runs, in bytes. It
	// is sampled every Poll (5 ms by default) from runtime/metrics, so a
	// burst can overshoot it; it measures the whole process.
	Memory int64
	// Poll is how often the heap is sampled.
	Poll time.Duration
}

// Exceeded is the error of a Run stopped by a limit.
type Exceeded struct {
	// Memory says the heap limit was hit, else the time limit.
	Memory bool
	Limits Limits
}

func (e *Exceeded) Error() string {
	if e.Memory {
		return fmt.Sprintf("the heap grew by more than %d bytes", e.Limits.Memory)
	}
	return fmt.Sprintf("it took longer than %s", e.Limits.Time)
}

// Panic is the error of a Run whose f panicked.
type Panic struct{ Value any }

func (p *Panic) Error() string { return fmt.Sprintf("panic: %v", p.Value) }

// Run runs f in a goroutine and returns its error; or ctx's error when ctx
// is done first, or an *Exceeded when a limit is hit first. A panic in f is
// returned as a *Panic.
func Run(ctx context.Context, lim Limits, f func() error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- &Panic{Value: r}
			}
		}()
		done <- f()
	}()
	var timeout <-chan time.Time
	if lim.Time > 0 {
		t := time.NewTimer(lim.Time)
		defer t.Stop()
		timeout = t.C
	}
	var tick <-chan time.Time
	if lim.Memory > 0 {
		poll := lim.Poll
		if poll <= 0 {
			poll = 5 * time.Millisecond
		}
		t := time.NewTicker(poll)
		defer t.Stop()
		tick = t.C
	}
	base := heapBytes()
	for {
		select {
		case err := <-done:
			return err
		case <-ctx.Done():
			return ctx.Err()
		case <-timeout:
			return &Exceeded{Limits: lim}
		case <-tick:
			if heapBytes()-base > lim.Memory {
				return &Exceeded{Memory: true, Limits: lim}
			}
		}
	}
}

// heapBytes is the bytes of live and not yet swept heap objects.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
