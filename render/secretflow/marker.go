package secretflow

import (
	"fmt"
	"regexp"
	"strings"
)

// Ref names one key of a Secret: what a marker stands for.
type Ref struct {
	Name string `json:"name"`
	Key  string `json:"key"`
}

func (r Ref) String() string { return r.Name + "/" + r.Key }

const (
	// word is in every spelling of a marker, in any case: a string that
	// holds it outside a Secret's data is a marker out of place.
	word = "tpgen-secret"
	// The canonical spelling ((tpgen-secret:NAME/KEY)) and the probe
	// spelling ~~TPGEN-SECRET:NAME/KEY~~: same length, different
	// everywhere but the reference. Both are plain YAML scalars, JSON
	// strings without escapes, and legal in a URL's userinfo.
	canonOpen, canonClose = "((tpgen-secret:", "))"
	probeOpen, probeClose = "~~TPGEN-SECRET:", "~~"
)

// Secret names are DNS-1123 subdomains, keys [-._a-zA-Z0-9]+: neither
// holds ')' or '~', so a marker's end is never ambiguous.
const refPattern = `([a-z0-9]([-a-z0-9.]*[a-z0-9])?)/([-._a-zA-Z0-9]+)`

var (
	canonRE = regexp.MustCompile(regexp.QuoteMeta(canonOpen) + refPattern + regexp.QuoteMeta(canonClose))
	probeRE = regexp.MustCompile(regexp.QuoteMeta(probeOpen) + refPattern + regexp.QuoteMeta(probeClose))
	nameRE  = regexp.MustCompile(`^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$`)
	keyRE   = regexp.MustCompile(`^[-._a-zA-Z0-9]+$`)
)

// Marker returns the marker of key key of Secret name.
func Marker(name, key string) (string, error) {
	if !nameRE.MatchString(name) || len(name) > 253 {
		return "", fmt.Errorf("secret marker: %q is not a Secret name (a DNS-1123 subdomain)", name)
	}
	if !keyRE.MatchString(key) {
		return "", fmt.Errorf("secret marker: %q is not a Secret key ([-._a-zA-Z0-9]+)", key)
	}
	return canonOpen + name + "/" + key + canonClose, nil
}

// Part is a piece of a string: a literal text or a marker's reference.
type Part struct {
	Text string
	Ref  *Ref
}

// Split cuts s into literal texts and markers, in order.
func Split(s string) []Part {
	var out []Part
	last := 0
	for _, m := range canonRE.FindAllStringSubmatchIndex(s, -1) {
		if m[0] > last {
			out = append(out, Part{Text: s[last:m[0]]})
		}
		out = append(out, Part{Ref: &Ref{Name: s[m[2]:m[3]], Key: s[m[6]:m[7]]}})
		last = m[1]
	}
	if last < len(s) {
		out = append(out, Part{Text: s[last:]})
	}
	return out
}

// Refs returns the references of the markers in s, in order.
func Refs(s string) []Ref {
	var out []Ref
	for _, p := range Split(s) {
		if p.Ref != nil {
			out = append(out, *p.Ref)
		}
	}
	return out
}

// mentions says whether s holds a marker, or a piece of one, in any
// spelling.
func mentions(s string) bool {
	// Every string of every rendered object passes here: no allocation.
	for i := 0; i+len(word) <= len(s); i++ {
		if c := s[i]; (c == 't' || c == 'T') && strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

// toProbe respells every canonical marker of s; fromProbe undoes it.
func toProbe(s string) string {
	return canonRE.ReplaceAllString(s, probeOpen+"$1/$3"+probeClose)
}

// hasProbe says whether fromProbe may change s.
func hasProbe(s string) bool { return strings.Contains(s, probeOpen) }

func fromProbe(s string) string {
	return probeRE.ReplaceAllString(s, canonOpen+"$1/$3"+canonClose)
}

// HasMarkers says whether any string of v (a values tree) holds a marker.
func HasMarkers(v any) bool {
	found := false
	walkStrings(v, func(s string) string {
		if mentions(s) {
			found = true
		}
		return s
	})
	return found
}

// Probe returns a copy of values with every marker in the probe spelling.
func Probe(values map[string]any) map[string]any {
	out, _ := walkStrings(values, toProbe).(map[string]any)
	return out
}

// walkStrings returns a copy of v with f applied to every string (map
// keys included).
func walkStrings(v any, f func(string) string) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[f(k)] = walkStrings(x, f)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = walkStrings(x, f)
		}
		return out
	case string:
		return f(v)
	default:
		return v
	}
}
