package helm

import (
	"context"
	"fmt"
	"runtime/metrics"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"k8s.io/apimachinery/pkg/api/resource"
)

// Defaults of Options.Time and Options.Memory: those of a profile's CUE
// evaluation, whose flags (--max-eval-time, --max-eval-memory) raise both.
const (
	DefaultTime   = 10 * time.Second
	DefaultMemory = 2 << 30
)

// memPoll is how often the heap is sampled during a template run.
const memPoll = 5 * time.Millisecond

// heapBytes is the bytes of live and not yet swept heap objects.
func heapBytes() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}

// renderBounded runs the template engine in a goroutine and waits for it,
// for ctx, for the time limit and for the heap limit, whichever comes
// first. A template run takes no context and cannot be stopped (a range
// over until 1e9, a string doubled in a loop): over a limit, or when ctx
// is cancelled, the goroutine is abandoned and keeps running until the
// process exits, which the CLI does at once.
func renderBounded(ch *chart.Chart, vals chartutil.Values, o Options) (map[string]string, error) {
	ctx := o.Context
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	limTime, limMem := o.Time, o.Memory
	if limTime <= 0 {
		limTime = DefaultTime
	}
	if limMem <= 0 {
		limMem = DefaultMemory
	}
	type result struct {
		files map[string]string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		files, err := renderSafely(ch, vals)
		done <- result{files, err}
	}()
	timer := time.NewTimer(limTime)
	defer timer.Stop()
	tick := time.NewTicker(memPoll)
	defer tick.Stop()
	base := heapBytes()
	for {
		select {
		case r := <-done:
			return r.files, r.err
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-timer.C:
			return nil, fmt.Errorf("template run stopped: it took longer than --max-eval-time %s\nhint: look for a range over a huge list or a loop that grows a value, or raise --max-eval-time", limTime)
		case <-tick.C:
			if grown := heapBytes() - base; grown > limMem {
				limit := resource.NewQuantity(limMem, resource.BinarySI).String()
				return nil, fmt.Errorf("template run stopped: it grew the heap by more than --max-eval-memory %s\nhint: look for a range over a huge list or a loop that grows a value, or raise --max-eval-memory", limit)
			}
		}
	}
}
