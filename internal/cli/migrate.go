package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/migrate"
)

// oldestTarget is the first release that removed APIs migrate converts.
var oldestTarget = kube.Release{Major: 1, Minor: 16}

func newMigrate() *cobra.Command {
	var (
		outDir  string
		target  string
		format  string
		force   bool
		partial bool
	)
	maxFile := sizeFlag(render.DefaultLimits.FileSize)
	cmd := &cobra.Command{
		Use:   "migrate SRC -o DST",
		Short: "Convert raw manifests written for old Kubernetes to the API versions a current one serves",
		Long: `migrate reads the manifests under SRC (any layout; .yaml and .yml files,
multi-document; hidden files, kustomization.yaml and documents without
apiVersion and kind skipped) and writes each object,
one a file, into DST on the API versions Kubernetes --target-version serves
(default: ` + kube.Newest.String() + `, the newest tpgen knows):

  DST/<namespace>/<kind>.<group>_<name>.yaml
  DST/_cluster/...        cluster-scoped objects
  DST/_no-namespace/...   namespaced objects without metadata.namespace

Every object on an API version the target no longer serves is converted
when a conversion keeps its meaning (workloads, Ingress, CronJob, RBAC,
PodDisruptionBudget, webhooks, HPA, CRDs with a structural schema and the
others of the deprecation guide), with a warning naming its file:line; one
on a deprecated version is converted when the target serves its successor.
What cannot be converted faithfully (PodSecurityPolicy, a CRD without a
structural schema, resources of API groups that no longer exist, a kind
under a group/version that never held it, unparsable YAML) is refused with
its file:line and what to do. Converted objects decode strictly into their
current API types. Running migrate on its own output changes nothing.

When anything is refused, nothing is written (exit 1) unless --partial,
which writes the rest and still exits 1. DST is replaced whole, and only
if it is missing, empty or written by migrate (its marker file
.tpgen-migrate), unless --force. Nothing is fetched.

--format json prints a MigrationReport document (docs/json/).`,
		Example: `  tpgen migrate legacy/ -o migrated/
  tpgen migrate legacy/ -o migrated/ --target-version 1.24 --format json`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			if outDir == "" {
				return usageErr("migrate needs -o DST, the directory to write\nhint: tpgen migrate SRC -o DST")
			}
			tv := kube.Newest
			if target != "" {
				r, err := kube.ParseRelease(target)
				if err != nil || r.Before(oldestTarget) || kube.Newest.Before(r) {
					return usageErr("--target-version %q: want a Kubernetes release from %s to %s, e.g. 1.25", target, oldestTarget, kube.Newest)
				}
				tv = r
			}
			src := a[0]
			if st, err := os.Stat(src); err != nil || !st.IsDir() {
				if err == nil {
					err = errors.New("not a directory")
				}
				return fmt.Errorf("migrate: SRC %s: %w\nhint: SRC names the directory of manifests to migrate", src, unwrapPath(err))
			}
			if err := overlap(src, outDir); err != nil {
				return err
			}
			if err := migrate.CheckDest(outDir, force); err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			plan, err := migrate.Migrate(src, migrate.Options{Target: tv, MaxFileSize: int64(maxFile)})
			if err != nil {
				return fmt.Errorf("migrate: %w", err)
			}
			rep := plan.Report
			refused := len(rep.Refused)
			write := refused == 0 || partial
			if write {
				if err := migrate.Write(outDir, plan.Files, force); err != nil {
					return fmt.Errorf("migrate: %w", err)
				}
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				errs := make([]jsonError, 0, refused)
				for _, m := range rep.Refused {
					msg := m.Message
					if m.Object != "" {
						msg = m.Object + ": " + msg
					}
					errs = append(errs, jsonError{File: m.File, Line: m.Line, Message: msg, Hint: m.Hint})
				}
				payload := struct {
					migrate.Report
					Written bool `json:"written"`
				}{rep, write}
				if err := writeDoc(out, kindMigrate, payload, errs, nil); err != nil {
					return err
				}
				// stderr keeps the human report, as with every verb.
				out = cmd.ErrOrStderr()
			}
			if err := migrate.WriteReport(out, "text", rep); err != nil {
				return err
			}
			var summary error
			switch {
			case refused == 0:
				return nil
			case partial:
				summary = fmt.Errorf("migrate: %d refused; the rest was written to %s (--partial)", refused, outDir)
			default:
				summary = fmt.Errorf("migrate: %d refused; nothing was written to %s\nhint: fix or remove what is refused and run migrate again, or pass --partial to write the rest", refused, outDir)
			}
			if format == "json" {
				fmt.Fprintf(cmd.ErrOrStderr(), "tpgen: %v\n", summary)
				return silentExit(ExitError) // the document is printed
			}
			return silentExitMsg(summary)
		},
	}
	cmd.Annotations = jsonAnnotation(kindMigrate)
	f := cmd.Flags()
	addOutputDir(cmd, &outDir, "", "the directory to write (replaced whole)")
	f.StringVar(&target, "target-version", "", "the Kubernetes release to migrate to, e.g. 1.25 (default "+kube.Newest.String()+")")
	var releases []string
	for m := oldestTarget.Minor; m <= kube.Newest.Minor; m++ {
		releases = append(releases, kube.Release{Major: 1, Minor: m}.String())
	}
	completeEnum(cmd, "target-version", releases...)
	addFormat(cmd, &format, []string{"text", "json"}, true)
	f.BoolVar(&force, "force", false, "replace DST even if migrate did not write it (everything in it is removed)")
	f.BoolVar(&partial, "partial", false, "write the objects converted even when others are refused (still exit 1)")
	f.Var(&maxFile, "max-file-size", "largest manifest file read, e.g. 8MiB")
	return cmd
}

// overlap refuses a DST that is SRC, inside it or around it: DST is
// replaced whole.
func overlap(src, dst string) error {
	as, err1 := realPath(src)
	ad, err2 := realPath(dst)
	if err1 != nil || err2 != nil {
		return nil
	}
	within := func(a, b string) bool {
		rel, err := filepath.Rel(b, a)
		return err == nil && (rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)))
	}
	if within(ad, as) || within(as, ad) {
		return usageErr("migrate: DST %s overlaps SRC %s\nhint: write to a directory outside SRC (DST is replaced whole)", dst, src)
	}
	return nil
}

// realPath resolves p's links, or those of its nearest existing parent.
func realPath(p string) (string, error) {
	a, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for {
		r, err := filepath.EvalSymlinks(a)
		if err == nil {
			return filepath.Join(r, rest), nil
		}
		if !errors.Is(err, fs.ErrNotExist) || filepath.Dir(a) == a {
			return "", err
		}
		rest = filepath.Join(filepath.Base(a), rest)
		a = filepath.Dir(a)
	}
}

func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
