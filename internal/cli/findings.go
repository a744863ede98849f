package cli

import (
	"fmt"
	"io"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/validate"
)

// printFindings writes errors and warnings, sorted, one blank-line-free
// block each; waived findings are counted in the summary, not printed.
func printFindings(w io.Writer, fs []validate.Finding) {
	for _, f := range fs {
		if f.Severity != validate.SeverityWaived {
			fmt.Fprintln(w, f.String())
		}
	}
}

// siteFindings gathers the findings of every site of a result.
func siteFindings(res *render.Result) []validate.Finding {
	var all []validate.Finding
	for _, s := range res.Sites {
		all = append(all, s.Findings...)
	}
	validate.Sort(all)
	return all
}

// findingsExit reports a validation failure: every error and warning, then
// the one-line summary "N error(s) in the rendered objects<tail>", exit 1.
// Run prints them (stderr, or the JSON document under --format json).
func findingsExit(fs []validate.Finding, tail string) error {
	return &reportError{findings: fs, summary: fmt.Errorf("%d error(s) in the rendered objects%s", validate.Count(fs, validate.SeverityError), tail)}
}
