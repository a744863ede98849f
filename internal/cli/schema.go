package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/profile"
)

func newSchema() *cobra.Command {
	var format string
	var mod moduleFlags
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print a module's profile schema (CUE or JSON Schema for editors)",
		Long: `schema prints the profile schema of a platform module (--module, default
the built-in default module): its #Profile and the engine's #Site.
--format jsonschema prints a JSON Schema of #Profile for editors: point a
yaml-language-server modeline at it.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf("format", format, "cue", "jsonschema"); err != nil {
				return err
			}
			m, err := mod.module()
			if err != nil {
				return err
			}
			var out string
			if format == "cue" {
				out, err = profile.SchemaSource(m)
			} else {
				out, err = profile.JSONSchema(m)
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	addFormat(cmd, &format, []string{"cue", "jsonschema"}, false)
	mod.add(cmd)
	return cmd
}
