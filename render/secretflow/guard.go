package secretflow

import (
	"encoding/base64"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/render/object"
)

// Misuse is a marker, or something derived from one, where a secret value
// must not go. It names the object's source (chart and template), the
// object and the field; never a value.
type Misuse struct {
	Source string // object.Source: "chart NAME@VERSION templates/x.yaml"
	Object string // Kind/namespace/name
	Field  string
	Why    string
}

func (m Misuse) String() string {
	src := m.Source
	if src == "" {
		src = "(unknown source)"
	}
	return fmt.Sprintf("%s: %s: %s: %s", src, m.Object, m.Field, m.Why)
}

// MisuseError lists every misuse of one chart or site, sorted.
type MisuseError struct {
	Misuses []Misuse
}

func (e *MisuseError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d secret value(s) used outside a Secret's data:", len(e.Misuses))
	for _, m := range e.Misuses {
		b.WriteString("\n  " + m.String())
	}
	b.WriteString("\nhint: a value the profile gives by reference may reach only a Secret's data or stringData, as is or inside a larger string; " +
		"set the chart's option that reads an existing Secret instead, or use a chart (charts.path) that does not copy or hash the value")
	return b.String()
}

const (
	whyDirect  = "a secret marker outside a Secret's data (the value would be committed to Git or the object would hold the marker's text)"
	whyDerived = "derived from a secret value (it changes with the value: a checksum, an encoding, a transformation), so tpgen cannot render it without the value"
)

// Guard renders a chart with values (render), and, when the values hold
// markers, a second time with every marker in the probe spelling; it
// returns the first rendering's objects, or a *MisuseError listing every
// marker out of place and every field of the two renderings that differs
// other than by the markers in a Secret's data or stringData.
func Guard(values map[string]any, render func(map[string]any) ([]object.Object, error)) ([]object.Object, error) {
	objs, err := render(values)
	if err != nil || !HasMarkers(values) {
		if err == nil {
			if ms := Misplaced(objs); len(ms) > 0 {
				return nil, &MisuseError{Misuses: ms}
			}
		}
		return objs, err
	}
	probe, err := render(Probe(values))
	if err != nil {
		return nil, fmt.Errorf("rendering with the secret markers respelt (a chart that branches on a secret value): %w", err)
	}
	ms := Misplaced(objs)
	ms = append(ms, derived(objs, probe)...)
	if len(ms) > 0 {
		sortMisuses(ms)
		return nil, &MisuseError{Misuses: dedupe(ms)}
	}
	return objs, nil
}

// Misplaced lists the strings of objs that hold a marker, or a piece of
// one, anywhere but in the values of a Secret's data (decoded) or
// stringData.
func Misplaced(objs []object.Object) []Misuse {
	var out []Misuse
	for _, o := range objs {
		if !anyMentions(o.Doc) {
			continue // most objects: no path to build, no key to sort
		}
		isSecret := o.GroupKind() == "Secret"
		doc := o.Doc
		if isSecret {
			// The values of data and stringData are where markers go;
			// their keys are not.
			doc = maps.Clone(o.Doc)
			for _, k := range []string{"data", "stringData"} {
				if m, ok := o.Doc[k].(map[string]any); ok {
					keys := make(map[string]any, len(m))
					for kk := range m {
						keys[kk] = ""
					}
					doc[k] = keys
				}
			}
		}
		scan(doc, "", func(path, s string) {
			if mentions(s) {
				out = append(out, Misuse{Source: o.Source, Object: o.ID(), Field: path, Why: whyDirect})
			}
		})
		if isSecret {
			data, _ := o.Doc["data"].(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(data)) {
				s, _ := data[k].(string)
				if _, err := base64.StdEncoding.DecodeString(s); err != nil && mentions(s) {
					out = append(out, Misuse{Source: o.Source, Object: o.ID(), Field: "data." + k,
						Why: "a secret marker that is not base64-encoded (a Secret's data takes base64: use b64enc, or stringData)"})
				}
			}
		}
	}
	sortMisuses(out)
	return out
}

// derived compares the two renderings, object by object in order, and
// reports every difference the respelt markers do not explain.
func derived(a, b []object.Object) []Misuse {
	var out []Misuse
	if len(a) != len(b) {
		src := ""
		if len(a) > 0 {
			src = a[0].Source
		}
		return []Misuse{{Source: src, Object: "(the chart's objects)", Field: "(documents)",
			Why: fmt.Sprintf("the chart renders %d object(s) with one spelling of the secret values and %d with another: it branches on a secret value", len(a), len(b))}}
	}
	var diffs []string
	var path fieldPath
	for i := range a {
		x, y := a[i], b[i]
		if x.GroupKind() == "Secret" && y.GroupKind() == "Secret" {
			x, y = decodedSecret(x), decodedSecret(y)
		}
		diffs = diffs[:0]
		compare(x.Doc, y.Doc, &path, &diffs)
		for _, d := range diffs {
			out = append(out, Misuse{Source: a[i].Source, Object: a[i].ID(), Field: d, Why: whyDerived})
		}
	}
	return out
}

// decodedSecret returns o with its data values base64-decoded (those that
// decode), so that markers in them compare as text.
func decodedSecret(o object.Object) object.Object {
	data, ok := o.Doc["data"].(map[string]any)
	if !ok {
		return o
	}
	doc := maps.Clone(o.Doc)
	dec := make(map[string]any, len(data))
	for k, v := range data {
		s, _ := v.(string)
		if b, err := base64.StdEncoding.DecodeString(s); err == nil {
			dec[k] = string(b)
		} else {
			dec[k] = v
		}
	}
	doc["data"] = dec
	o.Doc = doc
	return o
}

// fieldPath is the path compare is at, as keys and indexes: it is written
// out (join) only where the renderings differ, which is rare, so that
// comparing two equal objects allocates nothing.
type fieldPath []pathStep

// pathStep is a map key, or a list index when isIdx.
type pathStep struct {
	key   string
	index int
	isIdx bool
}

func (p fieldPath) String() string {
	s := ""
	for _, st := range p {
		if st.isIdx {
			s += "[" + strconv.Itoa(st.index) + "]"
		} else {
			s = join(s, st.key)
		}
	}
	return orRoot(s)
}

// compare appends the paths where a and b (b's markers respelt back)
// differ.
func compare(a, b any, path *fieldPath, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, path.String())
			return
		}
		bn := bv // the keys respelt back, when one holds a probe marker
		for k := range bv {
			if hasProbe(k) {
				bn = make(map[string]any, len(bv))
				for k, v := range bv {
					bn[fromProbe(k)] = v
				}
				break
			}
		}
		// The paths are sorted with the misuses (sortMisuses): the keys
		// are visited in any order.
		for k, av := range av {
			*path = append(*path, pathStep{key: k})
			if bv, ok := bn[k]; ok {
				compare(av, bv, path, out)
			} else {
				*out = append(*out, path.String())
			}
			*path = (*path)[:len(*path)-1]
		}
		for k := range bn {
			if _, ok := av[k]; !ok {
				*path = append(*path, pathStep{key: k})
				*out = append(*out, path.String())
				*path = (*path)[:len(*path)-1]
			}
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(bv) != len(av) {
			*out = append(*out, path.String())
			return
		}
		for i := range av {
			*path = append(*path, pathStep{index: i, isIdx: true})
			compare(av[i], bv[i], path, out)
			*path = (*path)[:len(*path)-1]
		}
	case string:
		bs, ok := b.(string)
		// fromProbe changes only a string holding a probe marker.
		if !ok || (hasProbe(bs) && fromProbe(bs) != av) || (!hasProbe(bs) && bs != av) {
			*out = append(*out, path.String())
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, path.String())
		}
	}
}

func orRoot(p string) string {
	if p == "" {
		return "(object)"
	}
	return p
}

// join appends key k to a field path, quoting keys that hold a dot.
func join(path, k string) string {
	if strings.ContainsAny(k, ".[]") {
		k = "[" + strconv.Quote(k) + "]"
		return path + k
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

// anyMentions says whether a string of v (map keys too) mentions a
// marker, without allocating.
func anyMentions(v any) bool {
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if mentions(k) || anyMentions(x) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if anyMentions(x) {
				return true
			}
		}
	case string:
		return mentions(v)
	}
	return false
}

// scan calls f with the path and value of every string of v (map keys
// too, at their own path).
func scan(v any, path string, f func(path, s string)) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			p := join(path, k)
			if mentions(k) {
				f(p, k)
			}
			scan(v[k], p, f)
		}
	case []any:
		for i, x := range v {
			scan(x, path+"["+strconv.Itoa(i)+"]", f)
		}
	case string:
		f(path, v)
	}
}

func sortMisuses(ms []Misuse) {
	slices.SortStableFunc(ms, func(a, b Misuse) int {
		return strings.Compare(a.Source+"\x00"+a.Object+"\x00"+a.Field, b.Source+"\x00"+b.Object+"\x00"+b.Field)
	})
}

func dedupe(ms []Misuse) []Misuse {
	var out []Misuse
	for i, m := range ms {
		if i > 0 && ms[i-1].Source == m.Source && ms[i-1].Object == m.Object && ms[i-1].Field == m.Field {
			continue
		}
		out = append(out, m)
	}
	return out
}
