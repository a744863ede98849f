package profile

import (
	"bytes"
	"context"
	"errors"
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
	"github.com/tpgen/tpgen/render/module"
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
// kustomization.yaml or a Chart.yaml (a site overlay or a chart) or a
// module (a .cue file declaring #Profile).
func Discover(paths []string) ([]Source, error) {
	return discover(osFiles{}, paths)
}

// DiscoverFS is Discover over fsys (paths slash-separated, relative to
// its root), for a Loader whose FS is fsys.
func DiscoverFS(fsys fs.FS, paths []string) ([]Source, error) {
	return discover(fsFiles{fsys}, paths)
}

// files is where Discover looks: the disk or an fs.FS.
type files interface {
	Stat(name string) (fs.FileInfo, error)
	WalkDir(root string, fn fs.WalkDirFunc) error
	ReadDir(name string) ([]fs.DirEntry, error)
	ReadFile(name string) ([]byte, error)
}

type osFiles struct{}

func (osFiles) Stat(name string) (fs.FileInfo, error)      { return os.Stat(name) }
func (osFiles) ReadDir(name string) ([]fs.DirEntry, error) { return os.ReadDir(name) }
func (osFiles) ReadFile(name string) ([]byte, error) {
	return fsguard.ReadPath(name, DefaultLimit)
}
func (osFiles) WalkDir(root string, fn fs.WalkDirFunc) error {
	return filepath.WalkDir(root, fn)
}

type fsFiles struct{ fsys fs.FS }

func (f fsFiles) Stat(name string) (fs.FileInfo, error)      { return fs.Stat(f.fsys, name) }
func (f fsFiles) ReadDir(name string) ([]fs.DirEntry, error) { return fs.ReadDir(f.fsys, name) }
func (f fsFiles) ReadFile(name string) ([]byte, error)       { return readFS(f.fsys, name, DefaultLimit) }
func (f fsFiles) WalkDir(root string, fn fs.WalkDirFunc) error {
	return fs.WalkDir(f.fsys, root, fn)
}

func discover(fsys files, paths []string) ([]Source, error) {
	var out []Source
	var problems diag.List
	for _, root := range paths {
		st, err := fsys.Stat(root)
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
			out = append(out, Source{File: root, Defaults: defaultsFor(fsys, filepath.Dir(root), filepath.Dir(root)), Root: filepath.Dir(root)})
			continue
		}
		n := len(out)
		err = fsys.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() {
				if p != root && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_")) {
					return filepath.SkipDir
				}
				if p != root && isBundleDir(fsys, p) {
					return filepath.SkipDir
				}
				return nil
			}
			if isProfileName(name) {
				out = append(out, Source{File: p, Defaults: defaultsFor(fsys, root, filepath.Dir(p)), Root: root})
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

func isBundleDir(fsys files, dir string) bool {
	for _, marker := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization", "Chart.yaml"} {
		if _, err := fsys.Stat(filepath.Join(dir, marker)); err == nil {
			return true
		}
	}
	return isModuleDir(fsys, dir)
}

// isModuleDir says whether dir is a platform module (a profile may name
// one inside its input root, module: ./DIR): a .cue file at its root
// declares #Profile. Its files are not profiles.
func isModuleDir(fsys files, dir string) bool {
	entries, err := fsys.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range entries {
		if e.IsDir() || filepath.Ext(e.Name()) != ".cue" || e.Name() == DefaultsFile {
			continue
		}
		src, err := fsys.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(e.Name(), src)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.Field); ok {
				if id, ok := fd.Label.(*ast.Ident); ok && id.Name == "#Profile" {
					return true
				}
			}
		}
	}
	return false
}

// defaultsFor lists defaults.cue files from root down to dir, outermost first.
func defaultsFor(fsys files, root, dir string) []string {
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
		if _, err := fsys.Stat(f); err == nil {
			out = append(out, f)
		}
	}
	return out
}

// Loader validates profiles against their module's schema. See the
// package doc for its concurrency rule.
type Loader struct {
	ctx     *cue.Context
	pinned  *module.Module       // NewLoader's module, if any
	schemas map[string]*schema   // by module source
	fleet   map[string]cue.Value // defaults.cue files, by path

	// Set by LoadAllContext for its run (see bound.go).
	bound     context.Context
	limits    EvalLimits
	abandoned bool // an evaluation was given up: ctx is still in use

	// Limit bounds the size of a profile and of a defaults.cue (no limit
	// when zero).
	Limit fsguard.Limit
	// Modules resolves the module field of the profiles (a Loader made
	// with a module ignores it). Default: built-in modules only.
	Modules *module.Resolver
	// FS, when set, holds the profiles and defaults files instead of the
	// disk (paths slash-separated, Source.Root unused): a revision's
	// profiles read from Git, a profile made in memory.
	FS fs.FS
}

// schema is one module's package built in a Loader's context.
type schema struct {
	module   *module.Module
	pkg      cue.Value // the whole package
	profile  cue.Value // #Profile with #Site
	defaults cue.Value // profileDefaults
	plan     cue.Value // #Plan
	site     cue.Value // the engine's #Site
}

// DefaultLimit is a Loader's Limit until the caller sets one.
var DefaultLimit = fsguard.Limit{Max: 1 << 20, What: "profile size", Raise: "--max-profile-size"}

// NewLoader makes a Loader with its own cue.Context. With m, every profile
// is checked against module m (its module field, if any, was resolved by
// the caller); with nil, each profile's module field selects its module
// through l.Modules (absent: the default built-in module), so a fleet may
// mix modules.
func NewLoader(m *module.Module) (*Loader, error) {
	l := &Loader{
		ctx:     newContext(),
		pinned:  m,
		schemas: map[string]*schema{},
		fleet:   map[string]cue.Value{},
		Limit:   DefaultLimit,
		Modules: &module.Resolver{},
	}
	// Build the pinned or default module now: a defect shows at once.
	if m == nil {
		m = module.Default()
	}
	if _, err := l.schemaOf(m); err != nil {
		return nil, err
	}
	return l, nil
}

// schemaOf builds module m's package in l's context, once.
func (l *Loader) schemaOf(m *module.Module) (*schema, error) {
	if m == nil {
		m = module.Default()
	}
	if sc, ok := l.schemas[m.Source]; ok {
		return sc, nil
	}
	v, err := newSchema(l.ctx, m)
	if err != nil {
		return nil, err
	}
	sc := &schema{
		module:   m,
		pkg:      v,
		profile:  v.LookupPath(cue.MakePath(cue.Def(profileDef))),
		defaults: v.LookupPath(cue.ParsePath("profileDefaults")),
		plan:     v.LookupPath(cue.MakePath(cue.Def("Plan"))),
		site:     v.LookupPath(cue.MakePath(cue.Def("Site"))),
	}
	l.schemas[m.Source] = sc
	return sc, nil
}

// Site is a valid profile.
type Site struct {
	Name    string
	Source  Source
	Profile cue.Value // concrete, schema defaults applied; render.Run clears it once planned
	// Module is the site's platform module.
	Module *module.Module
}

// moduleOf returns the module of a profile (merged: the profile with its
// fleet defaults; data: the profile alone, for positions). A module that
// cannot be resolved is a problem at the module field.
func (l *Loader) moduleOf(src Source, merged, data cue.Value) (*module.Module, error) {
	if l.pinned != nil {
		return l.pinned, nil
	}
	v := merged.LookupPath(cue.ParsePath("module"))
	if !v.Exists() {
		return module.Default(), nil
	}
	d := diag.Diagnostic{File: src.File, Line: 1, Column: 1, Path: "module"}
	for _, c := range []cue.Value{data.LookupPath(cue.ParsePath("module")), v} {
		if p := c.Pos(); c.Exists() && p.IsValid() {
			d.File, d.Line, d.Column = p.Filename(), p.Line(), p.Column()
			break
		}
	}
	sel, err := v.String()
	if err != nil {
		d.Message = "module must be a module name or a path starting with ./ or ../"
		d.Hint = "write module: NAME (`tpgen modules` lists them) or module: ./DIR"
		return nil, diag.List{d}
	}
	if l.FS != nil && (strings.HasPrefix(sel, "./") || strings.HasPrefix(sel, "../")) {
		d.Message = fmt.Sprintf("module %s: a module path cannot be read here (the profile is not read from disk)", sel)
		d.Hint = "put the module in a --module-path directory and select it by name"
		return nil, diag.List{d}
	}
	root := src.Root
	if root == "" {
		root = filepath.Dir(src.File)
	}
	resolver := l.Modules
	if resolver == nil {
		resolver = &module.Resolver{}
	}
	m, err := resolver.Resolve(sel, filepath.Dir(src.File), root)
	if err != nil {
		d.Message, d.Hint, _ = strings.Cut(err.Error(), "\nhint: ")
		return nil, diag.List{d}
	}
	return m, nil
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
	m, err := l.moduleOf(src, merged, data)
	if err != nil {
		return nil, err
	}
	sc, err := l.schemaOf(m)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", src.File, err)
	}
	secrets := secretValues(sc.profile, merged, src.File)
	unknown := unknownFields(sc.profile, merged, data, src.File)
	missing := missingRequired(sc.profile, merged, src.File)
	problems = append(append(problems, unknown...), missing...)
	v := sc.profile.Unify(merged)
	if err := validateAll(v); err != nil {
		for _, d := range fromCUE(err, sc.profile, merged, src.File) {
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
		if final, err := l.withDefaults(sc, merged); err == nil && merged.Validate() == nil {
			for _, d := range fromCUE(validateAll(final), sc.profile, merged, src.File) {
				if d.Path != "" && !strings.Contains(d.Message, "required") &&
					!slices.ContainsFunc(problems, func(p diag.Diagnostic) bool { return under(d.Path, p.Path) || under(p.Path, d.Path) }) {
					problems = append(problems, d)
				}
			}
		}
		return nil, diag.Sort(withoutSecrets(sc.profile, problems, secrets))
	}
	// Second pass: the profile with its fleet defaults resolved, under the
	// schema's own defaults (see profileDefaults). Errors here are rules
	// that need a defaulted value, positioned through their path.
	final, err := l.withDefaults(sc, v)
	if err != nil {
		return nil, err
	}
	if err := validateAll(final); err != nil {
		return nil, diag.Sort(withoutSecrets(sc.profile, fromCUE(err, sc.profile, merged, src.File), nil))
	}
	if problems := checkSite(sc, final, data, src.File); len(problems) > 0 {
		return nil, diag.Sort(withoutSecrets(sc.profile, problems, nil))
	}
	name, err := final.LookupPath(cue.ParsePath("name")).String()
	if err != nil {
		return nil, diag.List{{File: src.File, Path: "name", Message: err.Error()}}
	}
	return &Site{Name: name, Source: src, Profile: final, Module: m}, nil
}

// checkSite checks the fields of the engine's #Site in final, a profile
// valid under its module's #Profile: a module whose #Profile does not
// embed #Site (or narrows it wrongly) still gets a site name, a
// kubernetesVersion, gitops and well-formed module, cluster, overlay and
// charts fields. Positions come from data, the profile itself.
func checkSite(sc *schema, final, data cue.Value, file string) diag.List {
	var out diag.List
	it, err := sc.site.Fields(cue.Optional(true))
	if err != nil {
		return diag.List{{File: file, Message: "the engine's #Site is not a struct (a defect of tpgen)"}}
	}
	for it.Next() {
		name := it.Selector().Unquoted()
		v := final.LookupPath(cue.MakePath(cue.Str(name)))
		if !v.Exists() {
			if it.Selector().ConstraintType() == cue.RequiredConstraint {
				out = append(out, diag.Diagnostic{File: file, Line: 1, Column: 1, Path: name,
					Message: "field is required but not present",
					Hint:    fmt.Sprintf("every profile has %s, whatever its module (the engine's #Site); module %s's #Profile should embed #Site", name, sc.module.Name)})
			}
			continue
		}
		if err := it.Value().Unify(v).Validate(cue.Concrete(true)); err != nil {
			for _, d := range fromCUE(err, sc.site, data, file) {
				if d.Path == "" || !under(d.Path, name) {
					d.Path = name
				}
				if d.Hint == "" {
					d.Hint = fmt.Sprintf("the engine's #Site constrains %s for every module", name)
				}
				out = append(out, d)
			}
		}
	}
	return out
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
func (l *Loader) withDefaults(sc *schema, v cue.Value) (cue.Value, error) {
	data, err := l.concrete(v)
	if err != nil {
		return cue.Value{}, err
	}
	if data, err = l.concrete(sc.defaults.Unify(data)); err != nil {
		return cue.Value{}, err
	}
	return sc.profile.Unify(data), nil
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

// readFS reads name from fsys as fsguard reads the disk: a regular file
// within lim.
func readFS(fsys fs.FS, name string, lim fsguard.Limit) ([]byte, error) {
	st, err := fs.Stat(fsys, name)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)\nhint: tpgen reads only regular files", name, fsguard.ErrNotRegular, fsguard.Kind(st.Mode()))
	}
	if lim.Max > 0 && st.Size() > lim.Max {
		return nil, fmt.Errorf("%s: %w", name, fsguard.TooLarge(st.Size(), lim))
	}
	return fs.ReadFile(fsys, name)
}

// readFile parses a YAML or CUE profile, keeping positions under the name
// the user gave.
func (l *Loader) readFile(root, name string) (cue.Value, error) {
	var src []byte
	var err error
	if l.FS != nil {
		src, err = readFS(l.FS, name, l.Limit)
	} else {
		src, err = ReadSource(root, name, l.Limit)
	}
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
