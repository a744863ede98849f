package cli

import "github.com/spf13/cobra"

func newRender() *cobra.Command {
	return &cobra.Command{Use: "render", Short: "Render manifests (in progress)", RunE: func(*cobra.Command, []string) error { return usageErr("not yet") }}
}
