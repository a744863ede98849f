package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/charts"
	"github.com/tpgen/tpgen/overlays"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/validate"
)

func newRender() *cobra.Command {
	var (
		outDir string
		sites  []string
		jobs   int
		format string
	)
	cmd := &cobra.Command{
		Use:   "render [PATH...]",
		Short: "Render site profiles into DIR/<site>/<tier>/ manifests",
		Long: `render validates the profiles in PATH (files or directories, default
profiles/), renders every site through the Helm charts and Kustomize overlays
in process, and writes DIR/<site>/<tier>/, one object per file. Nothing is
written unless every site renders; each site's directory is replaced
atomically, and left untouched when its bytes did not change.`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			if jobs < 1 {
				return usageErr("-j %d: want at least 1", jobs)
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			opts := render.Options{
				Paths: paths, OutDir: outDir, Sites: sites, Jobs: jobs,
				Charts:   chartsource.NewFS(charts.FS, "embedded charts"),
				Overlays: overlays.FS,
			}
			if isTerminal(cmd.ErrOrStderr()) {
				opts.Progress = cmd.ErrOrStderr()
			}
			res, err := render.Run(cmd.Context(), opts)
			if dl, ok := render.Problems(err); ok {
				fmt.Fprintln(cmd.ErrOrStderr(), dl.Error())
				return silentExitMsg(fmt.Errorf("%d error(s) in the profiles; nothing was written", len(dl)))
			}
			if fs, ok := render.Findings(err); ok {
				return findingsExit(cmd.ErrOrStderr(), fs, "; nothing was written to "+outDir)
			}
			if err != nil {
				return fmt.Errorf("%w\nnothing was written to %s", err, outDir)
			}
			printFindings(cmd.ErrOrStderr(), siteFindings(res))
			return printRenderSummary(cmd.OutOrStdout(), format, outDir, res)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&outDir, "output-dir", "o", "deploy", "output directory")
	f.StringSliceVar(&sites, "site", nil, "render only these sites (repeatable, or comma-separated)")
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	f.StringVar(&format, "format", "text", "summary format: text or json")
	return cmd
}

func printRenderSummary(w io.Writer, format, dir string, res *render.Result) error {
	if format == "json" {
		type siteJSON struct {
			Name    string   `json:"name"`
			Profile string   `json:"profile"`
			Tiers   []string `json:"tiers"`
			Objects int      `json:"objects"`
			Files   int      `json:"files"`
			Changed []string `json:"changed"`
			// Findings: warnings and waived policy findings.
			Findings []validate.Finding `json:"findings"`
		}
		out := struct {
			OutputDir string     `json:"outputDir"`
			Sites     []siteJSON `json:"sites"`
		}{OutputDir: dir, Sites: []siteJSON{}}
		for _, s := range res.Sites {
			ch := s.Changed
			if ch == nil {
				ch = []string{}
			}
			fs := s.Findings
			if fs == nil {
				fs = []validate.Finding{}
			}
			out.Sites = append(out.Sites, siteJSON{s.Name, s.Profile, s.Tiers, s.Objects, len(s.Files), ch, fs})
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	changed := 0
	for _, s := range res.Sites {
		state := "unchanged"
		if len(s.Changed) > 0 {
			state = fmt.Sprintf("%d file(s) changed", len(s.Changed))
			changed++
		}
		if n := validate.Count(s.Findings, validate.SeverityWaived); n > 0 {
			state += fmt.Sprintf(", %d finding(s) waived", n)
		}
		fmt.Fprintf(w, "%-24s %4d objects  %s\n", s.Name, s.Objects, state)
	}
	if changed == 0 {
		fmt.Fprintf(w, "rendered %d site(s) into %s: nothing changed\n", len(res.Sites), dir)
	} else {
		fmt.Fprintf(w, "rendered %d site(s) into %s: %d site(s) changed\n", len(res.Sites), dir, changed)
	}
	return nil
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
