package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/validate"
)

func newValidate() *cobra.Command {
	var (
		eval     evalFlags
		output   string
		rendered string
		previous string
		sites    []string
	)
	var limits *render.Limits
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check site profiles against the schema, or a rendered tree against Kubernetes and policy",
		Long: `validate checks every profile in the given files and directories (default
profiles/) against tpgen's embedded schema. It prints one summary line and
exits 0 when every site is valid; otherwise it prints every error with its
field path and file:line:col, and exits 1.

With --rendered DIR, it runs the validation stage of render over a tree
that render wrote (DIR/<site>/<tier>/*.yaml, e.g. after a hand edit or
from another tpgen version): each site directory is matched by name with
a profile in PATH (default profiles/), whose plan gives the checks their
inputs; the objects' sources come from the files' headers. Errors exit 1,
warnings are printed and exit 0.

With --previous DIR, a site's release is also checked against the one the
tree in DIR (the -o of render) records: a change the module's upgrade rule
refuses (ThingPark: one minor at a time, from the latest fix of the
previous minor) is an error that says the path to follow. render makes the
same check against its own -o.

--format json prints a ValidateResult document (docs/json/).`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", output, "text", "json"); err != nil {
				return err
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			if previous != "" && rendered != "" {
				return usageErr("--previous and --rendered: give one")
			}
			if rendered != "" {
				return validateRendered(cmd, output, rendered, paths, sites, lim, eval.searchPath(), *limits)
			}
			if len(sites) > 0 {
				return usageErr("--site needs --rendered")
			}

			l, err := profile.NewLoader(nil)
			if err != nil {
				return err
			}
			l.Limit.Max = limits.ProfileSize
			l.Modules = &module.Resolver{SearchPath: eval.searchPath()}
			sites, err := l.LoadAllContext(cmd.Context(), paths, lim)
			var problems diag.List
			if err != nil && !errors.As(err, &problems) {
				return err
			}
			for _, s := range sites {
				problems = append(problems, l.CheckPaths(s)...)
			}
			if previous != "" && len(problems) == 0 {
				if _, err := render.CheckUpgrades(cmd.Context(), renderOptions(paths, nil, 1, lim, eval.searchPath(), limits), previous); err != nil {
					return renderFailure(err)
				}
			}
			return reportValidation(cmd, output, sites, problems)
		},
	}
	cmd.Annotations = jsonAnnotation(kindValidate)
	addFormat(cmd, &output, []string{"text", "json"}, true)
	cmd.Flags().StringVar(&rendered, "rendered", "", "validate the rendered tree in `DIR` (the -o of render) instead of the profiles")
	_ = cmd.RegisterFlagCompletionFunc("rendered", completeDirs)
	cmd.Flags().StringVar(&previous, "previous", "", "also check each site's release change against the tree in `DIR` (the -o of render)")
	_ = cmd.RegisterFlagCompletionFunc("previous", completeDirs)
	cmd.Flags().StringSliceVar(&sites, "site", nil, "with --rendered: only these sites (repeatable, or comma-separated)")
	eval.add(cmd.Flags())
	limits = addLimitFlags(cmd.Flags())
	completeSites(cmd)
	return cmd
}

func validateRendered(cmd *cobra.Command, output, dir string, paths, sites []string, lim profile.EvalLimits, modulePath []string, limits render.Limits) error {
	res, err := render.ValidateRendered(cmd.Context(), render.RenderedOptions{Dir: dir, Paths: paths, Sites: sites, EvalLimits: lim, Limits: limits, ModulePath: modulePath})
	fs, failed := render.Findings(err)
	if dl, ok := render.Problems(err); ok {
		return problemsExit(dl, fmt.Errorf("%d error(s) in the profiles", len(dl)))
	}
	if err != nil && !failed {
		return err
	}
	if !failed {
		fs = siteFindings(res)
	}
	if output == "json" {
		type siteJSON struct {
			Name    string `json:"name"`
			Profile string `json:"profile"`
			Objects int    `json:"objects"`
		}
		out := struct {
			Valid bool       `json:"valid"`
			Sites []siteJSON `json:"sites"`
		}{Valid: !failed, Sites: []siteJSON{}}
		if res != nil {
			for _, s := range res.Sites {
				out.Sites = append(out.Sites, siteJSON{s.Name, s.Profile, s.Objects})
			}
		}
		return writeJSON(cmd.OutOrStdout(), out, nil, fs, !failed)
	}
	if failed {
		return findingsExit(fs, " of "+dir)
	}
	objects := 0
	for _, s := range res.Sites {
		objects += s.Objects
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d site(s) in %s valid: %d objects, %d warning(s), %d waived\n",
		len(res.Sites), dir, objects, validate.Count(fs, validate.SeverityWarning), validate.Count(fs, validate.SeverityWaived))
	return withFindings(fs, nil)
}

// writeJSON prints v as a ValidateResult document, then ends with exit 1
// unless ok.
func writeJSON(w io.Writer, v any, errs []jsonError, fs []validate.Finding, ok bool) error {
	if err := writeDoc(w, kindValidate, v, errs, fs); err != nil {
		return err
	}
	if !ok {
		return silentExit(ExitError)
	}
	return nil
}

func reportValidation(cmd *cobra.Command, output string, sites []*profile.Site, problems diag.List) error {
	if output == "json" {
		type siteJSON struct {
			Name string `json:"name"`
			File string `json:"file"`
		}
		res := struct {
			Valid bool       `json:"valid"`
			Sites []siteJSON `json:"sites"`
		}{Valid: len(problems) == 0, Sites: []siteJSON{}}
		for _, s := range sites {
			res.Sites = append(res.Sites, siteJSON{Name: s.Name, File: s.Source.File})
		}
		var errs []jsonError
		if len(problems) > 0 {
			errs = jsonErrors(problems)
		}
		return writeJSON(cmd.OutOrStdout(), res, errs, nil, len(problems) == 0)
	}
	if len(problems) > 0 {
		return problemsExit(problems, fmt.Errorf("%d error(s) in %d profile(s)", len(problems), countFiles(problems)))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d site(s) valid\n", len(sites))
	return nil
}

func countFiles(l diag.List) int {
	files := map[string]bool{}
	for _, d := range l {
		files[d.File] = true
	}
	return len(files)
}
