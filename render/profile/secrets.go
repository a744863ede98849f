package profile

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/secret"
)

// inlineSecretMsg starts every refusal of a secret value. It is the
// schema's own message (the module's #inlineSecretMsg).
const inlineSecretMsg = "inline secret values are not allowed"

// secretValues refuses every secret value in a profile with the detector
// that validation and diff use (render/secret): a URL with userinfo, a
// credential-named field (a loadBalancer annotation, a storage parameter,
// a field the schema does not know), a private key. Messages never hold
// the value. Secret references ({secretRef: ...}) are not looked into.
func secretValues(schema, data cue.Value, file string) diag.List {
	var out diag.List
	var walk func(v cue.Value, path []string, sp secret.Path)
	walk = func(v cue.Value, path []string, sp secret.Path) {
		if d, ok := v.Default(); ok {
			v = d
		}
		switch v.IncompleteKind() {
		case cue.StructKind:
			it, err := v.Fields()
			if err != nil {
				return
			}
			for it.Next() {
				name := it.Selector().Unquoted()
				if name == "secretRef" {
					continue
				}
				walk(it.Value(), append(slices.Clip(path), name), sp.With(secret.Step{Key: name}))
			}
		case cue.ListKind:
			it, err := v.List()
			if err != nil {
				return
			}
			for i := 0; it.Next(); i++ {
				s := secret.Step{Item: true, Index: i}
				s.Name, _ = it.Value().LookupPath(cue.ParsePath("name")).String()
				walk(it.Value(), append(slices.Clip(path), strconv.Itoa(i)), sp.With(s))
			}
		case cue.StringKind:
			s, err := v.String()
			if err != nil {
				return
			}
			why := secret.Check(sp, s)
			if n := secretRefField(schema, path); why == "" || n == len(path) {
				return // a value for a reference: hideRefValues says what is wanted
			}
			d := diag.Diagnostic{Path: joinPath(path), Message: fmt.Sprintf("%s (%s)", inlineSecretMsg, why), Hint: secretHint(path)}
			d.File, d.Line, d.Column = file, 1, 1
			pos := valuePos(v)
			if strings.HasSuffix(why, "is named like a credential and holds a literal value") {
				pos = v.Pos() // the name is the problem: point at it
			}
			if p := pos; p.IsValid() {
				d.File, d.Line, d.Column = p.Filename(), p.Line(), p.Column()
			}
			out = append(out, d)
		}
	}
	walk(data, nil, nil)
	return out
}

// valuePos is where v is written (not its field's label), as CUE's own
// errors about a value say.
func valuePos(v cue.Value) token.Pos {
	if n := v.Source(); n != nil {
		if f, ok := n.(*ast.Field); ok {
			return f.Value.Pos()
		}
		if n.Pos().IsValid() {
			return n.Pos()
		}
	}
	return v.Pos()
}

// secretHint says where the credential goes instead.
func secretHint(path []string) string {
	switch strings.Join(path, ".") {
	case "gitops.repoURL":
		return "write the URL without credentials: Argo CD takes them from a repository Secret, Flux from the Secret named by gitops.credentials.secretRef"
	case "backup.s3Compat.url":
		return "write the URL without credentials: the access keys are in the Secret named by backup.s3Compat.credentials.secretRef"
	case "oidc.issuer":
		return "write the issuer URL without credentials: the client secret is oidc.clientSecret.secretRef"
	case "tls.acmeServer":
		return "write the ACME directory URL without credentials"
	case "gitops.destination.server":
		return "write the API server URL without credentials: Argo CD takes them from its cluster Secret"
	}
	if len(path) >= 2 && path[0] == "loadBalancer" && path[1] == "annotations" {
		return "annotations are committed to Git: the cloud controller reads its credentials from its own Secret; remove the annotation"
	}
	return "reference a Kubernetes Secret instead, {secretRef: {name: ..., key: ...}}: tpgen never takes secret values"
}

// secretRefField returns the length of the prefix of path that is a
// Secret reference field of the schema (smtp.credentials,
// installationId), or 0.
func secretRefField(schema cue.Value, path []string) int {
	for i := 1; i <= len(path); i++ {
		if path[i-1] == "secretRef" {
			return i - 1
		}
		// A struct: in a map of strings (loadBalancer.annotations,
		// storage.parameters) "secretRef" is just another key.
		if v := schema.LookupPath(schemaPath(append(slices.Clip(path[:i]), "secretRef"))); v.Exists() && v.IncompleteKind()&cue.StructKind != 0 {
			return i
		}
	}
	return 0
}

// hideRefValues rewrites the diagnostics about a Secret reference field
// so that none repeats the value found there (it may be the secret
// itself: smtp.credentials: hunter2); they say which shape is expected.
func hideRefValues(schema cue.Value, ds diag.List) diag.List {
	for i, d := range ds {
		path := splitPath(d.Path)
		n := secretRefField(schema, path)
		if n > 0 && !strings.HasPrefix(d.Message, inlineSecretMsg) {
			hid := false
			for j := n; j < len(path); j++ {
				if !plainLabel.MatchString(path[j]) {
					path[j], hid = "<a field not shown>", true // {SuperSecretPass1: x}: the label may be the secret
				}
			}
			if hid {
				ds[i].Path = joinPath(path)
			}
		}
		if n == 0 || !mayEcho(d.Message) || strings.HasPrefix(d.Message, inlineSecretMsg) {
			continue
		}
		shape := "{secretRef: {name: ...}}"
		if schema.LookupPath(schemaPath(append(slices.Clip(path[:n]), "secretRef", "key"))).Exists() {
			shape = "{secretRef: {name: ..., key: ...}}"
		}
		switch {
		case len(path) <= n+1:
			ds[i].Message = "a secret value is not accepted here: want " + shape
		default:
			ds[i].Message = "invalid value (not shown: a secret reference holds names only)"
		}
	}
	return ds
}

// plainLabel is a field name that cannot be a secret: a word or a
// camelCase name of letters (user, password, secretName), or a list
// index. Any other label under a Secret reference field is not printed.
var plainLabel = regexp.MustCompile(`^([A-Za-z][a-z]*([A-Z][a-z]*)*([-_][A-Za-z][a-z]*)*|[0-9]+)$`)

// mayEcho says a CUE message may hold the value it is about: CUE quotes
// strings in its messages, and prints other values after these words.
// The schema's own messages (error("...")) hold no user value.
func mayEcho(msg string) bool {
	if strings.Contains(msg, `"`) {
		return true
	}
	for _, p := range []string{"conflicting values", "invalid value", "mismatched types", "incomplete value", "non-concrete value", "errors in empty disjunction", "cannot use value", "invalid operand"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// splitPath is the inverse of joinPath: a.b[0].c is a, b, 0, c.
func splitPath(p string) []string {
	var out []string
	for _, part := range strings.Split(strings.ReplaceAll(p, "[", ".["), ".") {
		switch {
		case part == "":
		case strings.HasPrefix(part, "[") && strings.HasSuffix(part, "]"):
			out = append(out, part[1:len(part)-1])
		default:
			out = append(out, part)
		}
	}
	return out
}

// quotedValue is a value CUE quotes in a message; a pattern of the schema
// (=~"...") is quoted too, and is not a value.
var quotedValue = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// numberValue is a number CUE prints in a message about a value.
var numberValue = regexp.MustCompile(`\bvalues? -?[0-9][0-9.eE+-]*`)

// hideSecretLooking rewrites the messages that repeat a value the review
// diff would hide (a token, a random key, a PEM block, a value under a
// credential-named key) wherever it was written: namespace: ghp_... is
// refused by its pattern, and the pattern's message must not print it.
func hideSecretLooking(ds diag.List) diag.List {
	for i, d := range ds {
		if strings.HasPrefix(d.Message, inlineSecretMsg) {
			continue // ours: it names the field, never the value
		}
		var sp secret.Path
		for _, k := range splitPath(d.Path) {
			if n, err := strconv.Atoi(k); err == nil {
				sp = sp.With(secret.Step{Item: true, Index: n})
			} else {
				sp = sp.With(secret.Step{Key: k})
			}
		}
		msg, last := "", 0
		for _, m := range quotedValue.FindAllStringIndex(d.Message, -1) {
			v, err := strconv.Unquote(d.Message[m[0]:m[1]])
			if err != nil || strings.HasSuffix(d.Message[:m[0]], "~") || !secret.Hide(sp, v) {
				continue
			}
			msg += strings.TrimRight(d.Message[last:m[0]], " ") + " (not shown: it looks like a secret)"
			last = m[1]
		}
		if last > 0 {
			ds[i].Message = msg + d.Message[last:]
		}
		// An unquoted number (password: 86753091 where a string belongs).
		ds[i].Message = numberValue.ReplaceAllStringFunc(ds[i].Message, func(m string) string {
			word, num, _ := strings.Cut(m, " ")
			if !secret.Hide(sp, num) {
				return m
			}
			return word + " (not shown: it looks like a secret)"
		})
	}
	return ds
}

// under reports whether path p is q or below it.
func under(p, q string) bool {
	return p == q || strings.HasPrefix(p, q+".") || strings.HasPrefix(p, q+"[")
}
