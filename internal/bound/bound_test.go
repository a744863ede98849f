package bound

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestRun(t *testing.T) {
	// never ends the abandoned goroutines once the test is over.
	never := make(chan struct{})
	t.Cleanup(func() { close(never) })
	tests := []struct {
		name string
		lim  Limits
		ctx  func() context.Context
		f    func() error
		want func(error) bool
	}{
		{"returns f's error", Limits{Time: time.Minute}, context.Background,
			func() error { return errors.New("boom") },
			func(err error) bool { return err != nil && err.Error() == "boom" }},
		{"time", Limits{Time: 20 * time.Millisecond}, context.Background,
			func() error { <-never; return nil },
			func(err error) bool { var e *Exceeded; return errors.As(err, &e) && !e.Memory }},
		{"memory", Limits{Time: time.Minute, Memory: 64 << 20, Poll: time.Millisecond}, context.Background,
			func() error {
				var keep [][]byte
				for len(keep) < 1024 {
					select {
					case <-never:
						return nil
					default:
					}
					keep = append(keep, make([]byte, 1<<20))
					time.Sleep(100 * time.Microsecond)
				}
				return nil
			},
			func(err error) bool { var e *Exceeded; return errors.As(err, &e) && e.Memory }},
		{"cancelled", Limits{}, func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(10*time.Millisecond, cancel)
			return ctx
		}, func() error { <-never; return nil },
			func(err error) bool { return errors.Is(err, context.Canceled) }},
		{"panic", Limits{}, context.Background,
			func() error { panic("oops") },
			func(err error) bool { return err != nil && strings.Contains(err.Error(), "oops") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := Run(tt.ctx(), tt.lim, tt.f); !tt.want(err) {
				t.Errorf("Run: %v", err)
			}
		})
	}
}
