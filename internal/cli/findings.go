package cli

import (
	"fmt"
	"io"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/profile"
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

// renderOptions are what every verb that renders in memory shares: the
// module search path, this tpgen's version and the limits.
func renderOptions(paths, sites []string, jobs int, lim profile.EvalLimits, modulePath []string, limits *render.Limits) render.Options {
	o := render.Options{
		Paths: paths, Sites: sites, Jobs: jobs,
		ModulePath: modulePath,
		Version:    Version(),
		EvalLimits: lim,
	}
	if limits != nil {
		o.Limits = *limits
	}
	return o
}

// renderFailure is the exit of a verb whose in-memory rendering failed:
// profile problems and findings are reported as such, other errors as
// they are; nil when err is nil.
func renderFailure(err error) error {
	if dl, ok := render.Problems(err); ok {
		return problemsExit(dl, fmt.Errorf("%d error(s) in the profiles", len(dl)))
	}
	if fs, ok := render.Findings(err); ok {
		return findingsExit(fs, "")
	}
	return err
}
