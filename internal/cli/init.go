package cli

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing/fstest"
	"text/template"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// newInit makes the init verb. Its parameter flags are those the selected
// module declares (init: params in its CUE package), so args, the
// command line, is read for --module and --module-path first; the module
// is read only when the command line names init.
func newInit(cmdArgs []string) *cobra.Command {
	var dir string
	var sets []string
	var mod moduleFlags
	values := map[string]*string{}
	var params []profile.InitParam
	var tmpl string
	var m *module.Module
	var modErr error
	if slices.Contains(cmdArgs, "init") {
		sel, path := prescanModule(cmdArgs)
		if m, modErr = resolveModule(sel, path); modErr == nil {
			params, tmpl, modErr = profile.InitParams(m)
		}
	}
	cmd := &cobra.Command{
		Use:   "init NAME [--module M] [--PARAM VALUE]... [--set PARAM=VALUE]...",
		Short: "Write a new, valid, commented site profile",
		Long: `init writes DIR/NAME.yaml (-o DIR, default profiles), a commented profile
that validates as written, from the init template of the module (--module,
default the built-in default module). The module declares the template's
parameters: each is a flag (tpgen init --module M --help lists them), or
--set PARAM=VALUE with the flag's name. It refuses to overwrite an
existing file. The profile leaves gitops.path unset: render derives it
from its -o.`,
		Args: args(cobra.ExactArgs(1)),
		RunE: func(cmd *cobra.Command, a []string) error {
			if modErr != nil {
				return modErr
			}
			if tmpl == "" {
				return fmt.Errorf("module %s has no %s\nhint: write the profile by hand; `tpgen schema --module %s` prints its fields", m.Name, profile.InitTemplateFile, m.Name)
			}
			name := a[0]
			file := filepath.Join(dir, name+".yaml")
			set := map[string]string{}
			for _, kv := range sets {
				k, v, ok := strings.Cut(kv, "=")
				i := slices.IndexFunc(params, func(p profile.InitParam) bool { return p.Flag == k || p.Name == k })
				if !ok || i < 0 {
					return usageErr("--set %s: want PARAM=VALUE with PARAM one of %s", kv, strings.Join(paramFlags(params), ", "))
				}
				set[params[i].Name] = v
			}
			data := map[string]any{"Name": name, "File": file, "Module": ""}
			var missing []string
			for _, p := range params {
				v, isSet := set[p.Name]
				if !isSet {
					v = *values[p.Name]
					isSet = cmd.Flags().Changed(p.Flag)
				}
				if p.Required && !isSet && v == "" {
					missing = append(missing, "--"+p.Flag)
				}
				data[p.Name] = v
			}
			switch len(missing) {
			case 0:
			case 1:
				return usageErr("%s is required", missing[0])
			default:
				return usageErr("%s and %s are required", strings.Join(missing[:len(missing)-1], ", "), missing[len(missing)-1])
			}
			sel, err := moduleSelector(mod.name, m, dir)
			if err != nil {
				return err
			}
			data["Module"] = sel
			var buf bytes.Buffer
			t, err := template.New(profile.InitTemplateFile).Option("missingkey=error").Parse(tmpl)
			if err != nil {
				return fmt.Errorf("parsing the init template of module %s: %w", m.Name, err)
			}
			if err := t.Execute(&buf, data); err != nil {
				return fmt.Errorf("filling the init template of module %s: %w", m.Name, err)
			}
			src := withModuleLine(buf.Bytes(), sel)
			if err := checkInit(m, file, src); err != nil {
				return err
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			f, err := os.OpenFile(file, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
			if errors.Is(err, os.ErrExist) {
				return fmt.Errorf("writing %s: the file exists\nhint: choose another NAME or -o DIR; init never overwrites", file)
			}
			if err != nil {
				return err
			}
			if _, err := f.Write(src); err != nil {
				f.Close()
				return err
			}
			if err := f.Close(); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "wrote %s\n", file)
			return nil
		},
	}
	f := cmd.Flags()
	addOutputDir(cmd, &dir, "profiles", "directory to write the profile into")
	f.StringVar(&dir, "dir", "profiles", "deprecated: use -o, --output-dir")
	_ = f.MarkDeprecated("dir", "use -o, --output-dir")
	f.StringArrayVar(&sets, "set", nil, "set a template parameter, `PARAM=VALUE` (PARAM is its flag name; repeatable)")
	mod.add(cmd)
	for _, p := range params {
		if slices.Contains([]string{"Name", "File", "Module"}, p.Name) {
			modErr = fmt.Errorf("module %s declares the init parameter %s, which tpgen sets itself (.Name, .File, .Module)\nhint: rename the parameter in the module's init: params", m.Name, p.Name)
			break
		}
		if f.Lookup(p.Flag) != nil || p.Flag == "help" {
			modErr = fmt.Errorf("module %s declares the init parameter flag --%s, a flag of tpgen init itself\nhint: rename the parameter's flag in the module's init: params", m.Name, p.Flag)
			break
		}
		values[p.Name] = new(string)
		help := p.Help
		if p.Required {
			help += " (required)"
		}
		f.StringVar(values[p.Name], p.Flag, p.Default, help)
		if p.Enum != "" {
			completeSchemaEnum(cmd, p.Flag, m, p.Enum)
		}
	}
	return cmd
}

func paramFlags(params []profile.InitParam) []string {
	var out []string
	for _, p := range params {
		out = append(out, p.Flag)
	}
	return out
}

// prescanModule finds --module and --module-path on a command line not
// parsed yet (both forms, --flag VALUE and --flag=VALUE).
func prescanModule(args []string) (string, []string) {
	sel := ""
	var path []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"--module", "--module-path"} {
			v, ok := "", false
			switch {
			case a == name && i+1 < len(args):
				v, ok = args[i+1], true
				i++
			case strings.HasPrefix(a, name+"="):
				v, ok = strings.TrimPrefix(a, name+"="), true
			}
			if !ok {
				continue
			}
			if name == "--module" {
				sel = v
			} else {
				path = append(path, v)
			}
			break
		}
	}
	return sel, path
}

// moduleSelector is what the profile's module field says for module m,
// selected on the command line as sel, for a profile written into dir:
// nothing for the default module, the name of a module found by name,
// else the module directory relative to dir (./ or ../).
func moduleSelector(sel string, m *module.Module, dir string) (string, error) {
	switch {
	case m.Builtin() && m.Name == module.Default().Name:
		return "", nil
	case !isModuleDir(sel):
		return sel, nil
	}
	absDir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	absMod, err := filepath.Abs(sel)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(absDir, absMod)
	if err != nil {
		return "", fmt.Errorf("--module %s: %w", sel, err)
	}
	rel = filepath.ToSlash(rel)
	if !strings.HasPrefix(rel, "../") {
		rel = "./" + rel
	}
	return rel, nil
}

// withModuleLine adds `module: sel` before the first line that is not a
// comment, unless sel is empty or the template wrote a module field.
func withModuleLine(src []byte, sel string) []byte {
	if sel == "" {
		return src
	}
	lines := strings.SplitAfter(string(src), "\n")
	at := len(lines)
	for i, l := range lines {
		if strings.HasPrefix(l, "module:") {
			return src
		}
		if at == len(lines) && !strings.HasPrefix(strings.TrimSpace(l), "#") && strings.TrimSpace(l) != "" {
			at = i
		}
	}
	v := sel
	if strings.Trim(sel, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._/-") != "" {
		v = strconv.Quote(sel)
	}
	out := slices.Insert(lines, at, "module: "+v+"\n")
	return []byte(strings.Join(out, ""))
}

// checkInit validates the generated profile in memory against module m,
// so init never writes a profile that does not validate: bad flag values
// come back as schema errors about the field they feed.
func checkInit(m *module.Module, file string, src []byte) error {
	l, err := profile.NewLoader(m)
	if err != nil {
		return err
	}
	name := filepath.Base(file)
	l.FS = fstest.MapFS{name: &fstest.MapFile{Data: src, Mode: 0o644}}
	if _, err := l.Load(profile.Source{File: name}); err != nil {
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
