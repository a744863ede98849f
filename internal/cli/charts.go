package cli

import (
	"fmt"
	"os"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartlock"
)

// chartFlags say where charts from Helm repositories and OCI registries
// come from, on every verb that reads them.
type chartFlags struct {
	lockfile  string
	cache     string
	vendor    []string
	offline   bool
	allowHTTP bool
}

func (c *chartFlags) add(f *pflag.FlagSet, offline bool) {
	f.StringVar(&c.lockfile, "lockfile", "", "the lockfile (default: "+chartlock.FileName+" in the first PATH's directory)")
	f.StringVar(&c.cache, "chart-cache", "", "the chart cache directory (default: $"+chartlock.EnvCache+", else the user cache directory's tpgen/charts)")
	f.BoolVar(&c.allowHTTP, "allow-loopback-http", false, "allow plain HTTP to loopback addresses (tests, a local mirror); HTTPS is required otherwise")
	if offline {
		f.StringArrayVar(&c.vendor, "chart-vendor", nil, "a directory written by `tpgen charts vendor`, read as a read-only cache before the cache (repeatable)")
		f.BoolVar(&c.offline, "offline", false, "never fetch: a chart missing from the cache is an error")
	}
}

// chartOptions are the rendering options of the chart verbs (lock, charts
// pull, charts vendor): the profiles in paths (default profiles/), their
// evaluation limits and module path, and the chart flags.
func chartOptions(paths []string, eval *evalFlags, cf *chartFlags) (render.Options, error) {
	if len(paths) == 0 {
		paths = []string{"profiles"}
	}
	lim, err := eval.limits()
	if err != nil {
		return render.Options{}, err
	}
	o := renderOptions(paths, nil, runtime.NumCPU(), lim, eval.searchPath(), nil)
	o.ChartSources = cf.sources()
	return o, nil
}

func (c *chartFlags) sources() render.ChartSources {
	return render.ChartSources{Lockfile: c.lockfile, Cache: c.cache, Vendor: c.vendor, Offline: c.offline, AllowLoopbackHTTP: c.allowHTTP}
}

func newLock() *cobra.Command {
	var (
		eval   evalFlags
		cf     chartFlags
		check  bool
		update bool
	)
	cmd := &cobra.Command{
		Use:   "lock [PATH...]",
		Short: "Pin the charts the profiles use from Helm repositories and OCI registries",
		Long: `lock resolves every chart that the profiles in PATH (default profiles/) take
from a Helm repository (https://) or an OCI registry (oci://): an exact
version, or the highest version a range accepts (ranges are resolved here
only, never by render). It downloads each archive into the chart cache and
writes the lockfile (tpgen.lock beside the profiles): per chart its source,
name, version, the sha256 of the archive and, for OCI, the manifest digest,
sorted, without timestamps. A pin still asked for is kept as it is unless
--update; entries nothing uses are dropped.

--check reads no network: exit 3 when the profiles use a chart the
lockfile lacks, or the lockfile holds one nothing uses.`,
		Example: `  tpgen lock                 # write profiles/tpgen.lock
  tpgen lock --check         # CI: exit 3 when the lockfile is stale
  tpgen lock --update        # move ranges to the newest versions they accept`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if check && update {
				return usageErr("--check writes nothing: --update does not apply")
			}
			o, err := chartOptions(paths, &eval, &cf)
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if check {
				file, missing, unused, err := render.LockCheck(cmd.Context(), o)
				if err != nil {
					return renderFailure(err)
				}
				for _, k := range missing {
					fmt.Fprintf(out, "missing: %s %s %s\n", k.Source, k.Name, k.Version)
				}
				for _, e := range unused {
					fmt.Fprintf(out, "unused: %s %s %s\n", e.Source, e.Name, e.Key().Version)
				}
				if len(missing)+len(unused) > 0 {
					fmt.Fprintf(cmd.ErrOrStderr(), "%s is stale: %d missing, %d unused\nhint: run `tpgen lock` and commit %s\n", file, len(missing), len(unused), file)
					return silentExit(ExitDrift)
				}
				fmt.Fprintf(out, "%s is up to date\n", file)
				return nil
			}
			res, err := render.Lock(cmd.Context(), o, update)
			if err != nil {
				return renderFailure(err)
			}
			if len(res.Lock.Charts) == 0 && !res.Changed {
				if _, err := os.Stat(res.File); err != nil {
					fmt.Fprintf(out, "no chart from a Helm repository or OCI registry: no lockfile needed\n")
					return nil
				}
			}
			verb := "is up to date"
			if res.Changed {
				verb = "written"
			}
			fmt.Fprintf(out, "%s %s: %d chart(s)\n", res.File, verb, len(res.Lock.Charts))
			return nil
		},
	}
	f := cmd.Flags()
	f.BoolVar(&check, "check", false, "compare the lockfile with the profiles, no network; exit 3 on a missing or unused entry")
	f.BoolVar(&update, "update", false, "resolve every chart again, ranges to their newest versions")
	cf.add(f, false)
	eval.add(f)
	return cmd
}

func newCharts() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "charts",
		Short: "Fill the chart cache from the lockfile, or vendor the locked archives",
	}
	var (
		eval evalFlags
		cf   chartFlags
	)
	pull := &cobra.Command{
		Use:   "pull [PATH...]",
		Short: "Fill the chart cache with every archive of the lockfile (CI warm-up)",
		Long: `pull downloads every archive of the lockfile that the chart cache lacks,
by its locked digest (bytes that differ are refused), so that render
--offline finds them. The profiles in PATH (default profiles/) give the
credentials of each source.`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			o, err := chartOptions(paths, &eval, &cf)
			if err != nil {
				return err
			}
			file, n, total, err := render.PullCharts(cmd.Context(), o)
			if err != nil {
				return renderFailure(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d of %d chart(s) of %s fetched; the cache holds them all\n", n, total, file)
			return nil
		},
	}
	cf.add(pull.Flags(), false)
	eval.add(pull.Flags())
	var (
		veval evalFlags
		vcf   chartFlags
	)
	vendor := &cobra.Command{
		Use:   "vendor DIR [PATH...]",
		Short: "Write the locked archives into DIR, for a repository to commit",
		Long: `vendor writes every archive of the lockfile into DIR (DIR/sha256/<hex>.tgz,
the cache's layout), fetching those the cache lacks. Commit DIR and render
with --chart-vendor DIR --offline: charts come from DIR, checked against
the lockfile, and nothing is fetched.`,
		Args: args(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, argv []string) error {
			dir, paths := argv[0], argv[1:]
			o, err := chartOptions(paths, &veval, &vcf)
			if err != nil {
				return err
			}
			file, total, err := render.VendorCharts(cmd.Context(), o, dir)
			if err != nil {
				return renderFailure(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%d chart(s) of %s vendored in %s\n", total, file, dir)
			return nil
		},
	}
	vcf.add(vendor.Flags(), false)
	veval.add(vendor.Flags())
	cmd.AddCommand(pull, vendor)
	return cmd
}
