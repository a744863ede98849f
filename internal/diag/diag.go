// Package diag is the one shape of a user-facing finding in tpgen: a message
// about a field or object, where it is (file:line:col, relative to the working
// directory), and an optional hint that says what to do. Every stage reports
// problems with it so that the CLI prints them one way, sorted and stable.
package diag

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Diagnostic is one problem found in the user's input.
type Diagnostic struct {
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"` // field path, e.g. backup.amazon.region
	Message string `json:"message"`        // what is wrong, without the path
	Hint    string `json:"hint,omitempty"` // what to do, when known
}

// Pos renders the position as ./file:line:col, or "" when unknown.
func (d Diagnostic) Pos() string {
	if d.File == "" {
		return ""
	}
	f := d.File
	if !strings.HasPrefix(f, "/") && !strings.HasPrefix(f, ".") {
		f = "./" + f
	}
	if d.Line == 0 {
		return f
	}
	return fmt.Sprintf("%s:%d:%d", f, d.Line, d.Column)
}

// String is the multi-line form: "path: message", then the indented
// position, then "hint: ...".
func (d Diagnostic) String() string {
	var b strings.Builder
	if d.Path != "" {
		b.WriteString(d.Path)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	if p := d.Pos(); p != "" {
		b.WriteString("\n    ")
		b.WriteString(p)
	}
	if d.Hint != "" {
		b.WriteString("\n    hint: ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// List is a set of diagnostics; as an error it prints them all, sorted.
type List []Diagnostic

func (l List) Error() string {
	s := slices.Clone(l)
	Sort(s)
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = d.String()
	}
	return strings.Join(parts, "\n")
}

// Sort orders diagnostics by file, line, column, path and message, and drops
// exact duplicates.
func Sort(l List) List {
	slices.SortFunc(l, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Message, b.Message),
			cmp.Compare(a.Hint, b.Hint),
		)
	})
	return slices.Compact(l)
}
