package profile

import (
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

// SchemaSource returns the embedded CUE schema files, concatenated in name
// order with a header per file: what `tpgen schema --format cue` prints.
func SchemaSource() (string, error) {
	names, err := fs.Glob(tpgencue.FS, "*.cue")
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for i, n := range names {
		src, err := fs.ReadFile(tpgencue.FS, n)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "// ---- %s ----\n", n)
		b.Write(src)
	}
	return b.String(), nil
}

var (
	instOnce sync.Once
	inst     *build.Instance
	instErr  error
)

// instance parses the embedded package once per process.
func instance() (*build.Instance, error) {
	instOnce.Do(func() {
		overlay := map[string]load.Source{
			path.Join(schemaDir, "cue.mod/module.cue"): load.FromString("module: \"tpgen.dev/schema\"\nlanguage: version: \"v0.17.0\"\n"),
		}
		names, err := fs.Glob(tpgencue.FS, "*.cue")
		if err != nil {
			instErr = err
			return
		}
		for _, n := range names {
			src, err := fs.ReadFile(tpgencue.FS, n)
			if err != nil {
				instErr = err
				return
			}
			overlay[path.Join(schemaDir, n)] = load.FromBytes(src)
		}
		insts := load.Instances([]string{"."}, &load.Config{Dir: schemaDir, Overlay: overlay})
		if len(insts) != 1 || insts[0].Err != nil {
			instErr = fmt.Errorf("loading embedded schema: %v", insts[0].Err)
			return
		}
		inst = insts[0]
	})
	return inst, instErr
}

// newSchema builds the embedded package in ctx.
func newSchema(ctx *cue.Context) (cue.Value, error) {
	in, err := instance()
	if err != nil {
		return cue.Value{}, err
	}
	v := ctx.BuildInstance(in)
	if err := v.Err(); err != nil {
		return cue.Value{}, fmt.Errorf("building embedded schema: %w", err)
	}
	return v, nil
}

// newContext is the one place a cue.Context is made.
func newContext() *cue.Context { return cuecontext.New() }

func isSchemaFile(name string) bool { return strings.HasPrefix(name, schemaDir+"/") }

// JSONSchema returns #Profile as an indented JSON Schema document.
func JSONSchema() (string, error) {
	ctx := newContext()
	schema, err := newSchema(ctx)
	if err != nil {
		return "", err
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
