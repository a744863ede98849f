package profile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"github.com/tpgen/tpgen/internal/diag"
)

// fromCUE turns a CUE error into diagnostics. Each is placed at the first
// position in the user's files (not the embedded schema); when CUE gives
// none, at the nearest field of data on the error's path, else at the top
// of file. Hints come from the schema's @hint attributes.
func fromCUE(err error, schema, data cue.Value, file string) diag.List {
	type group struct {
		path        []string
		disjunction bool
		diags       diag.List
		conflicts   [][2]string // "conflicting values A and B"
	}
	var order []string
	groups := map[string]*group{}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		if msg == "" {
			msg = strings.TrimSpace(e.Error())
		}
		path := trimDefs(e.Path())
		d := diag.Diagnostic{Path: joinPath(path), Message: msg}
		d.File, d.Line, d.Column = userPos(e, data, path, file)
		if m := yamlErr.FindStringSubmatch(msg); m != nil && !e.Position().IsValid() {
			// The YAML decoder puts "file:line:" into the message itself;
			// for "did not find expected" parser errors it is the 0-based
			// line of the context mark (yaml.v3 parser.fail).
			d.Line, _ = strconv.Atoi(m[2])
			if strings.HasPrefix(m[3], "did not find expected") {
				d.Line++
			}
			d.Column = 1
			d.Message = "invalid YAML: " + m[3]
		}
		if schema.Exists() {
			d.Hint = hintAt(schema, path)
		}
		g := groups[d.Path]
		if g == nil {
			g = &group{path: path}
			groups[d.Path] = g
			order = append(order, d.Path)
		}
		switch {
		case strings.Contains(format, "errors in empty disjunction"):
			g.disjunction = true
			continue
		case format == "conflicting values %s and %s" && len(args) == 2:
			g.conflicts = append(g.conflicts, [2]string{fmt.Sprint(args[0]), fmt.Sprint(args[1])})
		}
		g.diags = append(g.diags, d)
	}
	var out diag.List
	for _, k := range order {
		g := groups[k]
		if g.disjunction && len(g.conflicts) == len(g.diags) && len(g.diags) > 1 {
			if got, allowed, ok := commonTerm(g.conflicts); ok {
				d := g.diags[0]
				d.Message = fmt.Sprintf("%s is not allowed: want one of %s", got, strings.Join(allowed, ", "))
				out = append(out, d)
				continue
			}
		}
		out = append(out, g.diags...)
	}
	return out
}

var yamlErr = regexp.MustCompile(`^(.+):(\d+): (.*)$`)

// commonTerm finds the value shared by every conflict (the user's value) and
// the others (the allowed ones), for an empty disjunction of literals.
func commonTerm(conflicts [][2]string) (string, []string, bool) {
	for _, cand := range conflicts[0] {
		var others []string
		for _, c := range conflicts {
			switch cand {
			case c[0]:
				others = append(others, c[1])
			case c[1]:
				others = append(others, c[0])
			}
		}
		if len(others) == len(conflicts) {
			return cand, others, true
		}
	}
	return "", nil, false
}

// trimDefs drops leading definition selectors (#Profile) from an error path.
func trimDefs(path []string) []string {
	for len(path) > 0 && strings.HasPrefix(path[0], "#") {
		path = path[1:]
	}
	return path
}

func userPos(e cueerrors.Error, data cue.Value, path []string, file string) (string, int, int) {
	ps := append([]token.Pos{e.Position()}, e.InputPositions()...)
	for _, p := range ps {
		if p.IsValid() && !isSchemaFile(p.Filename()) {
			return p.Filename(), p.Line(), p.Column()
		}
	}
	if data.Exists() {
		for i := len(path); i >= 0; i-- {
			v := data.LookupPath(cuePath(path[:i]))
			if p := v.Pos(); v.Exists() && p.IsValid() && !isSchemaFile(p.Filename()) {
				return p.Filename(), p.Line(), p.Column()
			}
		}
	}
	return file, 1, 1
}

// hintAt returns the @hint of the deepest field on path that has one.
// List indexes look into the list's element schema, so that fields of
// list elements (policy.waivers[0].id) find their hints.
func hintAt(schema cue.Value, path []string) string {
	for i := len(path); i > 0; i-- {
		v := schema.LookupPath(schemaPath(path[:i]))
		if !v.Exists() {
			continue
		}
		if a := v.Attribute("hint"); a.Err() == nil {
			if s, err := a.String(0); err == nil {
				return s
			}
		}
	}
	return ""
}

// unknownFields reports every field of data that the schema does not allow,
// with the nearest allowed name as a hint. CUE reports closedness errors only
// when nothing else conflicts, so this walk makes them reliable. Positions
// come from raw (the profile itself), falling back to merged (defaults).
func unknownFields(schema, merged, raw cue.Value, file string) diag.List {
	var out diag.List
	var walk func(s, v cue.Value, path []string)
	walk = func(s, v cue.Value, path []string) {
		switch v.IncompleteKind() {
		case cue.StructKind:
			it, err := v.Fields(cue.Optional(true))
			if err != nil {
				return
			}
			for it.Next() {
				name := it.Selector().Unquoted()
				sub := append(append([]string(nil), path...), name)
				// Value.Allows is unreliable on structs built with
				// comprehensions; a lookup finds declared fields and
				// pattern constraints alike.
				fs := s.LookupPath(cue.MakePath(cue.Str(name).Optional()))
				if s.Exists() && mayBeStruct(s) && !fs.Exists() {
					d := diag.Diagnostic{Path: joinPath(sub), Message: "field not allowed"}
					pv := raw.LookupPath(cuePath(sub))
					if !pv.Exists() {
						pv = it.Value()
					}
					if p := pv.Pos(); p.IsValid() {
						d.File, d.Line, d.Column = p.Filename(), p.Line(), p.Column()
					} else {
						d.File, d.Line, d.Column = file, 1, 1
					}
					if near := nearest(name, fieldNames(s)); near != "" {
						d.Hint = fmt.Sprintf("did you mean %q?", near)
					} else if names := fieldNames(s); len(names) > 0 {
						d.Hint = "allowed fields: " + strings.Join(names, ", ")
					}
					out = append(out, d)
					continue
				}
				walk(fs, it.Value(), sub)
			}
		case cue.ListKind:
			it, err := v.List()
			if err != nil {
				return
			}
			for i := 0; it.Next(); i++ {
				es := s.LookupPath(cue.MakePath(cue.Index(i)))
				if !es.Exists() {
					// an open list ([...#Connector]): its element schema
					es = s.LookupPath(cue.MakePath(cue.AnyIndex))
				}
				walk(es, it.Value(), append(append([]string(nil), path...), strconv.Itoa(i)))
			}
		}
	}
	walk(schema, merged, nil)
	return out
}

func fieldNames(s cue.Value) []string {
	it, err := s.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var names []string
	for it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	return names
}

// nearest returns the candidate closest to name by edit distance, when it is
// close enough to be a plausible typo.
func nearest(name string, candidates []string) string {
	best, bestD := "", len(name)/2+2
	for _, c := range candidates {
		if d := editDistance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

func cuePath(path []string) cue.Path {
	sels := make([]cue.Selector, len(path))
	for i, p := range path {
		if n, err := strconv.Atoi(p); err == nil {
			sels[i] = cue.Index(n)
		} else {
			sels[i] = cue.Str(p).Optional()
		}
	}
	return cue.MakePath(sels...)
}

// schemaPath is cuePath for lookups in the schema: an index selects any
// element of the list.
func schemaPath(path []string) cue.Path {
	sels := cuePath(path).Selectors()
	for i, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			sels[i] = cue.AnyIndex
		}
	}
	return cue.MakePath(sels...)
}

func joinPath(path []string) string {
	var b strings.Builder
	for _, p := range path {
		if _, err := strconv.Atoi(p); err == nil {
			fmt.Fprintf(&b, "[%s]", p)
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// missingRequired reports every required field (name!) of the schema that
// data lacks, in every struct data has, positioned at the struct that
// should hold it (or the top of file). CUE reports only some of them when
// other errors exist; this walk reports them all.
func missingRequired(root, data cue.Value, file string) diag.List {
	var out diag.List
	var walk func(s, v cue.Value, path []string)
	walk = func(s, v cue.Value, path []string) {
		it, err := s.Fields(cue.Optional(true))
		if err != nil {
			return
		}
		for it.Next() {
			sel := it.Selector()
			name := sel.Unquoted()
			sub := append(append([]string(nil), path...), name)
			dv := v.LookupPath(cue.MakePath(cue.Str(name)))
			if !dv.Exists() {
				if sel.ConstraintType() != cue.RequiredConstraint {
					continue
				}
				d := diag.Diagnostic{Path: joinPath(sub), Message: "field is required but not present", Hint: hintAt(root, sub)}
				d.File, d.Line, d.Column = file, 1, 1
				if p := v.Pos(); len(path) > 0 && p.IsValid() && !isSchemaFile(p.Filename()) {
					d.File, d.Line, d.Column = p.Filename(), p.Line(), p.Column()
				}
				out = append(out, d)
				continue
			}
			if dv.IncompleteKind() == cue.StructKind {
				walk(it.Value(), dv, sub)
			}
		}
	}
	walk(root, data, nil)
	return out
}

// mayBeStruct reports whether a schema node can hold fields. A schema with
// comprehensions over required fields is incomplete (bottom) until data
// fills it, so bottom counts as a struct here.
func mayBeStruct(s cue.Value) bool {
	k := s.IncompleteKind()
	return k&cue.StructKind != 0 || k == cue.BottomKind
}
