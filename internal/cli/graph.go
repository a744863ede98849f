package cli

import (
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/graph"
	"github.com/tpgen/tpgen/render/review"
)

var graphFormats = []string{graph.FormatMermaid, graph.FormatDot, graph.FormatJSON}

func newGraph() *cobra.Command {
	var (
		eval   evalFlags
		format string
		outDir string
		sites  []string
		jobs   int
		limits *render.Limits
	)
	cmd := &cobra.Command{
		Use:   "graph [PATH...]",
		Short: "Draw the component graph of each site as Mermaid or Graphviz dot",
		Long: `graph renders the profiles in PATH (default profiles/) in memory and draws,
per site, its components with the objects each holds by kind, their
namespace, kind and manual flag, the dependsOn edges between them (an edge
implied by another path dotted; a dependency with nothing in the site
directory, such as one in the cluster unit, as a node of its own), and how
the GitOps engine orders them: Argo CD sync waves, or Flux dependsOn,
with the paths they sync as render -o DIR (default deploy) writes them.
Mermaid (the default) renders on GitHub in a pull request or a README;
dot is for Graphviz; json (a GraphResult document, docs/json/) lists the
same nodes and edges for tools.`,
		Example: `  tpgen graph --site lyon-prod            # Mermaid, to paste in a ` + "```mermaid" + ` block
  tpgen graph --format dot | dot -Tsvg > order.svg`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", format, graphFormats...); err != nil {
				return err
			}
			if jobs < 1 {
				return usageErr("-j %d: want at least 1", jobs)
			}
			if err := dirNamedLikeFormat("graph", outDir); err != nil {
				return err
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			// The paths the GitOps objects sync are drawn as `render -o
			// DIR` writes them.
			tree, err := render.TreePath(outDir)
			if err != nil {
				return err
			}
			o := renderOptions(paths, sites, jobs, lim, eval.searchPath(), limits)
			o.GitOpsPath = tree
			gs, err := review.Graph(cmd.Context(), o)
			if err != nil {
				return renderFailure(err)
			}
			return writeReport(cmd.OutOrStdout(), format, kindGraph, func(w io.Writer, f string) error { return graph.Write(w, f, gs) })
		},
	}
	cmd.Annotations = jsonAnnotation(kindGraph)
	f := cmd.Flags()
	addFormat(cmd, &format, graphFormats, false)
	addOutputDir(cmd, &outDir, "deploy", "the output directory render writes, for the paths the GitOps objects sync")
	f.StringSliceVar(&sites, "site", nil, "only these sites (repeatable, or comma-separated)")
	completeSites(cmd)
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	eval.add(f)
	limits = addLimitFlags(f)
	return cmd
}
