package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
)

func newValues() *cobra.Command {
	var (
		sites      []string
		components []string
		dir        string
		eval       evalFlags
		limits     *render.Limits
	)
	cmd := &cobra.Command{
		Use:   "values [PATH...]",
		Short: "Print the values each chart component of each site is rendered with",
		Long: `values computes, for the profiles in PATH (default profiles/), the values
tpgen passes to each Helm component of each site, without rendering: YAML
files a user can pass to ` + "`helm template -f`" + ` or attach to a support
ticket. Each starts with a comment naming the site, the component, the chart
(name@version) and where it comes from; keys are sorted. Secret-carrying
keys hold references (a secretRef, or a tpgen-secret: marker), never values.

Without -o, the files go to stdout as YAML documents separated by ---; with
-o DIR, each goes to DIR/<site>/<component>.values.yaml (written through a
temporary file and renamed; nothing outside DIR is written; other files of
DIR are left alone).`,
		Example: `  tpgen values --site lyon-prod --component enterprise
  tpgen values profiles -o values/
  helm template tpe ./thingpark-enterprise -f values/lyon-prod/enterprise.values.yaml`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			if slices.Contains(append([]string{"yaml"}, allFormats...), dir) {
				if _, err := os.Stat(dir); err != nil {
					return usageErr("values: the output directory %s does not exist\nhint: -o names the output directory; without it, values prints YAML on stdout", dir)
				}
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			o := renderOptions(paths, sites, 1, lim, eval.searchPath(), limits)
			vals, err := render.Values(cmd.Context(), o, components)
			if err != nil {
				return renderFailure(err)
			}
			if dir != "" {
				if err := render.WriteValues(dir, vals); err != nil {
					return err
				}
				for _, v := range vals {
					fmt.Fprintf(cmd.ErrOrStderr(), "wrote %s\n", filepath.Join(dir, filepath.FromSlash(v.ValuesFile())))
				}
				return nil
			}
			w := cmd.OutOrStdout()
			for i, v := range vals {
				b, err := v.Encode()
				if err != nil {
					return err
				}
				if i > 0 {
					fmt.Fprintln(w, "---")
				}
				if _, err := w.Write(b); err != nil {
					return err
				}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&sites, "site", nil, "only these sites (repeatable, or comma-separated)")
	f.StringSliceVar(&components, "component", nil, "only these components (repeatable, or comma-separated)")
	addOutputDir(cmd, &dir, "", "write DIR/<site>/<component>.values.yaml instead of printing")
	eval.add(f)
	limits = addLimitFlags(f)
	completeSites(cmd)
	return cmd
}
