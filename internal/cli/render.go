package cli

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/validate"
)

func newRender() *cobra.Command {
	var (
		eval   evalFlags
		outDir string
		sites  []string
		jobs   int
		format string
		check  bool
		force  bool
		allow  []string
		strict bool
		full   bool
		cf     chartFlags
	)
	var limits *render.Limits
	cmd := &cobra.Command{
		Use:   "render [PATH...]",
		Short: "Render site profiles into DIR/<site>/<tier>/ manifests",
		Long: `render validates the profiles in PATH (files or directories, default
profiles/), renders every site through the Helm charts and Kustomize overlays
in process, and writes DIR/<site>/<tier>/, one object per file, plus
DIR/<site>/gitops/ for the site's Argo CD or Flux.

A site whose inputs (profile, fleet defaults, plan, charts, overlays,
module files, tpgen version) and files in DIR are as DIR/.tpgen-index.json
records them is not rendered again, nor validated (--full renders every
site). Nothing is written unless every site renders; each site's directory is
replaced atomically, and left untouched when its bytes did not change.
DIR/.tpgen-index.json lists the files tpgen owns: files it does not own are
never touched, owned files no longer rendered are removed, and so is a site
whose profile is gone (unless --site narrows the run). A DIR holding files
but no index is refused unless --force.

The GitOps objects sync DIR: a profile that leaves gitops.path unset gets
DIR relative to the root of the Git work tree that holds it (else to the
working directory); one that sets another path is refused.

--check renders in memory and compares with DIR, writing nothing: exit 0
when identical, exit 3 listing every changed, missing or leftover file
(and saying so when only the tpgen version that wrote DIR differs). DIR
must exist.

A change to a field Kubernetes will not update in place (a StatefulSet's
claim templates, a selector, a Service's cluster IP, ...), compared with the
objects tpgen wrote to DIR before, is refused unless --allow-replace (or the
profile's acknowledge.replace) names the object; it then renders the Argo CD
or Flux annotation that deletes and creates the object again, and the
expansion of a StatefulSet's existing claims.

--format json prints a RenderResult document (docs/json/), errors
included.`,
		Example: `  tpgen render                      # profiles/ into deploy/
  tpgen render fleet/eu -o sites    # one directory of profiles into sites/
  tpgen render --check              # CI: fail (exit 3) if deploy/ is stale`,
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
			if outDir == "" {
				return usageErr("-o: want an output directory")
			}
			if check && force {
				return usageErr("--check writes nothing: --force does not apply")
			}
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			if check {
				if err := checkDir(outDir, "render --check", allFormats...); err != nil {
					return err
				}
			} else if err := formatAsDir(outDir); err != nil {
				return err
			}
			opts := render.Options{
				Paths: paths, Sites: sites, Jobs: jobs,
				ModulePath: eval.searchPath(),
				Version:    Version(),
				WriteOptions: render.WriteOptions{
					OutDir: outDir, Check: check, Force: force, WriteHook: writeHook,
				},
				EvalLimits: lim, Limits: *limits,
				AllowReplace: allow, Strict: strict, Full: full,
				ChartSources: cf.sources(),
			}
			if isTerminal(cmd.ErrOrStderr()) {
				opts.Progress = cmd.ErrOrStderr()
			}
			res, err := render.Run(cmd.Context(), opts)
			if dl, ok := render.Problems(err); ok {
				return problemsExit(dl, fmt.Errorf("%d error(s) in the profiles; nothing was written", len(dl)))
			}
			if fs, ok := render.Findings(err); ok {
				return findingsExit(fs, "; nothing was written to "+outDir)
			}
			switch {
			case err != nil && res == nil: // rendering failed
				return fmt.Errorf("%w\nnothing was written to %s", err, outDir)
			case err != nil: // the output stage says what state DIR is in
				return err
			}
			if check {
				return withFindings(siteFindings(res), printDrift(cmd, format, outDir, paths, res))
			}
			return withFindings(siteFindings(res), printRenderSummary(cmd.OutOrStdout(), format, outDir, res))
		},
	}
	cmd.Annotations = jsonAnnotation(kindRender)
	f := cmd.Flags()
	addOutputDir(cmd, &outDir, "deploy", "output directory")
	f.StringSliceVar(&sites, "site", nil, "render only these sites (repeatable, or comma-separated)")
	completeSites(cmd)
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	addFormat(cmd, &format, []string{"text", "json"}, false)
	f.BoolVar(&check, "check", false, "compare with DIR instead of writing; exit 3 on any difference")
	f.BoolVar(&force, "force", false, "adopt a DIR that tpgen did not write, and files in the way")
	eval.add(f)
	cf.add(f, true)
	limits = addLimitFlags(f)
	f.BoolVar(&full, "full", false, "render and validate every site, even those whose inputs and files are unchanged since DIR was written")
	f.BoolVar(&strict, "strict", false, "a site overlay patch whose target selects no object is an error, not a warning")
	f.StringArrayVar(&allow, "allow-replace", nil, "acknowledge changes Kubernetes will not apply in place to these objects (Kind/namespace/name, * within a part, or all): the GitOps engine deletes and creates them again")
	// The kinds whose changes render may refuse (see render/replace.go),
	// as patterns; an object's own name is in render's refusal.
	_ = cmd.RegisterFlagCompletionFunc("allow-replace", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		out := []string{"all"}
		for _, gk := range kube.ImmutableKinds() {
			kind, _, _ := strings.Cut(gk, ".")
			if kube.ClusterScoped(gk) {
				out = append(out, kind+"/*")
			} else {
				out = append(out, kind+"/*/*")
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// writeHook is handed to the output stage; tests set it to kill tpgen at a
// step of a write.
var writeHook func(step string)

func printDrift(cmd *cobra.Command, format, dir string, paths []string, res *render.Result) error {
	w := cmd.OutOrStdout()
	writtenBy := ""
	if len(res.Drift) == 1 && res.Drift[0].What == "version" {
		writtenBy = res.Drift[0].WrittenBy
	}
	if format == "json" {
		type driftJSON struct {
			Path   string `json:"path"`
			What   string `json:"what"`
			Edited bool   `json:"edited,omitempty"`
		}
		out := struct {
			OutputDir string      `json:"outputDir"`
			UpToDate  bool        `json:"upToDate"`
			Drift     []driftJSON `json:"drift"`
			Version   string      `json:"version"`
			// WrittenBy is set when only the tpgen version differs.
			WrittenBy string `json:"writtenBy,omitempty"`
		}{OutputDir: dir, UpToDate: len(res.Drift) == 0, Drift: []driftJSON{}, Version: Version(), WrittenBy: writtenBy}
		for _, d := range res.Drift {
			out.Drift = append(out.Drift, driftJSON{d.Path, d.What, d.Edited})
		}
		if err := writeDoc(w, kindRender, out, nil, siteFindings(res)); err != nil {
			return err
		}
	} else {
		for _, d := range res.Drift {
			note := ""
			switch {
			case d.Edited:
				note = "  (edited since tpgen wrote it)"
			case d.What == "version":
				note = fmt.Sprintf("  (written by tpgen %s, this is %s)", d.WrittenBy, Version())
			}
			fmt.Fprintf(w, "%-11s %s%s\n", d.What, filepath.Join(dir, filepath.FromSlash(d.Path)), note)
		}
	}
	if writtenBy != "" {
		return reportedExit(ExitDrift, fmt.Errorf("only the tpgen version differs: %s was written by tpgen %s, this is tpgen %s; every rendered file is identical\nhint: re-render with tpgen %s (`tpgen render %s -o %s`) and commit, or run the check with the version that wrote it (%s)",
			dir, writtenBy, Version(), Version(), strings.Join(paths, " "), dir, writtenBy))
	}
	if len(res.Drift) == 0 {
		if format != "json" {
			fmt.Fprintf(w, "%s is up to date: %d site(s)\n", dir, len(res.Sites))
		}
		return nil
	}
	sites, clusters := map[string]bool{}, map[string]bool{}
	for _, d := range res.Drift {
		if s, rest, ok := strings.Cut(d.Path, "/"); ok {
			if c, _, ok := strings.Cut(rest, "/"); ok && s == render.ClustersDir {
				clusters[c] = true
			} else {
				sites[s] = true
			}
		}
	}
	where := fmt.Sprintf("%d site(s)", len(sites))
	switch {
	case len(clusters) > 0 && len(sites) == 0:
		where = fmt.Sprintf("%d cluster(s)", len(clusters))
	case len(clusters) > 0:
		where += fmt.Sprintf(" and %d cluster(s)", len(clusters))
	}
	return reportedExit(ExitDrift, fmt.Errorf("%s differs from the profiles: %d difference(s) in %s\nhint: run `tpgen render %s -o %s` and commit the result",
		dir, len(res.Drift), where, strings.Join(paths, " "), dir))
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
			// Rendered is false for a site kept unchanged.
			Rendered bool `json:"rendered"`
			// Findings: warnings and waived policy findings.
			Findings []validate.Finding `json:"findings"`
		}
		out := struct {
			OutputDir string     `json:"outputDir"`
			Version   string     `json:"version"`
			Sites     []siteJSON `json:"sites"`
			Pruned    []string   `json:"pruned"`
		}{OutputDir: dir, Version: Version(), Sites: []siteJSON{}, Pruned: append([]string{}, res.Pruned...)}
		for _, s := range res.Sites {
			ch := s.Changed
			if ch == nil {
				ch = []string{}
			}
			fs := s.Findings
			if fs == nil {
				fs = []validate.Finding{}
			}
			out.Sites = append(out.Sites, siteJSON{s.Name, s.Profile, s.Tiers, s.Objects, len(s.Files), ch, !s.Skipped, fs})
		}
		return writeDoc(w, kindRender, out, nil, siteFindings(res))
	}
	changed := 0
	for _, s := range res.Sites {
		if s.Skipped {
			fmt.Fprintf(w, "%-24s kept: inputs and files unchanged, not rendered\n", s.Name)
			continue
		}
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
	for _, p := range res.Pruned {
		fmt.Fprintf(w, "%-24s removed: its profile is gone\n", p)
		changed++
	}
	clusters := 0
	for _, c := range res.Clusters {
		if len(c.Changed) > 0 {
			fmt.Fprintf(w, "%-24s %d file(s) changed\n", render.ClustersDir+"/"+c.Name, len(c.Changed))
			clusters++
		}
	}
	for _, c := range res.PrunedClusters {
		fmt.Fprintf(w, "%-24s removed: no site names the cluster\n", render.ClustersDir+"/"+c)
		clusters++
	}
	switch {
	case changed == 0 && clusters == 0:
		fmt.Fprintf(w, "rendered %d site(s) into %s: nothing changed\n", len(res.Sites), dir)
	case clusters == 0:
		fmt.Fprintf(w, "rendered %d site(s) into %s: %d site(s) changed\n", len(res.Sites), dir, changed)
	default:
		fmt.Fprintf(w, "rendered %d site(s) into %s: %d site(s) and %d cluster(s) changed\n", len(res.Sites), dir, changed, clusters)
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
