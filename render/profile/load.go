package profile

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	cueyaml "cuelang.org/go/encoding/yaml"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/internal/fsguard"
)

// DefaultsFile is the name of the fleet defaults file. Every profile unifies
// with the defaults.cue of its own directory and of each parent directory up
// to the directory named on the command line.
const DefaultsFile = "defaults.cue"

// Source is one profile file and the defaults files that apply to it,
// outermost first. Paths are as the user gave them (relative or absolute).
// Root is the input root they are read from: the directory named on the
// command line, or the directory of a file named there; a file (or a
// symbolic link) that resolves outside it is not read.
type Source struct {
	File     string
	Defaults []string
	Root     string
}

// Discover expands files and directories into profile sources, sorted by
// path. In directories it takes *.yaml, *.yml and *.cue files, except
// defaults.cue, names starting with '.' or '_', and directories that hold a
// kustomization.yaml or a Chart.yaml (a site overlay or a chart).
func Discover(paths []string) ([]Source, error) {
	var out []Source
	var problems diag.List
	for _, root := range paths {
		st, err := os.Stat(root)
		if err != nil {
			problems = append(problems, diag.Diagnostic{File: root, Message: "no such file or directory",
				Hint: "pass profile files or directories; the default is profiles/"})
			continue
		}
		if !st.IsDir() {
			if !isProfileName(filepath.Base(root)) {
				problems = append(problems, diag.Diagnostic{File: root, Message: "not a profile: want a .yaml, .yml or .cue file"})
				continue
			}
			out = append(out, Source{File: root, Defaults: defaultsFor(filepath.Dir(root), filepath.Dir(root)), Root: filepath.Dir(root)})
			continue
		}
		n := len(out)
		err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				if p != root && isBundleDir(p) {
					return filepath.SkipDir
				}
				return nil
			}
			if isProfileName(name) {
				out = append(out, Source{File: p, Defaults: defaultsFor(root, filepath.Dir(p)), Root: root})
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", root, err)
		}
		if len(out) == n {
			problems = append(problems, diag.Diagnostic{File: root, Message: "no profiles found",
				Hint: "a profile is a .yaml, .yml or .cue file; `tpgen init NAME` writes one"})
		}
	}
	if len(problems) > 0 {
		return nil, diag.Sort(problems)
	}
	slices.SortFunc(out, func(a, b Source) int { return strings.Compare(a.File, b.File) })
	out = slices.CompactFunc(out, func(a, b Source) bool { return a.File == b.File })
	return out, nil
}

func isProfileName(name string) bool {
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == DefaultsFile {
		return false
	}
	switch filepath.Ext(name) {
	case ".yaml", ".yml", ".cue":
		return true
	}
	return false
}

func isBundleDir(dir string) bool {
	for _, marker := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml"} {
		if _, err := os.Stat(filepath.Join(dir, marker)); err == nil {
			return true
		}
	}
	return false
}

// defaultsFor lists defaults.cue files from root down to dir, outermost first.
func defaultsFor(root, dir string) []string {
	var dirs []string
	root = filepath.Clean(root)
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		dirs = append(dirs, d)
		if d == root || d == filepath.Dir(d) {
			break
		}
	}
	var out []string
	for i := len(dirs) - 1; i >= 0; i-- {
		f := filepath.Join(dirs[i], DefaultsFile)
		if _, err := os.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// Loader validates profiles against the embedded schema. See the package
// doc for its concurrency rule.
type Loader struct {
	ctx      *cue.Context
	schema   cue.Value            // the whole package
	profile  cue.Value            // #Profile
	defaults cue.Value            // profileDefaults
	plan     cue.Value            // #Plan
	fleet    map[string]cue.Value // defaults.cue files, by path

	// Set by LoadAllContext for its run (see bound.go).
	bound     context.Context
	limits    EvalLimits
	abandoned bool // an evaluation was given up: ctx is still in use

	// Limit bounds the size of a profile and of a defaults.cue (no limit
	// when zero).
	Limit fsguard.Limit
}

// DefaultLimit is a Loader's Limit until the caller sets one.
var DefaultLimit = fsguard.Limit{Max: 1 << 20, What: "profile size", Raise: "--max-profile-size"}

// NewLoader makes a Loader with its own cue.Context.
func NewLoader() (*Loader, error) {
	ctx := newContext()
	schema, err := newSchema(ctx)
	if err != nil {
		return nil, err
	}
	return newLoader(ctx, schema), nil
}

// NewModuleLoader returns a loader for the module whose root is fsys: the
// CUE package of its *.cue files, with the engine contract injected.
// (The module loader of issue 12 replaces it; tests use it to render a
// module of their own.)
func NewModuleLoader(fsys fs.FS) (*Loader, error) {
	in, err := buildInstance(fsys, true)
	if err != nil {
		return nil, err
	}
	ctx := newContext()
	schema, err := buildSchema(ctx, in)
	if err != nil {
		return nil, err
	}
	return newLoader(ctx, schema), nil
}

func newLoader(ctx *cue.Context, schema cue.Value) *Loader {
	return &Loader{
		ctx:      ctx,
		schema:   schema,
		profile:  schema.LookupPath(cue.MakePath(cue.Def("Profile"))),
		defaults: schema.LookupPath(cue.ParsePath("profileDefaults")),
		plan:     schema.LookupPath(cue.MakePath(cue.Def("Plan"))),
		fleet:    map[string]cue.Value{},
		Limit:    DefaultLimit,
	}
}

// Site is a valid profile.
type Site struct {
	Name    string
	Source  Source
	Profile cue.Value // concrete, schema defaults applied
}

// Load reads and validates one profile. Problems come back as a diag.List.
func (l *Loader) Load(src Source) (*Site, error) {
	data, err := l.readFile(src.Root, src.File)
	if err != nil {
		return nil, err
	}
	var problems diag.List
	merged := data
	for _, f := range src.Defaults {
		d, err := l.readDefaults(src.Root, f)
		if err != nil {
			return nil, err
		}
		merged = d.Unify(merged)
	}
	secrets := secretValues(l.profile, merged, src.File)
	unknown := unknownFields(l.profile, merged, data, src.File)
	missing := missingRequired(l.profile, merged, src.File)
	problems = append(append(problems, unknown...), missing...)
	v := l.profile.Unify(merged)
	if err := validateAll(v); err != nil {
		for _, d := range fromCUE(err, l.profile, merged, src.File) {
			switch {
			case len(unknown) > 0 && strings.HasPrefix(d.Message, "field not allowed"):
				continue // reported with a hint by unknownFields
			case len(missing) > 0 && d.Path == "" && strings.HasPrefix(d.Message, "required field missing"):
				continue // reported, with its path, by missingRequired
			case strings.HasPrefix(d.Message, "field is required") && slices.ContainsFunc(missing, func(m diag.Diagnostic) bool { return m.Path == d.Path }):
				continue // reported by missingRequired; a rule's own (tls.acmeEmail for letsencrypt) is not
			case slices.ContainsFunc(missing, func(m diag.Diagnostic) bool { return m.Path == d.Path }):
				continue // a rule about a field that is not there: "required" says it
			}
			problems = append(problems, d)
		}
	}
	if len(problems) > 0 || len(secrets) > 0 {
		// The rules that need a defaulted value too, when the data can be
		// resolved: every independent error in one run.
		if final, err := l.withDefaults(merged); err == nil && merged.Validate() == nil {
			for _, d := range fromCUE(validateAll(final), l.profile, merged, src.File) {
				if d.Path != "" && !strings.Contains(d.Message, "required") &&
					!slices.ContainsFunc(problems, func(p diag.Diagnostic) bool { return under(d.Path, p.Path) || under(p.Path, d.Path) }) {
					problems = append(problems, d)
				}
			}
		}
		return nil, diag.Sort(withoutSecrets(l.profile, problems, secrets))
	}
	// Second pass: the profile with its fleet defaults resolved, under the
	// schema's own defaults (see profileDefaults). Errors here are rules
	// that need a defaulted value, positioned through their path.
	final, err := l.withDefaults(v)
	if err != nil {
		return nil, err
	}
	if err := validateAll(final); err != nil {
		return nil, diag.Sort(withoutSecrets(l.profile, fromCUE(err, l.profile, merged, src.File), nil))
	}
	name, err := final.LookupPath(cue.ParsePath("name")).String()
	if err != nil {
		return nil, diag.List{{File: src.File, Path: "name", Message: err.Error()}}
	}
	return &Site{Name: name, Source: src, Profile: final}, nil
}

// withoutSecrets returns the secret findings and the other problems,
// leaving out those about a field a secret finding covers and rewriting
// those about a Secret reference field: no message repeats a value that
// may be a secret.
func withoutSecrets(schema cue.Value, problems, secrets diag.List) diag.List {
	out := slices.Clone(secrets)
	for _, d := range problems {
		if !slices.ContainsFunc(secrets, func(s diag.Diagnostic) bool { return under(d.Path, s.Path) }) {
			out = append(out, d)
		}
	}
	return hideSecretLooking(hideRefValues(schema, out))
}

// validateAll validates v and returns every error. CUE reports only the
// fatal errors of a value when it has any (a required field that is
// missing is hidden by a conflict elsewhere), so each field of a value
// with errors is validated on its own too, down to the errors.
func validateAll(v cue.Value) error {
	err := v.Validate(cue.Concrete(true))
	if err == nil {
		return nil
	}
	seen := map[string]bool{}
	var all cueerrors.Error
	add := func(err error) {
		for _, e := range cueerrors.Errors(err) {
			if k := e.Error(); !seen[k] {
				seen[k] = true
				all = cueerrors.Append(all, e)
			}
		}
	}
	add(err)
	var walk func(v cue.Value)
	walk = func(v cue.Value) {
		// Not by IncompleteKind: a struct with an error in it is bottom.
		var children []cue.Value
		if it, err := v.Fields(); err == nil {
			for it.Next() {
				children = append(children, it.Value())
			}
		} else if it, err := v.List(); err == nil {
			for it.Next() {
				children = append(children, it.Value())
			}
		}
		for _, c := range children {
			if err := c.Validate(cue.Concrete(true)); err != nil {
				add(err)
				walk(c)
			}
		}
	}
	walk(v)
	return all
}

// withDefaults resolves v's defaults to plain data, adds the schema's
// defaults for what is still unset, resolves again, and unifies the result
// with the schema. Rules then see only concrete values.
func (l *Loader) withDefaults(v cue.Value) (cue.Value, error) {
	data, err := l.concrete(v)
	if err != nil {
		return cue.Value{}, err
	}
	if data, err = l.concrete(l.defaults.Unify(data)); err != nil {
		return cue.Value{}, err
	}
	return l.profile.Unify(data), nil
}

// concrete rebuilds v as plain data, defaults resolved.
func (l *Loader) concrete(v cue.Value) (cue.Value, error) {
	switch n := v.Syntax(cue.Final(), cue.Concrete(true)).(type) {
	case *ast.File:
		return l.ctx.BuildFile(n), nil
	case ast.Expr:
		return l.ctx.BuildExpr(n), nil
	default:
		return cue.Value{}, fmt.Errorf("resolving profile defaults: unexpected %T", n)
	}
}

// ReadSource reads a profile or defaults file under its input root, as
// the loader does: a regular file, inside root, within lim.
func ReadSource(root, name string, lim fsguard.Limit) ([]byte, error) {
	if root == "" {
		return fsguard.ReadPath(name, lim)
	}
	return fsguard.ReadIn(root, name, lim)
}

// readFile parses a YAML or CUE profile, keeping positions under the name
// the user gave.
func (l *Loader) readFile(root, name string) (cue.Value, error) {
	src, err := ReadSource(root, name, l.Limit)
	if err != nil {
		msg, hint, _ := strings.Cut(strings.TrimPrefix(err.Error(), name+": "), "\nhint: ")
		return cue.Value{}, diag.List{{File: name, Message: "cannot read profile: " + msg, Hint: hint}}
	}
	var f *ast.File
	switch filepath.Ext(name) {
	case ".cue":
		f, err = parser.ParseFile(name, src, parser.ParseComments)
	default:
		if err := fsguard.DuplicateKeys(name, src); err != nil {
			return cue.Value{}, dupKey(name, err)
		}
		f, err = cueyaml.Extract(name, src)
	}
	if err != nil {
		return cue.Value{}, diag.Sort(hideSecretLooking(fromCUE(err, cue.Value{}, cue.Value{}, name)))
	}
	v := l.ctx.BuildFile(f)
	if err := v.Err(); err != nil {
		return cue.Value{}, diag.Sort(hideSecretLooking(fromCUE(err, cue.Value{}, cue.Value{}, name)))
	}
	if k := v.IncompleteKind(); k != cue.StructKind {
		msg := fmt.Sprintf("a profile must be a mapping of fields, not %v", k)
		if len(bytes.TrimSpace(src)) == 0 || k == cue.TopKind {
			msg = "the profile is empty"
		}
		return cue.Value{}, diag.List{{File: name, Line: 1, Column: 1, Message: msg, Hint: "`tpgen init NAME` writes a valid profile to start from"}}
	}
	return v, nil
}

// dupKey turns fsguard's duplicate-key error into a positioned problem.
func dupKey(name string, err error) error {
	var line, col int
	msg, hint, _ := strings.Cut(err.Error(), "\nhint: ")
	rest := strings.TrimPrefix(msg, name+":")
	if n, _ := fmt.Sscanf(rest, "%d:%d:", &line, &col); n == 2 {
		_, msg, _ = strings.Cut(rest, ": ")
	}
	return diag.List{{File: name, Line: line, Column: col, Message: msg, Hint: hint}}
}

func (l *Loader) readDefaults(root, name string) (cue.Value, error) {
	if v, ok := l.fleet[name]; ok {
		return v, nil
	}
	v, err := l.readFile(root, name)
	if err != nil {
		return cue.Value{}, err
	}
	l.fleet[name] = v
	return v, nil
}
