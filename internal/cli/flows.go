package cli

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/flows"
	"github.com/tpgen/tpgen/render/review"
)

var flowsFormats = []string{flows.FormatText, flows.FormatMarkdown, flows.FormatCSV, flows.FormatJSON}

func newFlows() *cobra.Command {
	var (
		eval     evalFlags
		format   string
		sites    []string
		base     string
		exitCode bool
	)
	cmd := &cobra.Command{
		Use:   "flows [PATH...]",
		Short: "List the network flows a firewall must allow for each site",
		Long: `flows derives the firewall request of each site from its profile (default
profiles/): inbound from base stations (the ports of the site's bsSecurity
mode and Basics Station), from users and application servers, and
outbound to the image repositories, SMTP, the OIDC issuer, the ACME
directory, the backup storage, the GitOps repository and the connectors,
with protocol and port.

--base REF lists the flows opened and closed since the profiles at a Git
revision (read in process; an empty REF is the merge base with the
default branch), so that a change that opens a port cannot be missed;
--exit-code then exits 3 when a flow changed. --format json prints a
FlowsResult document (docs/json/).`,
		Example: `  tpgen flows                          # every site of profiles/
  tpgen flows --format csv > flows.csv
  tpgen flows --base main --exit-code   # CI: did this branch open or close a flow?`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", format, flowsFormats...); err != nil {
				return err
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			compare := cmd.Flags().Changed("base")
			if !compare && exitCode {
				return usageErr("--exit-code compares flows: it needs --base")
			}
			if base == review.BaseWorktree {
				return usageErr("--base %s: the profiles on disk are what flows reads; name a Git revision", base)
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			o := review.FlowOptions{Paths: paths, Sites: sites, EvalLimits: lim, ModulePath: eval.searchPath()}
			now, err := review.Flows(o)
			if dl, ok := render.Problems(err); ok {
				return problemsExit(dl, fmt.Errorf("%d error(s) in the profiles", len(dl)))
			}
			if err != nil {
				return err
			}
			if !compare {
				return writeReport(cmd.OutOrStdout(), format, kindFlows, func(w io.Writer, f string) error {
					return flows.Write(w, f, now.Flows, now.Notes)
				})
			}
			old, desc, err := review.FlowsAt(o, base)
			if err != nil {
				return err
			}
			changes := flows.Diff(old.Flows, now.Flows)
			if err := writeReport(cmd.OutOrStdout(), format, kindFlows, func(w io.Writer, f string) error {
				return flows.WriteDiff(w, f, desc, joinPaths(paths)+" now", changes)
			}); err != nil {
				return err
			}
			if exitCode && len(changes) > 0 {
				return silentExit(ExitDrift)
			}
			return nil
		},
	}
	cmd.Annotations = jsonAnnotation(kindFlows)
	f := cmd.Flags()
	addFormat(cmd, &format, flowsFormats, true)
	f.StringSliceVar(&sites, "site", nil, "only these sites (repeatable, or comma-separated)")
	completeSites(cmd)
	f.StringVar(&base, "base", "", "list the flows opened and closed since the profiles at this Git revision (\"\": the merge base with the default branch)")
	f.BoolVar(&exitCode, "exit-code", false, "with --base: exit 3 when a flow was opened or closed")
	eval.add(f)
	return cmd
}
