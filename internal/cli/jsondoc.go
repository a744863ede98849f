package cli

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/validate"
)

// apiVersion versions every JSON document tpgen prints (--format json);
// each verb has its kind, and a JSON Schema under docs/json/.
const apiVersion = "tpgen.dev/v1"

// The kinds of the JSON documents, one per verb.
const (
	kindRender   = "RenderResult"
	kindDiff     = "DiffResult"
	kindFlows    = "FlowsResult"
	kindGraph    = "GraphResult"
	kindValidate = "ValidateResult"
	kindVersion  = "Version"
	kindSecrets  = "SecretsResult"
	kindMigrate  = "MigrationReport"
)

// jsonKindAnnotation names a verb's JSON document kind; Run prints that
// document, with the errors, when the verb fails under --format json.
const jsonKindAnnotation = "tpgen/json-kind"

// jsonError is one error of a JSON document. Profile errors carry their
// position and field path; an error about one site names it.
type jsonError struct {
	Site    string `json:"site,omitempty"`
	File    string `json:"file,omitempty"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

// reportError is a failure with details that Run prints before its
// summary line: the profile problems or the validation findings (stderr,
// or the JSON document under --format json).
type reportError struct {
	problems diag.List
	findings []validate.Finding
	summary  error
}

func (e *reportError) Error() string { return e.summary.Error() }

// problemsExit ends a verb whose profiles have errors.
func problemsExit(dl diag.List, summary error) error {
	return &reportError{problems: dl, summary: summary}
}

// writeDoc prints payload (a struct encoding to a JSON object, or nil) as
// a versioned document: apiVersion, kind, errors and findings first, then
// the payload's fields in their order, indented.
func writeDoc(w io.Writer, kind string, payload any, errs []jsonError, fs []validate.Finding) error {
	if errs == nil {
		errs = []jsonError{}
	}
	if fs == nil {
		fs = []validate.Finding{}
	}
	var buf bytes.Buffer
	buf.WriteByte('{')
	field := func(k string, v any) error {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		if buf.Len() > 1 {
			buf.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		buf.Write(kb)
		buf.WriteByte(':')
		buf.Write(b)
		return nil
	}
	for _, kv := range []struct {
		k string
		v any
	}{{"apiVersion", apiVersion}, {"kind", kind}, {"errors", errs}, {"findings", fs}} {
		if err := field(kv.k, kv.v); err != nil {
			return err
		}
	}
	if payload != nil {
		b, err := json.Marshal(payload)
		if err != nil {
			return err
		}
		d := json.NewDecoder(bytes.NewReader(b))
		if t, err := d.Token(); err != nil || t != json.Delim('{') {
			return fmt.Errorf("encoding a %s document: the payload is not a JSON object", kind)
		}
		for d.More() {
			t, err := d.Token()
			if err != nil {
				return err
			}
			var v json.RawMessage
			if err := d.Decode(&v); err != nil {
				return err
			}
			if k := t.(string); k != "apiVersion" && k != "kind" && k != "errors" && k != "findings" {
				if err := field(k, v); err != nil {
					return err
				}
			}
		}
	}
	buf.WriteByte('}')
	var out bytes.Buffer
	if err := json.Indent(&out, buf.Bytes(), "", "  "); err != nil {
		return err
	}
	out.WriteByte('\n')
	_, err := w.Write(out.Bytes())
	return err
}

// jsonErrors lists err for a JSON document: each profile problem, each
// joined error, the hint of a message split off.
func jsonErrors(err error) []jsonError {
	var re *reportError
	if errors.As(err, &re) {
		if len(re.problems) == 0 {
			return []jsonError{}
		}
		err = re.problems
	}
	// Joined errors (one per site), even under a wrapping context such
	// as "nothing was written to DIR", are one entry each.
	var j interface{ Unwrap() []error }
	if errors.As(err, &j) {
		var out []jsonError
		for _, e := range j.Unwrap() {
			out = append(out, jsonErrors(e)...)
		}
		return out
	}
	var dl diag.List
	if errors.As(err, &dl) {
		out := make([]jsonError, 0, len(dl))
		for _, d := range diag.Sort(dl) {
			out = append(out, jsonError{File: d.File, Line: d.Line, Column: d.Column, Path: d.Path, Message: d.Message, Hint: d.Hint})
		}
		return out
	}
	var ee *exitError
	if errors.As(err, &ee) && ee.err != nil {
		err = ee.err
	}
	je := jsonError{}
	var se *render.SiteError
	if errors.As(err, &se) {
		je.Site, je.File = se.Site, se.File
		err = se.Err
	}
	msg, hint, _ := strings.Cut(err.Error(), "\nhint: ")
	je.Message, je.Hint = msg, strings.TrimSpace(hint)
	return []jsonError{je}
}

// jsonKind returns the kind of cmd's JSON document when it runs with
// --format json (or the deprecated --output json), else "".
func jsonKind(cmd *cobra.Command) string {
	if cmd == nil {
		return ""
	}
	kind := cmd.Annotations[jsonKindAnnotation]
	if kind == "" {
		return ""
	}
	if f := cmd.Flags().Lookup("format"); f != nil && f.Value.String() == "json" {
		return kind
	}
	return ""
}

// jsonAnnotation marks a verb whose --format json failures Run prints as
// a document of kind.
func jsonAnnotation(kind string) map[string]string {
	return map[string]string{jsonKindAnnotation: kind}
}

// allFormats are the values of every verb's --format (for the hint when
// -o is given one).
var allFormats = []string{"text", "json", "markdown", "csv", "mermaid", "dot", "cue", "jsonschema"}

// writeReport writes a stage's report in format; its json becomes the
// payload of a document of kind.
func writeReport(w io.Writer, format, kind string, write func(io.Writer, string) error) error {
	if format != "json" {
		return write(w, format)
	}
	var buf bytes.Buffer
	if err := write(&buf, format); err != nil {
		return err
	}
	return writeDoc(w, kind, json.RawMessage(buf.Bytes()), nil, nil)
}
