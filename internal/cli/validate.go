package cli

import (
	"encoding/json"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/profile"
)

func newValidate() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "validate [PATH...]",
		Short: "Check site profiles against the schema",
		Long: `validate checks every profile in the given files and directories (default
profiles/) against tpgen's embedded schema. It prints one summary line and
exits 0 when every site is valid; otherwise it prints every error with its
field path and file:line:col, and exits 1.`,
		RunE: func(cmd *cobra.Command, paths []string) error {
			if err := oneOf("output", output, "text", "json"); err != nil {
				return err
			}
			if len(paths) == 0 {
				paths = []string{"profiles"}
			}
			l, err := profile.NewLoader()
			if err != nil {
				return err
			}
			sites, err := l.LoadAll(paths)
			var problems diag.List
			if err != nil && !errors.As(err, &problems) {
				return err
			}
			return reportValidation(cmd, output, sites, problems)
		},
	}
	cmd.Flags().StringVar(&output, "output", "text", "output format: text or json")
	return cmd
}

func reportValidation(cmd *cobra.Command, output string, sites []*profile.Site, problems diag.List) error {
	if output == "json" {
		type siteJSON struct {
			Name string `json:"name"`
			File string `json:"file"`
		}
		res := struct {
			Valid  bool              `json:"valid"`
			Sites  []siteJSON        `json:"sites"`
			Errors []diag.Diagnostic `json:"errors"`
		}{Valid: len(problems) == 0, Sites: []siteJSON{}, Errors: diag.Sort(problems)}
		if res.Errors == nil {
			res.Errors = []diag.Diagnostic{}
		}
		for _, s := range sites {
			res.Sites = append(res.Sites, siteJSON{Name: s.Name, File: s.Source.File})
		}
		enc := json.NewEncoder(cmd.OutOrStdout())
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return err
		}
		if len(problems) > 0 {
			return silentExit(ExitError)
		}
		return nil
	}
	if len(problems) > 0 {
		fmt.Fprintln(cmd.ErrOrStderr(), problems.Error())
		return silentExitMsg(fmt.Errorf("%d error(s) in %d profile(s)", len(problems), countFiles(problems)))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%d site(s) valid\n", len(sites))
	return nil
}

func countFiles(l diag.List) int {
	files := map[string]bool{}
	for _, d := range l {
		files[d.File] = true
	}
	return len(files)
}
