package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"text/template"

	"github.com/spf13/cobra"

	tpgencue "github.com/tpgen/tpgen/cue"
	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/profile"
)

type initOptions struct {
	Name              string
	File              string
	Hosting           string
	BsSecurity        string
	Release           string
	KubernetesVersion string
	Segment           string
	DNSHostname       string
	Provisioner       string
	Engine            string
	RepoURL           string
}

func newInit() *cobra.Command {
	var o initOptions
	var dir string
	cmd := &cobra.Command{
		Use:   "init NAME --hosting H --bs-security M",
		Short: "Write a new, valid, commented site profile",
		Long: `init writes DIR/NAME.yaml (-o DIR, default profiles), a commented profile
that validates as written. It refuses to overwrite an existing file. The
profile leaves gitops.path unset: render derives it from its -o.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			o.Name = a[0]
			o.File = filepath.Join(dir, o.Name+".yaml")
			if o.Hosting == "" || o.BsSecurity == "" {
				return usageErr("--hosting and --bs-security are required")
			}
			if o.DNSHostname == "" {
				o.DNSHostname = "tpe." + o.Name + ".example.net"
			}
			var buf bytes.Buffer
			t, err := template.New("init").Option("missingkey=error").Parse(tpgencue.InitTemplate)
			if err != nil {
				return err
			}
			if err := t.Execute(&buf, o); err != nil {
				return err
			}
			if err := checkInit(o.File, buf.Bytes()); err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(o.File, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("writing %s: the file exists\nhint: choose another NAME or -o DIR; init never overwrites", o.File)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(buf.Bytes()); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", o.File)
			return nil
		},
	}
	f := cmd.Flags()
	addOutputDir(cmd, &dir, "profiles", "directory to write the profile into")
	f.StringVar(&dir, "dir", "profiles", "deprecated: use -o, --output-dir")
	_ = f.MarkDeprecated("dir", "use -o, --output-dir")
	f.StringVar(&o.Hosting, "hosting", "", "aks, eks or generic (required)")
	f.StringVar(&o.BsSecurity, "bs-security", "", "DISABLE, IPSEC_X509 or MIXED (required)")
	f.StringVar(&o.Release, "release", "7.3.1", "ThingPark Enterprise release")
	f.StringVar(&o.KubernetesVersion, "kubernetes-version", "1.27", "Kubernetes minor version of the cluster")
	f.StringVar(&o.Segment, "segment", "m", "sizing segment: s, m, l, xl or xxl")
	f.StringVar(&o.DNSHostname, "dns-hostname", "", "FQDN of the GUI and APIs (default tpe.NAME.example.net)")
	f.StringVar(&o.Provisioner, "storage-provisioner", "rancher.io/local-path", "CSI provisioner (generic hosting)")
	f.StringVar(&o.Engine, "gitops-engine", "argocd", "argocd or flux")
	f.StringVar(&o.RepoURL, "repo-url", "https://git.example.net/platform/deploy.git", "Git repository of the rendered tree")
	completeSchemaEnum(cmd, "hosting", "hosting")
	completeSchemaEnum(cmd, "bs-security", "bsSecurity")
	completeSchemaEnum(cmd, "segment", "segment")
	completeSchemaEnum(cmd, "release", "release")
	completeSchemaEnum(cmd, "gitops-engine", "gitops.engine")
	return cmd
}

// checkInit validates the generated profile in memory, so init never
// writes a profile that does not validate: bad flag values come back as
// schema errors about the field they feed.
func checkInit(file string, src []byte) error {
	tmp, err := os.MkdirTemp("", "tpgen-init-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	p := filepath.Join(tmp, filepath.Base(file))
	if err := os.WriteFile(p, src, 0o644); err != nil {
		return err
	}
	l, err := profile.NewLoader()
	if err != nil {
		return err
	}
	if _, err := l.Load(profile.Source{File: p}); err != nil {
		var dl diag.List
		if errors.As(err, &dl) {
			for i := range dl {
				dl[i].File, dl[i].Line, dl[i].Column = "", 0, 0
			}
			return &exitError{code: ExitUsage, err: fmt.Errorf("the flags make an invalid profile:\n%v", dl)}
		}
		return err
	}
	return nil
}
