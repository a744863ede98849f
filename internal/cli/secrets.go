package cli

import (
	"fmt"
	"io"
	"runtime"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render"
)

func newSecrets() *cobra.Command {
	var (
		format string
		sites  []string
		jobs   int
		eval   evalFlags
		limits *render.Limits
	)
	cmd := &cobra.Command{
		Use:   "secrets [PATH...]",
		Short: "List the Secrets each site needs before its first sync, with their keys and users",
		Long: `secrets renders the profiles in PATH (default profiles/) in memory and lists,
per site, every Secret that must exist in the cluster before the first sync:
the profile's secretRefs and provided.secrets, and every Secret a rendered
object references (env valueFrom and envFrom, volumes, imagePullSecrets,
Ingress TLS, the operator fields the plan lists) that the site neither
renders nor creates (an object annotated tpgen.dev/creates-secrets, an
ExternalSecret, a SealedSecret, a cert-manager Certificate). Each comes with
the keys its users read and every user (object and field). A Secret a
chart renders from the profile's references (secret markers) that the
preCreated secret workflow left out names its chart template and, per key,
the reference whose value it takes. An operator creates or maps them
(External Secrets, Sealed Secrets, SOPS). No value is ever read or printed. --format json prints a SecretsResult document
(docs/json/), errors included.`,
		Example: `  tpgen secrets --site lyon-prod
  tpgen secrets profiles --format json > secrets.json`,
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
			lim, err := eval.limits()
			if err != nil {
				return err
			}
			res, err := render.Secrets(cmd.Context(), renderOptions(paths, sites, jobs, lim, eval.searchPath(), limits))
			if err != nil {
				return renderFailure(err)
			}
			if format == "json" {
				if res == nil {
					res = []render.SiteSecrets{}
				}
				return writeDoc(cmd.OutOrStdout(), kindSecrets, struct {
					Sites []render.SiteSecrets `json:"sites"`
				}{res}, nil, nil)
			}
			writeSecrets(cmd.OutOrStdout(), res)
			return nil
		},
	}
	cmd.Annotations = jsonAnnotation(kindSecrets)
	f := cmd.Flags()
	addFormat(cmd, &format, []string{"text", "json"}, false)
	f.StringSliceVar(&sites, "site", nil, "only these sites (repeatable, or comma-separated)")
	f.IntVarP(&jobs, "jobs", "j", runtime.NumCPU(), "sites rendered in parallel")
	eval.add(f)
	limits = addLimitFlags(f)
	completeSites(cmd)
	return cmd
}

// writeSecrets prints, per site, each Secret with its keys, then its
// users one a line:
//
//	lyon-prod (namespace apps, profiles/eu/lyon-prod.yaml): 2 Secret(s)
//	  smtp  keys: password, username
//	    profile smtp.credentials.secretRef
//	    Deployment/apps/web spec...secretKeyRef.name (key password)
func writeSecrets(w io.Writer, res []render.SiteSecrets) {
	for i, s := range res {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%s (namespace %s, %s): %d Secret(s)\n", s.Site, s.Namespace, s.Profile, len(s.Secrets))
		for _, n := range s.Secrets {
			keys := "keys: (any: every key the users read, see below)"
			if len(n.Keys) > 0 {
				keys = "keys: " + strings.Join(n.Keys, ", ")
			}
			name := n.Name
			if n.Namespace != s.Namespace {
				name = n.Namespace + "/" + n.Name
			}
			fmt.Fprintf(w, "  %s  %s\n", name, keys)
			if n.RenderedBy != "" {
				fmt.Fprintf(w, "    create it before the first sync: %s renders it from the profile's references (secrets.workflow preCreated)\n", n.RenderedBy)
			}
			for _, k := range n.From {
				switch {
				case k.Literal:
					fmt.Fprintf(w, "    key %s: the chart's own text, no secret (not shown)\n", k.Key)
				case k.Composed:
					fmt.Fprintf(w, "    key %s: the chart embeds %s in a larger text: write the whole value\n", k.Key, strings.Join(k.Refs, ", "))
				default:
					fmt.Fprintf(w, "    key %s: the value of %s\n", k.Key, strings.Join(k.Refs, ", "))
				}
			}
			for _, u := range n.Uses {
				who := "profile"
				if u.Object != "" {
					who = u.Object
				}
				line := fmt.Sprintf("    %s %s", who, u.Field)
				if u.Key != "" {
					line += " (key " + u.Key + ")"
				}
				fmt.Fprintln(w, line)
			}
		}
	}
}
