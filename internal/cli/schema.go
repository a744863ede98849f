package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/profile"
)

func newSchema() *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Print the profile schema (CUE or JSON Schema for editors)",
		Long: `schema prints the embedded profile schema. --format jsonschema prints a JSON
Schema of #Profile for editors: point a yaml-language-server modeline at it.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := oneOf("format", format, "cue", "jsonschema"); err != nil {
				return err
			}
			var out string
			var err error
			if format == "cue" {
				out, err = profile.SchemaSource()
			} else {
				out, err = profile.JSONSchema()
			}
			if err != nil {
				return err
			}
			_, err = fmt.Fprint(cmd.OutOrStdout(), out)
			return err
		},
	}
	addFormat(cmd, &format, []string{"cue", "jsonschema"}, false)
	return cmd
}
