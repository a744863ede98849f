package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// hugeProfile takes minutes and many GB to evaluate (issue 10): only a
// signal or a limit stops it.
const hugeProfile = "import \"list\"\n\nname: \"huge\"\n_n: len(list.Range(0, 1e8, 1))\n"

// A real tpgen process, interrupted while CUE evaluates a profile, stops
// at once with exit code 130 and writes nothing. Before issue 10 the
// signal was ignored until the evaluation ended.
func TestSIGINTStopsCUEEvaluation(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		signals int
		stderr  []string // regular expressions
	}{
		{name: "render, one signal", args: []string{"render", "-o", "out", "huge.cue"}, signals: 1,
			stderr: []string{`(?m)^tpgen: interrupt: stopping \(again to exit at once\)$`, `(?m)^tpgen: stopped by interrupt: \w+ huge\.cue: context canceled\nnothing was written to out$`}},
		{name: "validate, one signal", args: []string{"validate", "huge.cue"}, signals: 1,
			stderr: []string{`(?m)^tpgen: stopped by interrupt: \w+ huge\.cue: context canceled$`}},
		{name: "render, two signals", args: []string{"render", "-o", "out", "huge.cue"}, signals: 2,
			stderr: []string{`(?m)^tpgen: interrupt: stopping \(again to exit at once\)$`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "huge.cue"), []byte(hugeProfile), 0o644); err != nil {
				t.Fatal(err)
			}
			// "tpgen" is this test binary, installed in PATH by TestMain.
			cmd := exec.Command("tpgen", tc.args...)
			cmd.Dir = dir
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waited := make(chan error, 1)
			go func() { waited <- cmd.Wait() }()
			// Into the evaluation (under -race the schema takes longer
			// to build: the signal may come before, which must stop the
			// run all the same). A second of the child's CPU, not of the
			// clock: on a loaded machine a second of sleep ended before
			// tpgen had started (and the signal killed it, exit
			// "signal: interrupt").
			waitCPU(t, cmd.Process.Pid, time.Second)
			for range tc.signals {
				if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
					t.Fatal(err)
				}
			}
			var err error
			select {
			case err = <-waited:
			case <-time.After(time.Minute):
				// A hang guard, not a timing assertion: the exit code
				// and "context canceled" say the evaluation was stopped.
				cmd.Process.Kill()
				<-waited
				t.Fatalf("still running a minute after SIGINT; stderr:\n%s", stderr.String())
			}
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 130 {
				t.Errorf("exit: %v, want exit status 130", err)
			}
			for _, want := range tc.stderr {
				if !regexp.MustCompile(want).MatchString(stderr.String()) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "out")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("something was written: %v", err)
			}
		})
	}
}

// The first signal cancels the run; the second exits at once, even if
// the run ignores its context.
func TestOnSignals(t *testing.T) {
	codes := make(chan int, 1)
	exit = func(code int) { codes <- code }
	t.Cleanup(func() { exit = os.Exit })
	sigs := make(chan os.Signal, 2)
	var stderr bytes.Buffer
	ctx, stopped, stop := onSignals(context.Background(), sigs, &stderr)
	defer stop()
	if stopped() != nil {
		t.Fatal("stopped before any signal")
	}
	sigs <- syscall.SIGTERM
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("first signal did not cancel the context")
	}
	if got := stopped(); got != syscall.SIGTERM {
		t.Errorf("stopped() = %v, want SIGTERM", got)
	}
	sigs <- syscall.SIGINT
	select {
	case code := <-codes:
		if code != 130 {
			t.Errorf("exit code %d, want 130", code)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("second signal did not exit")
	}
	// Read after exit was called: the writes happened before.
	want := "tpgen: terminated: stopping (again to exit at once)\ntpgen: interrupt again: exiting at once\n"
	if stderr.String() != want {
		t.Errorf("stderr %q, want %q", stderr.String(), want)
	}
	if got := signalExit(syscall.SIGTERM); got != 143 {
		t.Errorf("SIGTERM exit code %d, want 143", got)
	}
}

// waitCPU waits until process pid has run for cpu (user and system time,
// from /proc/PID/stat in 1/100 s ticks, Linux's USER_HZ), for at most a
// minute; without /proc it sleeps for cpu.
func waitCPU(t *testing.T, pid int, cpu time.Duration) {
	t.Helper()
	if _, err := os.Stat("/proc/self/stat"); err != nil {
		time.Sleep(cpu)
		return
	}
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return // the process is gone: Wait says how
		}
		// After "(comm)": state, then 10 fields, then utime and stime.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) < 13 {
			t.Fatalf("/proc/%d/stat: %d fields after the command name", pid, len(f))
		}
		utime, err1 := strconv.Atoi(f[11])
		stime, err2 := strconv.Atoi(f[12])
		if err1 != nil || err2 != nil {
			t.Fatalf("/proc/%d/stat: utime %q, stime %q", pid, f[11], f[12])
		}
		if time.Duration(utime+stime)*10*time.Millisecond >= cpu {
			return
		}
	}
	t.Fatalf("tpgen (pid %d) did not run for %v in a minute", pid, cpu)
}
