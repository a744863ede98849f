package cli

import (
	"bytes"
	"errors"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/validate"
)

// printError is the one place that prints errors and warnings: a verb
// returns them, and prints only its report on stdout.
func TestPrintError(t *testing.T) {
	warn := validate.Finding{Severity: validate.SeverityWarning, Site: "paris", Check: "overlay-unmatched", Message: "no object matches"}
	waived := validate.Finding{Severity: validate.SeverityWaived, Site: "paris", Check: "x", Message: "waived"}
	const warnLine = "warning: paris: no object matches [overlay-unmatched]\n"
	for _, tc := range []struct {
		name           string
		err            error
		json           bool
		sig            os.Signal
		code           int
		stdout, stderr string
	}{
		{name: "success", err: withFindings(nil, nil), code: ExitOK},
		{name: "success with warnings", err: withFindings([]validate.Finding{warn, waived}, nil), code: ExitOK, stderr: warnLine},
		{name: "success with waived findings only", err: withFindings([]validate.Finding{waived}, nil), code: ExitOK},
		{name: "drift after the report, with warnings", json: true,
			err:  withFindings([]validate.Finding{warn}, reportedExit(ExitDrift, errors.New("deploy differs from the profiles\nhint: run render"))),
			code: ExitDrift, stderr: warnLine + "tpgen: deploy differs from the profiles\nhint: run render\n"},
		{name: "silent drift", err: withFindings([]validate.Finding{warn}, silentExit(ExitDrift)), code: ExitDrift, stderr: warnLine},
		{name: "the verb's own error after warnings", err: withFindings([]validate.Finding{warn}, errors.New("writing: broken pipe")),
			code: ExitError, stderr: warnLine + "tpgen: writing: broken pipe\n"},
		{name: "an error under --format json", json: true, err: errors.New("boom"), code: ExitError,
			stdout: "{\n  \"apiVersion\": \"tpgen.dev/v1\",\n  \"kind\": \"RenderResult\",\n  \"errors\": [\n    {\n      \"message\": \"boom\"\n    }\n  ],\n  \"findings\": []\n}\n",
			stderr: "tpgen: boom\n"},
		{name: "usage", err: usageErr("-j 0: want at least 1"), code: ExitUsage, stderr: "tpgen: -j 0: want at least 1\nRun 'tpgen --help' for usage.\n"},
		{name: "stopped", err: errors.New("context canceled"), sig: syscall.SIGTERM, code: signalExit(syscall.SIGTERM),
			stderr: "tpgen: stopped by terminated: context canceled\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := &cobra.Command{Use: "render", Annotations: jsonAnnotation(kindRender)}
			format := "text"
			if tc.json {
				format = "json"
			}
			cmd.Flags().String("format", format, "")
			var stdout, stderr bytes.Buffer
			code := printError(cmd, tc.err, tc.sig, &stdout, &stderr)
			if code != tc.code {
				t.Errorf("exit %d, want %d", code, tc.code)
			}
			if d := cmp.Diff(tc.stdout, stdout.String()); d != "" {
				t.Errorf("stdout (-want +got):\n%s", d)
			}
			if d := cmp.Diff(tc.stderr, stderr.String()); d != "" {
				t.Errorf("stderr (-want +got):\n%s", d)
			}
		})
	}
}
