package cli

import (
	"fmt"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/charts"
	"github.com/tpgen/tpgen/overlays"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/graph"
)

func newGraph() *cobra.Command {
	var (
		eval   evalFlags
		format string
		sites  []string
		jobs   int
	)
	cmd := &cobra.Command{
		Use:   "graph [PATH...]",
		Short: "Draw the deployment order of each site as Mermaid or Graphviz dot",
		Long: `graph renders the profiles in PATH (default profiles/) in memory and draws,
per site, the tiers in install order with the objects each holds by kind,
and how the GitOps engine orders them: Argo CD sync waves from the root
Application, or Flux dependsOn. Mermaid (the default) renders on GitHub
in a pull request or a README; dot is for Graphviz.`,
		Example: `  tpgen graph --site lyon-prod            # Mermaid, to paste in a ` + "```mermaid" + ` block
  tpgen graph --format dot | dot -Tsvg > order.svg`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", format, graph.FormatMermaid, graph.FormatDot); err != nil {
				return err
			}
			if jobs < 1 {
				return usageErr("-j %d: want at least 1", jobs)
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			gs, err := render.Graph(cmd.Context(), render.Options{
				Paths: paths, Sites: sites, Jobs: jobs,
				Charts:   chartsource.NewFS(charts.FS, "embedded charts"),
				Overlays: overlays.FS,
				Version:  Version(), EvalLimits: lim,
			})
			if dl, ok := render.Problems(err); ok {
				fmt.Fprintln(cmd.ErrOrStderr(), dl.Error())
				return silentExitMsg(fmt.Errorf("%d error(s) in the profiles", len(dl)))
			}
			if err != nil {
				return err
			}
			return graph.Write(cmd.OutOrStdout(), format, gs)
		},
	}
	f := cmd.Flags()
	f.StringVar(&format, "format", graph.FormatMermaid, "mermaid or dot")
	f.StringSliceVar(&sites, "site", nil, "only these sites (repeatable, or comma-separated)")
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	eval.add(f)
	return cmd
}
