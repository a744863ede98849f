package validate

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/object"
)

// checkSecrets: secret-data, credential-in-config.
func (s *site) checkSecrets() {
	for i := range s.items {
		it := &s.items[i]
		o := it.Object
		switch o.GroupKind() {
		case "Secret":
			for _, k := range []string{"data", "stringData"} {
				if m, _ := o.Doc[k].(map[string]any); len(m) > 0 {
					s.report(it, "secret-data", field.NewPath(k),
						fmt.Sprintf("the Secret carries %d value(s) (%s): they would be committed to Git", len(m), strings.Join(slices.Sorted(maps.Keys(m)), ", ")),
						"let the cluster provide the Secret (profile provided.secrets, or a secretRef) or create it at run time (annotation tpgen.dev/creates-secrets)")
				}
			}
		case "ConfigMap":
			data, _ := o.Doc["data"].(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(data)) {
				p := field.NewPath("data").Key(k)
				v := str(data[k])
				if isCredentialName(k) && !placeholder(v) {
					s.report(it, "credential-in-config", p, fmt.Sprintf("entry %q holds a literal value", k), credentialHint)
					continue
				}
				if why := credentialIn(v); why != "" {
					s.report(it, "credential-in-config", p, why, credentialHint)
				}
			}
		}
		pt, ok := podTemplateOf(o)
		if !ok {
			continue
		}
		for _, c := range pt.containers() {
			env, _ := c.c["env"].([]any)
			for j, e := range env {
				name, v := str(object.Dig(e, "name")), str(object.Dig(e, "value"))
				p := c.path.Child("env").Index(j).Child("value")
				switch {
				case isCredentialName(name) && !placeholder(v):
					s.report(it, "credential-in-config", p, fmt.Sprintf("env %s of container %q holds a literal value", name, c.name()), credentialHint)
				case credentialIn(v) != "":
					s.report(it, "credential-in-config", p, fmt.Sprintf("env %s of container %q: %s", name, c.name(), credentialIn(v)), credentialHint)
				}
			}
		}
	}
}

const credentialHint = "reference a Secret instead (env valueFrom.secretKeyRef, a secret volume); tpgen never takes secret values"

// credentialWords are words that make an entry name a credential;
// settingWords make it a setting about one (a path, a reference, a length).
var (
	credentialWords = []string{"password", "passwd", "pwd", "passphrase", "secret", "token", "apikey", "credential", "credentials", "privatekey", "accesskey", "secretkey"}
	credentialPairs = [][2]string{{"api", "key"}, {"access", "key"}, {"secret", "key"}, {"private", "key"}}
	settingWords    = []string{"file", "path", "ref", "name", "dir", "url", "uri", "endpoint", "enabled", "enable", "type", "length", "ttl", "expiry", "expiration", "header", "issuer", "mode", "policy", "id", "secretref", "secretname"}
)

// isCredentialName reports whether an entry or variable name says it holds
// a credential: SMTP_PASSWORD, apiKey, client-secret; not PASSWORD_FILE or
// tokenPath.
func isCredentialName(name string) bool {
	w := words(name)
	for _, x := range w {
		if slices.Contains(settingWords, x) {
			return false
		}
	}
	for i, x := range w {
		if slices.Contains(credentialWords, x) {
			return true
		}
		if i+1 < len(w) && slices.Contains(credentialPairs, [2]string{x, w[i+1]}) {
			return true
		}
	}
	return false
}

// words splits a name at non-alphanumerics and lower-to-upper case changes,
// lower-cased: "smtpAuth.PASSWORD_file" is smtp, auth, password, file.
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case !unicode.IsLetter(r) && !unicode.IsDigit(r):
			flush()
		case unicode.IsUpper(r) && i > 0 && unicode.IsLower(rs[i-1]):
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}

// placeholder reports values that are not credentials: empty, a variable
// reference (${X}, $(X)), a template placeholder or a file path.
func placeholder(v string) bool {
	v = strings.TrimSpace(v)
	switch {
	case v == "", v == "~", v == "null", v == `""`, v == "''":
		return true
	case strings.HasPrefix(v, "$"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "<"), strings.HasPrefix(v, "/"):
		return true
	}
	return false
}

var (
	privateKey   = regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)
	urlPassword  = regexp.MustCompile(`[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@`)
	assignment   = regexp.MustCompile(`^\s*"?([A-Za-z_][A-Za-z0-9_.\-]*)"?\s*[:=]\s*(.*?)\s*,?$`)
	quoteTrimmer = strings.NewReplacer(`"`, "", `'`, "")
)

// credentialIn says why a text (a value, a config file) holds a
// credential, or "": a private key, a URL with a password, or a line
// assigning a literal to a credential name (key: value, key=value).
func credentialIn(text string) string {
	if privateKey.MatchString(text) {
		return "holds a private key"
	}
	if m := urlPassword.FindStringSubmatch(text); m != nil && !placeholder(m[1]) {
		return "holds a URL with a password"
	}
	for n, line := range strings.Split(text, "\n") {
		m := assignment.FindStringSubmatch(line)
		if m == nil || !isCredentialName(m[1]) {
			continue
		}
		if v := quoteTrimmer.Replace(m[2]); !placeholder(v) && !strings.HasPrefix(v, "{") && !strings.HasPrefix(v, "[") {
			return fmt.Sprintf("line %d sets %s to a literal value", n+1, m[1])
		}
	}
	return ""
}
