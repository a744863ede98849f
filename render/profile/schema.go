package profile

import (
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/ast/astutil"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
	"cuelang.org/go/encoding/jsonschema"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	"github.com/tpgen/tpgen/render/module"
)

// schemaDir is where a module's CUE files appear to live (under their
// module's name). Positions in them are never printed as a host path.
const schemaDir = "/tpgen-schema"

// profileDef is the definition a profile is checked against. A module's
// #Profile embeds #Site; the loader checks the #Site fields on their own
// too (checkSite), so a module that forgets still has them checked. (Not
// by a CUE definition {#Profile, #Site}: with cue v0.17 that makes
// #Profile's nested definitions reject their own fields.)
const profileDef = "Profile"

// SchemaSource returns the source of module m's profile schema: the
// module's files that define #Profile, then the engine's #Site (what
// `tpgen schema --format cue` prints).
func SchemaSource(m *module.Module) (string, error) {
	files, err := profileFiles(m)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, f := range files {
		src, err := fs.ReadFile(m.FS, f)
		if err != nil {
			return "", err
		}
		b.Write(src)
	}
	b.WriteString("\n// " + module.EngineFile + ", which tpgen adds to every module's package:\n\n")
	b.WriteString(module.EngineSource())
	return b.String(), nil
}

// profileFiles lists the module's root .cue files that declare #Profile.
func profileFiles(m *module.Module) ([]string, error) {
	names, err := fs.Glob(m.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range names {
		src, err := fs.ReadFile(m.FS, n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(n, src)
		if err != nil {
			return nil, fmt.Errorf("parsing module %s: %w", m.Name, err)
		}
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.Field); ok {
				if id, ok := fd.Label.(*ast.Ident); ok && id.Name == "#Profile" {
					out = append(out, n)
					break
				}
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("module %s (%s) defines no #Profile\nhint: a module's CUE package defines #Profile (the profile schema), #Plan and profileDefaults", m.Name, m.Source)
	}
	return out, nil
}

// instances caches each module's parsed package, by module source: parsed
// once per process, built once per Loader.
var instances sync.Map // string -> *instanceOnce

type instanceOnce struct {
	once sync.Once
	inst *build.Instance
	err  error
}

// instance parses module m's package, the engine's file injected.
func instance(m *module.Module) (*build.Instance, error) {
	v, _ := instances.LoadOrStore(m.Source, &instanceOnce{})
	io := v.(*instanceOnce)
	io.once.Do(func() { io.inst, io.err = parseModule(m) })
	return io.inst, io.err
}

func parseModule(m *module.Module) (*build.Instance, error) {
	dir := path.Join(schemaDir, m.Name)
	overlay := map[string]load.Source{
		path.Join(dir, "cue.mod/module.cue"): load.FromString("module: \"tpgen.dev/schema\"\nlanguage: version: \"v0.17.0\"\n"),
	}
	names, err := fs.Glob(m.FS, "*.cue")
	if err != nil {
		return nil, err
	}
	pkg := ""
	for _, n := range names {
		if n == module.EngineFile {
			return nil, fmt.Errorf("loading module %s: it holds %s, the engine's own file\nhint: rename the module's file", m.Name, n)
		}
		src, err := fs.ReadFile(m.FS, n)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(path.Join(dir, n), src, parser.PackageClauseOnly)
		if err != nil {
			return nil, fmt.Errorf("loading module %s: %w", m.Name, err)
		}
		switch name := f.PackageName(); {
		case name == "":
			return nil, fmt.Errorf("loading module %s: %s has no package clause\nhint: every .cue file at a module's root starts with the same `package NAME`", m.Name, n)
		case pkg == "":
			pkg = name
		case name != pkg:
			return nil, fmt.Errorf("loading module %s: %s is package %s, another file is package %s\nhint: a module's root holds one CUE package", m.Name, n, name, pkg)
		}
		overlay[path.Join(dir, n)] = load.FromBytes(src)
	}
	if pkg == "" {
		return nil, fmt.Errorf("loading module %s: no .cue file at its root", m.Name)
	}
	overlay[path.Join(dir, module.EngineFile)] = load.FromBytes(module.EngineCUE(pkg))
	insts := load.Instances([]string{"."}, &load.Config{Dir: dir, Overlay: overlay, Package: pkg})
	if len(insts) != 1 || insts[0].Err != nil {
		return nil, fmt.Errorf("loading module %s (%s): %v", m.Name, m.Source, insts[0].Err)
	}
	return insts[0], nil
}

// newSchema builds module m's package in ctx.
func newSchema(ctx *cue.Context, m *module.Module) (cue.Value, error) {
	in, err := instance(m)
	if err != nil {
		return cue.Value{}, err
	}
	v := ctx.BuildInstance(in)
	// Not v.Err(): #Plan is only complete once a profile fills it, and its
	// comprehensions may report errors before that. Plan reports them per
	// site; here only the definitions must exist.
	for _, def := range []string{"Profile", "Plan", "Site"} {
		if d := v.LookupPath(cue.MakePath(cue.Def(def))); !d.Exists() {
			return cue.Value{}, fmt.Errorf("building module %s: #%s: %v\nhint: a module's CUE package defines #Profile (the profile schema), #Plan and profileDefaults", m.Name, def, d.Err())
		}
	}
	if d := v.LookupPath(cue.ParsePath("profileDefaults")); !d.Exists() || d.Err() != nil {
		return cue.Value{}, fmt.Errorf("building module %s: profileDefaults: %v\nhint: a module's CUE package defines profileDefaults (may be {})", m.Name, d.Err())
	}
	return v, nil
}

// newContext is the one place a cue.Context is made.
func newContext() *cue.Context { return cuecontext.New() }

func isSchemaFile(name string) bool { return strings.HasPrefix(name, schemaDir+"/") }

// JSONSchema returns module m's #Profile as an indented JSON
// Schema document. JSON Schema cannot express the cross-field rules (CUE
// comprehensions), so they are left out of it: editors check shapes,
// `tpgen validate` checks all. It reads the module's files that define
// #Profile and the engine's file, so #Profile's helpers belong there.
func JSONSchema(m *module.Module) (string, error) {
	ctx := newContext()
	names, err := profileFiles(m)
	if err != nil {
		return "", err
	}
	var files []*ast.File
	for _, n := range append(names, module.EngineFile) {
		// Parse afresh: the cached instance's syntax must stay intact.
		var src []byte
		if n == module.EngineFile {
			src = module.EngineCUE("tpgen")
		} else if src, err = fs.ReadFile(m.FS, n); err != nil {
			return "", err
		}
		f, err := parser.ParseFile(n, src, parser.ParseComments)
		if err != nil {
			return "", err
		}
		f = astutil.Apply(f, func(c astutil.Cursor) bool {
			if fd, ok := c.Node().(*ast.Field); ok && fd.Constraint == token.NOT {
				// Fleet defaults (defaults.cue) may supply any field, so an
				// editor that sees one file cannot require any.
				fd.Constraint = token.OPTION
			}
			if st, ok := c.Node().(*ast.StructLit); ok {
				kept := st.Elts[:0]
				for _, e := range st.Elts {
					if isComprehension(e) || isPattern(e) {
						continue
					}
					{
						kept = append(kept, e)
					}
				}
				st.Elts = kept
			}
			return true
		}, nil).(*ast.File)
		files = append(files, f)
	}
	merged := mergeFiles(files)
	inlineSite(merged)
	schema := ctx.BuildFile(merged)
	if err := schema.Err(); err != nil {
		return "", fmt.Errorf("generating JSON Schema: %w", err)
	}
	expr, err := jsonschema.Generate(schema.LookupPath(cue.MakePath(cue.Def(profileDef))), &jsonschema.GenerateConfig{})
	if err != nil {
		return "", fmt.Errorf("generating JSON Schema: %w", err)
	}
	v := ctx.BuildExpr(expr)
	if err := v.Err(); err != nil {
		return "", fmt.Errorf("generating JSON Schema: %w", err)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return "", fmt.Errorf("generating JSON Schema: %w", err)
	}
	return string(b) + "\n", nil
}

// inlineSite replaces the embedding of #Site in #Profile by the #Site
// fields #Profile does not declare itself: a JSON Schema $ref next to
// properties would check the profile against each closed schema alone.
func inlineSite(f *ast.File) {
	defs := map[string]*ast.StructLit{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.Field); ok {
			if id, ok := fd.Label.(*ast.Ident); ok {
				if st, ok := fd.Value.(*ast.StructLit); ok {
					defs[id.Name] = st
				}
			}
		}
	}
	prof, site := defs["#Profile"], defs["#Site"]
	if prof == nil || site == nil {
		return
	}
	declared := map[string]bool{}
	for _, e := range prof.Elts {
		if fd, ok := e.(*ast.Field); ok {
			if name, _, err := ast.LabelName(fd.Label); err == nil {
				declared[name] = true
			}
		}
	}
	var elts []ast.Decl
	for _, e := range prof.Elts {
		if em, ok := e.(*ast.EmbedDecl); ok {
			if id, ok := em.Expr.(*ast.Ident); ok && id.Name == "#Site" {
				for _, se := range site.Elts {
					if fd, ok := se.(*ast.Field); ok {
						if name, _, err := ast.LabelName(fd.Label); err == nil && !declared[name] {
							elts = append(elts, fd)
						}
					}
				}
				continue
			}
		}
		elts = append(elts, e)
	}
	prof.Elts = elts
}

func isComprehension(d ast.Decl) bool { _, ok := d.(*ast.Comprehension); return ok }

// isPattern reports a pattern constraint whose value is an error() call
// ([#InlineSecret]: error(...)): the generator loses the struct's other
// fields next to one, and `tpgen validate` gives the clear message anyway.
func isPattern(d ast.Decl) bool {
	f, ok := d.(*ast.Field)
	if !ok {
		return false
	}
	if _, ok := f.Label.(*ast.ListLit); !ok {
		return false
	}
	call, ok := f.Value.(*ast.CallExpr)
	if !ok {
		return false
	}
	id, ok := call.Fun.(*ast.Ident)
	return ok && id.Name == "error"
}

// mergeFiles joins the files of one package into one file.
func mergeFiles(files []*ast.File) *ast.File {
	out := &ast.File{}
	seen := map[string]bool{}
	for _, f := range files {
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.Package:
				continue
			case *ast.ImportDecl:
				var specs []*ast.ImportSpec
				for _, s := range d.Specs {
					if !seen[s.Path.Value] {
						seen[s.Path.Value] = true
						specs = append(specs, s)
					}
				}
				if len(specs) == 0 {
					continue
				}
				d.Specs = specs
				out.Decls = append([]ast.Decl{d}, out.Decls...)
				continue
			}
			out.Decls = append(out.Decls, d)
		}
	}
	return out
}
