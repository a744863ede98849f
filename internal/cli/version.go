package cli

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at link time (-ldflags "-X github.com/tpgen/tpgen/internal/cli.version=v1.2.3");
// else it comes from the build information (see Version).
var version = ""

// readBuildInfo is debug.ReadBuildInfo; tests replace it.
var readBuildInfo = debug.ReadBuildInfo

// Version returns tpgen's version, recorded in the output index:
//   - the -ldflags -X value, when set;
//   - the module version, when installed with `go install ...@vX` (or a
//     pseudo-version Go stamps from the VCS);
//   - devel+<commit>[.dirty] when built from a checkout with VCS info;
//   - devel otherwise (go build -buildvcs=false, go test).
func Version() string {
	if version != "" {
		return version
	}
	bi, ok := readBuildInfo()
	if !ok {
		return "devel"
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		return v
	}
	var rev string
	var dirty bool
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if rev == "" {
		return "devel"
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	v := "devel+" + rev
	if dirty {
		v += ".dirty"
	}
	return v
}

func newVersion() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print tpgen's version",
		Long: `version prints tpgen's version: the release (go install ...@vX, or set at
link time), devel+<commit> for a build from a Git checkout, or devel.
render writes it into DIR/.tpgen-index.json. --format json prints
{"apiVersion":"tpgen.dev/v1","kind":"Version","version":...}.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			if format == "json" {
				return writeDoc(cmd.OutOrStdout(), kindVersion, struct {
					Version string `json:"version"`
				}{Version()}, nil, nil)
			}
			_, err := fmt.Fprintf(cmd.OutOrStdout(), "tpgen %s\n", Version())
			return err
		},
	}
	cmd.Flags().StringVar(&format, "format", "text", "text or json")
	completeFormats(cmd, "text", "json")
	return cmd
}
