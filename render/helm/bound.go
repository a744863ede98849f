package helm

import (
	"context"
	"errors"
	"fmt"
	"time"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chartutil"
	"k8s.io/apimachinery/pkg/api/resource"

	"github.com/tpgen/tpgen/internal/bound"
)

// Defaults of Options.Time and Options.Memory: those of a profile's CUE
// evaluation, whose flags (--max-eval-time, --max-eval-memory) raise both.
const (
	DefaultTime   = 10 * time.Second
	DefaultMemory = 2 << 30
)

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
	var files map[string]string
	err := bound.Run(ctx, bound.Limits{Time: limTime, Memory: limMem}, func() (err error) {
		files, err = renderSafely(ch, vals)
		return err
	})
	var over *bound.Exceeded
	switch {
	case errors.As(err, &over) && over.Memory:
		limit := resource.NewQuantity(limMem, resource.BinarySI).String()
		return nil, fmt.Errorf("template run stopped: it grew the heap by more than --max-eval-memory %s\nhint: look for a range over a huge list or a loop that grows a value, or raise --max-eval-memory", limit)
	case errors.As(err, &over):
		return nil, fmt.Errorf("template run stopped: it took longer than --max-eval-time %s\nhint: look for a range over a huge list or a loop that grows a value, or raise --max-eval-time", limTime)
	case err != nil:
		return nil, err
	}
	return files, nil
}
