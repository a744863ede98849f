package cli

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// moduleFlags select one module on the command line (schema, init):
// --module NAME|DIR and --module-path DIR.
type moduleFlags struct {
	name string
	path []string
}

func (m *moduleFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&m.name, "module", "", "the platform module: a `NAME` (built in or in a --module-path directory) or a module directory (default "+module.Default().Name+")")
	addModulePath(f, &m.path)
	_ = cmd.RegisterFlagCompletionFunc("module", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		var names []string
		for _, k := range (&module.Resolver{SearchPath: module.SearchPath(m.path)}).Known() {
			names = append(names, k.Name)
		}
		return names, cobra.ShellCompDirectiveDefault
	})
}

// module resolves the selected module. A value with a path separator, or
// starting with '.', is a directory the user names (like a profile path,
// not confined to an input root); anything else a module name.
func (m *moduleFlags) module() (*module.Module, error) {
	return resolveModule(m.name, m.path)
}

func resolveModule(sel string, path []string) (*module.Module, error) {
	r := &module.Resolver{SearchPath: module.SearchPath(path)}
	switch {
	case sel == "":
		return module.Default(), nil
	case isModuleDir(sel):
		return module.Load(sel)
	}
	m, err := r.Resolve(sel, ".", ".")
	if err != nil {
		return nil, fmt.Errorf("--module %s: %w", sel, err)
	}
	return m, nil
}

func isModuleDir(sel string) bool {
	return strings.HasPrefix(sel, ".") || strings.ContainsAny(sel, `/\`)
}

func newModules() *cobra.Command {
	var path []string
	cmd := &cobra.Command{
		Use:   "modules",
		Short: "List the platform modules: built in, and on the module path",
		Long: `modules lists the modules a profile can select by name (its module field):
those built into tpgen and those in the --module-path directories and
` + module.PathEnv + `, one line each: name, source, description.`,
		Args: args(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			r := &module.Resolver{SearchPath: module.SearchPath(path)}
			for _, k := range r.Known() {
				desc := ""
				var m *module.Module
				var err error
				if k.Builtin() {
					m, err = module.Builtin(k.Name)
				} else {
					m, err = module.Load(k.Source)
				}
				if err == nil {
					if info, err := profile.Describe(m); err == nil {
						desc = info.Description
					} else {
						desc = "(invalid: " + firstLine(err.Error()) + ")"
					}
				}
				if _, err := fmt.Fprintf(cmd.OutOrStdout(), "%s\t%s\t%s\n", k.Name, k.Source, desc); err != nil {
					return err
				}
			}
			return nil
		},
	}
	addModulePath(cmd.Flags(), &path)
	return cmd
}

func firstLine(s string) string {
	first, _, _ := strings.Cut(s, "\n")
	return first
}
