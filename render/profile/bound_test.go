package profile

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/diag"
)

func TestEvalLimits(t *testing.T) {
	const file = "../../profiles/nantes-iot.yaml"
	t.Run("within the limits", func(t *testing.T) {
		l, err := NewLoader(nil)
		if err != nil {
			t.Fatal(err)
		}
		sites, err := l.LoadAllContext(context.Background(), []string{file}, EvalLimits{})
		if err != nil || len(sites) != 1 {
			t.Fatalf("got %d sites, %v", len(sites), err)
		}
		if _, err := l.PlanContext(context.Background(), sites[0], EvalLimits{}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("over the time limit", func(t *testing.T) {
		l, err := NewLoader(nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = l.LoadAllContext(context.Background(), []string{file}, EvalLimits{Time: time.Nanosecond})
		var dl diag.List
		if !errors.As(err, &dl) {
			t.Fatalf("got %v, want a diag.List", err)
		}
		want := diag.List{{File: file, Message: "evaluation stopped: it took longer than --max-eval-time 1ns",
			Hint: "a profile is data: look for a comprehension or list.Range that builds a huge value, or raise --max-eval-time"}}
		if d := cmp.Diff(want, dl); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
		// The abandoned evaluation may still use the loader's cue.Context.
		if _, err := l.LoadAllContext(context.Background(), []string{file}, EvalLimits{}); !errors.Is(err, errAbandoned) {
			t.Errorf("a stopped loader was used again: %v", err)
		}
	})
	t.Run("cancelled", func(t *testing.T) {
		l, err := NewLoader(nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := l.LoadAllContext(ctx, []string{file}, EvalLimits{}); !errors.Is(err, context.Canceled) {
			t.Errorf("got %v, want context.Canceled", err)
		}
	})
	t.Run("memory", func(t *testing.T) {
		for in, want := range map[string]int64{"512Mi": 512 << 20, "2Gi": 2 << 30, "3G": 3e9, "1048576": 1 << 20} {
			if got, err := ParseMemory(in); err != nil || got != want {
				t.Errorf("ParseMemory(%q) = %d, %v; want %d", in, got, err, want)
			}
		}
		for _, in := range []string{"", "lots", "-1Gi", "0"} {
			if _, err := ParseMemory(in); err == nil {
				t.Errorf("ParseMemory(%q): want an error", in)
			}
		}
	})
}
