package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// The one grammar of tpgen's verbs: -o, --output-dir DIR is the output
// directory of every verb that has one; --format FORMAT is the format of
// every verb that prints. The old spellings work for one more release
// with a deprecation warning on stderr.

// addFormat adds --format to cmd, completed with formats; with
// oldOutput, the deprecated --output FORMAT is kept as an alias.
func addFormat(cmd *cobra.Command, p *string, formats []string, oldOutput bool) {
	f := cmd.Flags()
	list := strings.Join(formats[:len(formats)-1], ", ") + " or " + formats[len(formats)-1]
	f.StringVar(p, "format", formats[0], "output format: "+list)
	completeFormats(cmd, formats...)
	if oldOutput {
		f.StringVar(p, "output", formats[0], "deprecated: use --format")
		_ = f.MarkDeprecated("output", "use --format")
	}
}

// addOutputDir adds -o, --output-dir DIR to cmd, completed with
// directories.
func addOutputDir(cmd *cobra.Command, p *string, def, usage string) {
	cmd.Flags().StringVarP(p, "output-dir", "o", def, usage)
	_ = cmd.RegisterFlagCompletionFunc("output-dir", completeDirs)
}

func completeDirs(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// completeFormats completes --format with formats.
func completeFormats(cmd *cobra.Command, formats ...string) {
	completeEnum(cmd, "format", formats...)
}

// completeEnum completes flag with values.
func completeEnum(cmd *cobra.Command, flag string, values ...string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// completeSchemaEnum completes flag with the values module m's profile
// schema allows for the field at path.
func completeSchemaEnum(cmd *cobra.Command, flag string, m *module.Module, path string) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		values, err := profile.Enum(m, path)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		return values, cobra.ShellCompDirectiveNoFileComp
	})
}

// completeSites completes --site with the names of the sites of the
// profiles in the command's PATH arguments (default profiles/), minus
// those already given.
func completeSites(cmd *cobra.Command) {
	_ = cmd.RegisterFlagCompletionFunc("site", func(cmd *cobra.Command, paths []string, _ string) ([]string, cobra.ShellCompDirective) {
		if len(paths) == 0 {
			paths = []string{"profiles"}
		}
		l, err := profile.NewLoader(nil)
		if err != nil {
			return nil, cobra.ShellCompDirectiveError
		}
		modulePath, _ := cmd.Flags().GetStringArray("module-path")
		l.Modules = &module.Resolver{SearchPath: module.SearchPath(modulePath)}
		sites, _ := l.LoadAll(paths) // the valid sites of a partly broken fleet still complete
		given, _ := cmd.Flags().GetStringSlice("site")
		var names []string
		for _, s := range sites {
			if !slices.Contains(given, s.Name) && !slices.Contains(names, s.Name) {
				names = append(names, s.Name)
			}
		}
		slices.Sort(names)
		return names, cobra.ShellCompDirectiveNoFileComp
	})
}

// formatAsDir refuses to create an output directory named like a format
// (`tpgen render -o json`): it is the format flag mistyped.
func formatAsDir(dir string) error {
	if !slices.Contains(allFormats, dir) {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	return fmt.Errorf("render: the output directory %s does not exist\nhint: -o names the output directory; the format flag is --format %s", dir, dir)
}

// withFormatHint adds a hint to the flag error of a kubectl or helm
// habit, `-o json` on a verb without an output directory.
func withFormatHint(cmd *cobra.Command, err error) error {
	if !strings.Contains(err.Error(), "unknown shorthand flag: 'o'") || cmd.Flags().Lookup("format") == nil {
		return err
	}
	return fmt.Errorf("%w\nhint: tpgen %s has no output directory; the format flag is --format", err, cmd.Name())
}

// dirNamedLikeFormat refuses, on a verb that only reads DIR (graph), a
// DIR that does not exist and is named like a format: `-o json`.
func dirNamedLikeFormat(verb, dir string) error {
	if !slices.Contains(allFormats, dir) {
		return nil
	}
	if _, err := os.Stat(dir); err == nil {
		return nil
	}
	return fmt.Errorf("%s: the output directory %s does not exist\nhint: -o names the output directory; the format flag is --format %s", verb, dir, dir)
}

// checkDir refuses a DIR that is missing or not a directory (diff,
// render --check); a DIR named like a format gets a hint about -o.
func checkDir(flagDir, verb string, formats ...string) error {
	st, err := os.Stat(flagDir)
	var msg string
	switch {
	case errors.Is(err, fs.ErrNotExist):
		msg = fmt.Sprintf("%s: the output directory %s does not exist", verb, flagDir)
	case err != nil:
		return fmt.Errorf("%s: reading the output directory: %w", verb, err)
	case !st.IsDir():
		msg = fmt.Sprintf("%s: the output directory %s is not a directory", verb, flagDir)
	default:
		return nil
	}
	hint := "hint: -o names the directory tpgen render wrote (default deploy); render it first, or pass the right -o"
	if slices.Contains(formats, flagDir) {
		hint = "hint: -o names the output directory; the format flag is --format " + flagDir
	}
	return fmt.Errorf("%s\n%s", msg, hint)
}
