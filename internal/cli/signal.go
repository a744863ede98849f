package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"syscall"
)

// exit ends the process at a second signal; tests replace it.
var exit = os.Exit

// onSignals returns a context cancelled by the first signal received on
// sigs, which stops everything in flight (CUE evaluation included, see
// profile.EvalLimits); stopped reports that signal. A second signal exits
// at once with signalExit's code, whatever is running. stop ends the
// watch.
func onSignals(parent context.Context, sigs <-chan os.Signal, stderr io.Writer) (ctx context.Context, stopped func() os.Signal, stop func()) {
	ctx, cancel := context.WithCancel(parent)
	var mu sync.Mutex
	var first os.Signal
	done := make(chan struct{})
	go func() {
		var s os.Signal
		select {
		case s = <-sigs:
		case <-done:
			return
		}
		mu.Lock()
		first = s
		mu.Unlock()
		fmt.Fprintf(stderr, "tpgen: %v: stopping (again to exit at once)\n", s)
		cancel()
		select {
		case s = <-sigs:
			fmt.Fprintf(stderr, "tpgen: %v again: exiting at once\n", s)
			exit(signalExit(s))
		case <-done:
		}
	}()
	var once sync.Once
	return ctx, func() os.Signal {
			mu.Lock()
			defer mu.Unlock()
			return first
		}, func() {
			once.Do(func() { close(done); cancel() })
		}
}

// signalExit is the shell's exit code of a process ended by s: 128+N
// (130 for SIGINT, 143 for SIGTERM).
func signalExit(s os.Signal) int {
	if n, ok := s.(syscall.Signal); ok {
		return 128 + int(n)
	}
	return 130
}
