package profile

import (
	"bytes"

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

	tpgencue "github.com/tpgen/tpgen/cue"
)

// schemaDir is where the embedded schema files appear to live. Positions in
// them are printed as schema:<file>:line:col, never as a host path.
const schemaDir = "/tpgen-schema"

// SchemaSource returns the profile schema source (cue/profile.cue): what
// `tpgen schema --format cue` prints.
func SchemaSource() (string, error) {
	b, err := fs.ReadFile(tpgencue.FS, "profile.cue")
	return string(b), err
}

var (
	instOnce sync.Once
	inst     *build.Instance
	instErr  error
)

// instance parses the embedded package once per process.
func instance() (*build.Instance, error) {
	instOnce.Do(func() { inst, instErr = buildInstance(tpgencue.FS, false) })
	return inst, instErr
}

// buildInstance loads the CUE package at the root of fsys; with inject,
// the engine contract (cue/engine.cue) joins it under the package's name.
func buildInstance(fsys fs.FS, inject bool) (*build.Instance, error) {
	overlay := map[string]load.Source{
		path.Join(schemaDir, "cue.mod/module.cue"): load.FromString("module: \"tpgen.dev/schema\"\nlanguage: version: \"v0.17.0\"\n"),
	}
	names, err := fs.Glob(fsys, "*.cue")
	if err != nil {
		return nil, err
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("loading the module's schema: no .cue file at its root")
	}
	pkg := ""
	for _, n := range names {
		src, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		if pkg == "" {
			f, err := parser.ParseFile(n, src, parser.PackageClauseOnly)
			if err != nil {
				return nil, fmt.Errorf("loading the module's schema: %w", err)
			}
			pkg = f.PackageName()
		}
		overlay[path.Join(schemaDir, n)] = load.FromBytes(src)
	}
	if inject {
		src, err := fs.ReadFile(tpgencue.FS, engineFile)
		if err != nil {
			return nil, err
		}
		src = bytes.Replace(src, []byte("package tpgen\n"), []byte("package "+pkg+"\n"), 1)
		overlay[path.Join(schemaDir, "tpgen.engine.cue")] = load.FromBytes(src)
	}
	insts := load.Instances([]string{"."}, &load.Config{Dir: schemaDir, Overlay: overlay})
	if len(insts) != 1 || insts[0].Err != nil {
		return nil, fmt.Errorf("loading embedded schema: %v", insts[0].Err)
	}
	return insts[0], nil
}

// engineFile holds the engine contract (#Platform, #Component).
const engineFile = "engine.cue"

// newSchema builds the embedded package in ctx.
func newSchema(ctx *cue.Context) (cue.Value, error) {
	in, err := instance()
	if err != nil {
		return cue.Value{}, err
	}
	return buildSchema(ctx, in)
}

// buildSchema builds a loaded package in ctx and checks it defines what a
// module must.
func buildSchema(ctx *cue.Context, in *build.Instance) (cue.Value, error) {
	v := ctx.BuildInstance(in)
	// Not v.Err(): #Plan is only complete once a profile fills it, and its
	// comprehensions may report errors before that. Plan reports them per
	// site; here only the definitions must exist.
	for _, def := range []string{"Profile", "Plan"} {
		if d := v.LookupPath(cue.MakePath(cue.Def(def))); !d.Exists() {
			return cue.Value{}, fmt.Errorf("building embedded schema: #%s: %v", def, d.Err())
		}
	}
	if d := v.LookupPath(cue.ParsePath("profileDefaults")); !d.Exists() || d.Err() != nil {
		return cue.Value{}, fmt.Errorf("building embedded schema: profileDefaults: %v", d.Err())
	}
	return v, nil
}

// newContext is the one place a cue.Context is made.
func newContext() *cue.Context { return cuecontext.New() }

func isSchemaFile(name string) bool { return strings.HasPrefix(name, schemaDir+"/") }

// JSONSchema returns #Profile as an indented JSON Schema document. JSON
// Schema cannot express the cross-field rules (CUE comprehensions), so they
// are left out of it: editors check shapes, `tpgen validate` checks all.
func JSONSchema() (string, error) {
	ctx := newContext()
	// #Profile is self-contained in profile.cue.
	var files []*ast.File
	for _, n := range []string{"profile.cue"} {
		// Parse afresh: the cached instance's syntax must stay intact.
		src, err := fs.ReadFile(tpgencue.FS, n)
		if err != nil {
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
	schema := ctx.BuildFile(mergeFiles(files))
	if err := schema.Err(); err != nil {
		return "", fmt.Errorf("generating JSON Schema: %w", err)
	}
	expr, err := jsonschema.Generate(schema.LookupPath(cue.MakePath(cue.Def("Profile"))), &jsonschema.GenerateConfig{})
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
