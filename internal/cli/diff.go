package cli

import (
	"io"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/diff"
	"github.com/tpgen/tpgen/render/review"
)

var diffFormats = []string{diff.FormatText, diff.FormatMarkdown, diff.FormatJSON}

func newDiff() *cobra.Command {
	var (
		eval     evalFlags
		outDir   string
		base     string
		format   string
		sites    []string
		jobs     int
		exitCode bool
		limits   *render.Limits
	)
	cmd := &cobra.Command{
		Use:   "diff [PATH...]",
		Short: "Compare the rendering of the profiles with DIR at a Git revision, object by object",
		Long: `diff renders the profiles in PATH (as render does, default profiles/) in
memory and compares the result with the output directory DIR as committed
at a Git revision: by default the merge base of HEAD with the default
branch (origin/HEAD, else main, else master), so that in a pull request's
branch it shows what the branch changes. --base REF names another
revision; --base worktree compares with DIR on disk. Git is read in
process; nothing is written.

Objects are matched by identity (group, kind, namespace, name), not by
line. The report has a summary per site and tier (objects added, removed,
changed, and the flags that need attention: image, replicas, resources,
ports, RBAC, CRD, StorageClass, PriorityClass, NetworkPolicy,
cluster-scoped), then the changed fields of each object. Secret-like
values are never printed. Changes of the labels helm.sh/chart and
app.kubernetes.io/version are summarised once per site.

DIR must exist on disk (it is the directory render writes, default
deploy).

--format markdown is ready to post as a pull-request comment (a summary
table, the attention list, collapsible details, at most 60000 bytes with a
note of what was cut); json (a DiffResult document, docs/json/) is for bots. --exit-code exits 3 when there
are differences.`,
		Example: `  tpgen diff                               # profiles/ against deploy/ at the merge base
  tpgen diff --base v2024.06 -o sites      # against a tag
  tpgen diff --base worktree               # against deploy/ on disk
  tpgen diff --format markdown > comment.md`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", format, diffFormats...); err != nil {
				return err
			}
			if jobs < 1 {
				return usageErr("-j %d: want at least 1", jobs)
			}
			if outDir == "" {
				return usageErr("-o: want the output directory to compare with")
			}
			if err := checkDir(outDir, "diff", allFormats...); err != nil {
				return err
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			o := renderOptions(paths, sites, jobs, lim, eval.searchPath(), limits)
			r, err := review.Diff(cmd.Context(), review.DiffOptions{
				Options: o,
				Dir:     outDir,
				Base:    base,
			})
			if err != nil {
				return renderFailure(err)
			}
			if err := writeReport(cmd.OutOrStdout(), format, kindDiff, func(w io.Writer, f string) error { return r.Write(w, f, 0) }); err != nil {
				return err
			}
			if exitCode && r.Differs() {
				return silentExit(ExitDrift)
			}
			return nil
		},
	}
	cmd.Annotations = jsonAnnotation(kindDiff)
	f := cmd.Flags()
	addOutputDir(cmd, &outDir, "deploy", "the output directory to compare with")
	f.StringVar(&base, "base", "", "Git revision of DIR to compare with (default: the merge base with the default branch; worktree: DIR on disk)")
	addFormat(cmd, &format, diffFormats, true)
	f.StringSliceVar(&sites, "site", nil, "compare only these sites (repeatable, or comma-separated)")
	completeSites(cmd)
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	f.BoolVar(&exitCode, "exit-code", false, "exit 3 when there are differences")
	eval.add(f)
	limits = addLimitFlags(f)
	return cmd
}
