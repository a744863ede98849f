package profile

import (
	"strings"

	"cuelang.org/go/cue"

	"github.com/tpgen/tpgen/render/module"
)

// Enum returns the values module m's #Profile field at path (e.g. "hosting",
// "gitops.engine") allows when it is a disjunction of concrete strings, in
// the schema's order; nil otherwise. Shell completion reads them, so the
// values stay in the schema.
func Enum(m *module.Module, path string) ([]string, error) {
	schema, err := newSchema(newContext(), m)
	if err != nil {
		return nil, err
	}
	v := schema.LookupPath(cue.MakePath(cue.Def(profileDef)))
	for _, name := range strings.Split(path, ".") {
		// A field may be regular, required (name!) or optional (name?).
		var next cue.Value
		for _, sel := range []cue.Selector{cue.Str(name), cue.Str(name).Required(), cue.Str(name).Optional()} {
			if next = v.LookupPath(cue.MakePath(sel)); next.Exists() {
				break
			}
		}
		if !next.Exists() {
			return nil, nil
		}
		v = next
	}
	op, args := v.Expr()
	if op != cue.OrOp {
		return nil, nil
	}
	var out []string
	for _, a := range args {
		s, err := a.String()
		if err != nil {
			return nil, nil
		}
		out = append(out, s)
	}
	return out, nil
}
