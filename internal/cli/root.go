package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/validate"
)

// Exit codes of tpgen.
const (
	ExitOK    = 0
	ExitError = 1
	ExitUsage = 2
	ExitDrift = 3
)

// exitError carries an exit code and what Run prints for it on stderr:
// the findings (warnings of a verb that succeeded, or that found drift),
// then err as "tpgen: <err>"; a nil err prints no line. reported says
// the verb has written its report (or JSON document) to stdout already,
// so Run adds no JSON document of its own.
type exitError struct {
	code     int
	err      error
	findings []validate.Finding
	reported bool
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, args ...any) error {
	return &exitError{code: ExitUsage, err: fmt.Errorf(format, args...)}
}

// silentExit ends the command with code after it printed its own report.
func silentExit(code int) error { return &exitError{code: code} }

// reportedExit ends the command with code after it printed its own
// report; Run prints err, the one-line conclusion, on stderr.
func reportedExit(code int, err error) error {
	return &exitError{code: code, err: err, reported: true}
}

// withFindings has Run print the warnings of a verb's result before the
// verb's own end, err (nil: exit 0).
func withFindings(fs []validate.Finding, err error) error {
	if len(fs) == 0 {
		return err
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.findings == nil {
		ee.findings = fs
		return err
	}
	if err != nil {
		// An error of the verb's own (writing its report): the findings
		// go before it, under the error's exit code.
		return &exitError{code: ExitError, err: err, findings: fs}
	}
	return &exitError{code: ExitOK, findings: fs}
}

// silentExitMsg ends with exit 1 and a one-line summary after a report.
func silentExitMsg(err error) error { return &exitError{code: ExitError, err: err} }

// Main runs tpgen with the process's arguments and streams.
func Main() int {
	if limit := tuneGC(os.LookupEnv); limit > 0 {
		followLiveHeap(limit)
	}
	return Run(os.Args[1:], os.Stdout, os.Stderr)
}

// Run runs tpgen with args and returns the exit code. It is the one place
// that prints errors.
func Run(args []string, stdout, stderr io.Writer) int {
	// Ctrl-C or SIGTERM stop a run between steps that leave every output
	// whole; a second signal exits at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	ctx, stopped, stop := onSignals(context.Background(), sigs, stderr)
	defer stop()
	root := newRoot(stdout, stderr, args)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	return printError(cmd, err, stopped(), stdout, stderr)
}

// printError prints what a verb's err says (nothing for nil) and returns
// the exit code: the one place that prints errors and warnings. Verbs
// print their reports to stdout and return errors; a stop by a signal
// says so whatever the verb's error.
func printError(cmd *cobra.Command, err error, sig os.Signal, stdout, stderr io.Writer) int {
	if err == nil {
		return ExitOK
	}
	if sig != nil {
		// Whatever the verb says of its state, the exit code says why.
		fmt.Fprintf(stderr, "tpgen: stopped by %v: %v\n", sig, err)
		return signalExit(sig)
	}
	code := ExitError
	var ee *exitError
	if errors.As(err, &ee) {
		code = ee.code
		printFindings(stderr, ee.findings)
		if ee.err == nil {
			return code // the verb printed its report
		}
		if ee.reported {
			fmt.Fprintf(stderr, "tpgen: %v\n", ee.err)
			return code
		}
	}
	var re *reportError
	isReport := errors.As(err, &re)
	if kind := jsonKind(cmd); kind != "" {
		var fs []validate.Finding
		if isReport {
			fs = re.findings
		}
		_ = writeDoc(stdout, kind, nil, jsonErrors(err), fs)
	}
	if isReport {
		if len(re.problems) > 0 {
			fmt.Fprintln(stderr, re.problems.Error())
		}
		printFindings(stderr, re.findings)
	}
	fmt.Fprintf(stderr, "tpgen: %v\n", err)
	if code == ExitUsage {
		fmt.Fprintln(stderr, "Run 'tpgen --help' for usage.")
	}
	return code
}

func newRoot(stdout, stderr io.Writer, args []string) *cobra.Command {
	root := &cobra.Command{
		Use:   "tpgen",
		Short: "Render site profiles into Kubernetes manifests for GitOps",
		Long: `tpgen turns reviewed site profiles (YAML or CUE, checked by the CUE schema
of their platform module) into a deterministic tree of Kubernetes
manifests, through the module's Helm charts, manifests and Kustomize
overlays, in process.`,
		SilenceErrors: true,
		SilenceUsage:  true,
		Version:       Version(),
	}
	root.SetVersionTemplate("tpgen {{.Version}}\n")
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return &exitError{code: ExitUsage, err: withFormatHint(cmd, err)}
	})
	root.AddCommand(
		newValidate(),
		newRender(),
		newLock(),
		newCharts(),
		newDiff(),
		newFlows(),
		newGraph(),
		newSecrets(),
		newValues(),
		newSchema(),
		newInit(args),
		newModules(),
		newMigrate(),
		newVersion(),
	)
	// pflag prints deprecation warnings to the flag set's output, which
	// cobra would send to stdout: they go to stderr.
	for _, c := range root.Commands() {
		c.Flags().SetOutput(stderr)
	}
	return root
}

// args wraps a cobra positional-argument check so that a mismatch is a usage
// error (exit 2).
func args(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, a []string) error {
		if err := check(cmd, a); err != nil {
			return &exitError{code: ExitUsage, err: err}
		}
		return nil
	}
}

func joinPaths(paths []string) string { return strings.Join(paths, " ") }

func oneOf(flag, v string, allowed ...string) error {
	for _, a := range allowed {
		if v == a {
			return nil
		}
	}
	return usageErr("--%s %q: want one of %v", flag, v, allowed)
}
