package secret

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/memo"
)

// Step is one step of the path from a document's root to a value: a map
// key, or a list item (with its name field, when it has one).
type Step struct {
	Key   string
	Item  bool
	Index int
	// Name is a list item's name field (env[name=DB_PASS]), "" if none.
	Name string
}

// Path is where a value sits in a document.
type Path []Step

// mapKeys are fields whose keys are data, printed in brackets as
// Kubernetes field paths print them: data[app.properties].
var mapKeys = []string{"data", "binaryData", "stringData", "annotations", "labels"}

var identifier = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// String prints p as a Kubernetes field path: spec.containers[0].env[1].value,
// data[app.properties].
func (p Path) String() string {
	var b strings.Builder
	for i, s := range p {
		switch {
		case s.Item:
			fmt.Fprintf(&b, "[%d]", s.Index)
		case !identifier.MatchString(s.Key) || (i > 0 && !p[i-1].Item && slices.Contains(mapKeys, p[i-1].Key)):
			fmt.Fprintf(&b, "[%s]", s.Key)
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		}
	}
	return b.String()
}

func (p Path) With(s Step) Path { return append(slices.Clip(p), s) }

// Finding is one credential in a document.
type Finding struct {
	Path Path
	// Reason says what was found; it never holds the value.
	Reason string
}

// maxText bounds the strings whose embedded documents are parsed, and
// maxDepth the nesting of embedded documents (base64 of JSON of YAML).
const (
	maxText  = 4 << 20
	maxDepth = 4
)

// Scan returns every credential in doc (a decoded JSON or YAML document:
// maps, lists, strings, numbers), in document order, keys sorted.
func Scan(doc any) []Finding {
	k, ok := memo.Digest(doc)
	if ok {
		if f, hit := scans.Get(k); hit {
			return cloneFindings(f)
		}
	}
	var out []Finding
	scan(doc, nil, 0, false, &out)
	if ok {
		scans.Put(k, cloneFindings(out), int64(len(out))*128)
	}
	return out
}

// scan walks v at p. inRef says v is inside a reference to a Secret
// ({secretName, key}, privateKeySecretRef): its strings name keys.
func scan(v any, p Path, depth int, inRef bool, out *[]Finding) {
	switch v := v.(type) {
	case map[string]any:
		ref := inRef || isRefMap(v)
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			scan(v[k], p.With(Step{Key: k}), depth, ref || isRefName(k) || k == sealedData, out)
		}
	case []any:
		for i, x := range v {
			s := Step{Item: true, Index: i}
			if m, ok := x.(map[string]any); ok {
				s.Name, _ = m["name"].(string)
			}
			scan(x, p.With(s), depth, inRef, out)
		}
		for _, i := range Arguments(v) {
			*out = append(*out, Finding{Path: p.With(Step{Item: true, Index: i}), Reason: fmt.Sprintf("the argument after %s is a literal value", v[i-1])})
		}
	case string:
		if why := check(p, v, depth, inRef); why != "" {
			*out = append(*out, Finding{Path: p, Reason: why})
		}
	case float64, int, int64, json.Number:
		// password: 12345678 in a custom resource: a number is a literal
		// too (4 digits and more: a PIN; fewer is a count or a switch).
		if name := nameOf(p); !inRef && name != "" && IsCredentialName(name) && len(strings.Trim(fmt.Sprint(v), "-.")) >= 4 {
			*out = append(*out, Finding{Path: p, Reason: fmt.Sprintf("%s is named like a credential and holds a literal value", strconv.Quote(name))})
		}
	}
}

// Arguments returns the indexes of the items of an argument list that
// are the value of a credential flag: "--password", "hunter2".
func Arguments(items []any) []int {
	var out []int
	for i := 1; i < len(items); i++ {
		f, ok := items[i-1].(string)
		n, ok2 := items[i].(string)
		if ok && ok2 && strings.HasPrefix(f, "-") && !strings.Contains(f, "=") && IsCredentialName(strings.TrimLeft(f, "-")) &&
			!placeholder(n) && !strings.HasPrefix(n, "-") {
			out = append(out, i)
		}
	}
	return out
}

// isRefMap says m is a reference to a Secret: {secretName: x, password: key}
// (Strimzi), {secretRef: ...}.
func isRefMap(m map[string]any) bool {
	_, a := m["secretName"]
	_, b := m["secretRef"]
	return a || b || isExternalItem(m)
}

// isExternalItem says m is an External Secrets data item, and only that:
// secretKey names the key of the Secret the operator writes, remoteRef the
// key in the store.
func isExternalItem(m map[string]any) bool {
	if _, ok := m["remoteRef"]; !ok {
		return false
	}
	for k := range m {
		if k != "secretKey" && k != "remoteRef" && k != "sourceRef" {
			return false
		}
	}
	return true
}

// sealedData holds a SealedSecret's values, encrypted with the
// controller's public key: ciphertext meant to be committed, under the
// names of the keys it decrypts to.
const sealedData = "encryptedData"

// isRefName says the value of key k is a reference: privateKeySecretRef,
// secretKeyRef, valueFrom.
func isRefName(k string) bool {
	w := Words(k)
	if len(w) == 0 {
		return false
	}
	last := w[len(w)-1]
	return last == "ref" || last == "refs" || k == "valueFrom" || k == "envFrom" || (last == "secret" && len(w) > 1 && slices.Contains(keyOfWords, w[0]))
}

// Check says why the string v, found at p, is a credential, or "".
func Check(p Path, v string) string { return check(p, v, 0, false) }

func check(p Path, v string, depth int, inRef bool) string {
	name := nameOf(p)
	if !inRef && name != "" && IsCredentialName(name) && !placeholder(v) && !boolish(v) && !secretNameRef(p, name, v) && !namedDocument(name, v) {
		return fmt.Sprintf("%s is named like a credential and holds a literal value", strconv.Quote(name))
	}
	if depth > maxDepth || len(v) > maxText {
		return ""
	}
	if len(p) > 0 && !p[len(p)-1].Item && p[len(p)-1].Key == "description" {
		// Prose of a schema, not a document: "password: the user's password".
		if privateKeyPEM.MatchString(v) {
			return "holds a private key"
		}
		return ""
	}
	if why := inText(v); why != "" {
		return why
	}
	return embedded(p, v, depth)
}

// secretNameRef says a field or annotation named like *-secret(s) holds
// names of Secrets ([namespace/]name[,...]), as tlsSecret,
// ingress-nginx's auth-secret and tpgen.dev/creates-secrets do: a name
// with parts, not a lone word, and not a client-secret.
func secretNameRef(p Path, name, v string) bool {
	w := Words(name)
	if len(w) < 2 && (len(p) < 2 || p[len(p)-2].Key != "annotations") {
		return false // "secret: x" is the secret; "tlsSecret: x" names one
	}
	if last := w[len(w)-1]; last != "secret" && last != "secrets" {
		return false
	}
	if len(w) >= 2 && slices.Contains([]string{"client", "shared", "api", "app", "webhook", "jwt", "signing", "hmac", "oauth", "cookie", "session"}, w[len(w)-2]) {
		return false // client-secret: the secret itself
	}
	if !strings.ContainsAny(v, "-./,") {
		return false // a Kubernetes name has parts; a lone word may be the secret
	}
	for _, n := range strings.Split(v, ",") {
		if !secretName.MatchString(strings.TrimSpace(n)) {
			return false
		}
	}
	return true
}

// namedDocument says v is a configuration file named by its key
// (auth.properties, credentials.json): the file's name says nothing of
// its values, which are scanned as a document. A one-line file
// (password.txt: hunter2) is the credential itself.
func namedDocument(name, v string) bool {
	t := strings.TrimSpace(v)
	return configFile.MatchString(name) && (strings.Contains(t, "\n") || strings.HasPrefix(t, "{") || strings.HasPrefix(t, "["))
}

var configFile = regexp.MustCompile(`(?i)\.(properties|conf|cfg|cnf|ini|ya?ml|json|toml|xml|env|sh|txt|hcl|tf|lua|js|py|rb)$`)

var secretName = regexp.MustCompile(`^([a-z0-9]([-a-z0-9]*[a-z0-9])?/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)

// nameOf is the name that says what the value at p is: its key, or the
// name of the {name, value} entry it is the value of.
func nameOf(p Path) string {
	if len(p) == 0 {
		return ""
	}
	last := p[len(p)-1]
	if last.Item {
		return ""
	}
	if last.Key == "value" && len(p) >= 2 && p[len(p)-2].Item && p[len(p)-2].Name != "" {
		return p[len(p)-2].Name // env[name=DB_PASS].value
	}
	if isReferenceKey(last.Key) {
		return ""
	}
	return last.Key
}

var (
	privateKeyPEM = regexp.MustCompile(`-----BEGIN ([A-Z0-9]+ )*PRIVATE KEY( BLOCK)?-----`)
	// userinfo is scheme://userinfo@ in a text; the userinfo has no '/'.
	userinfo  = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.-]*)://([^\s/?#@"'<>\\]*)@`)
	authValue = regexp.MustCompile(`(?i)(?:^|authorization\s*[:=]\s*["']?|\s)(?:bearer|basic|token)\s+([A-Za-z0-9._~+/][A-Za-z0-9._~+/=-]{7,})`)
	// bareUserinfo is user:password@host without a scheme (a proxy, a
	// Redis or broker address); the host is a name, not a digest
	// (image:tag@sha256:...).
	bareUserinfo = regexp.MustCompile(`(?:^|[\s"'=,;(])([A-Za-z0-9._%~+-]*):([^\s@/:"']+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)(:[0-9A-Fa-f]*)?`)
	// flagValue is a credential flag and its value inside a command line:
	// --db-password hunter2, --api-token 'x'.
	flagValue = regexp.MustCompile(`(?:^|\s)--?([A-Za-z][A-Za-z0-9_.-]*)(?:=|\s+)("[^"]*"|'[^']*'|[^\s"'-][^\s]*)`)
	// serviceToken is an API token of a well-known service, by its
	// documented prefix: GitHub, GitLab, Slack, Stripe, Google, npm.
	serviceToken = regexp.MustCompile(`\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{40,}|glpat-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|[sr]k_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36})\b`)
	jwt          = regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*`)
	// assignment is key=value or key: value inside a text (a line of a
	// .properties, INI or env file, a query string, a flag, inline YAML).
	assignment = regexp.MustCompile(`(?:^|[\s;,&?{(:/-])(?:export\s+)?["']?([A-Za-z_][A-Za-z0-9_.\-]*)["']?\s*[:=]\s*("[^"]*"|'[^']*'|[^\s;,&"'}{\[][^\s;,&"'}]*)`)
	xmlElement = regexp.MustCompile(`<([A-Za-z_][A-Za-z0-9_.\-]*)>([^<]+)</([A-Za-z_][A-Za-z0-9_.\-]*)>`)
)

// inText finds a credential anywhere in a text, without parsing it.
func inText(v string) string {
	if privateKeyPEM.MatchString(v) {
		return "holds a private key"
	}
	for _, m := range userinfo.FindAllStringSubmatch(v, -1) {
		if credentialUserinfo(m[1], m[2]) {
			return fmt.Sprintf("holds a URL with credentials in its userinfo (%s://<userinfo>@)", strings.ToLower(m[1]))
		}
	}
	for _, m := range bareUserinfo.FindAllStringSubmatch(v, -1) {
		if !placeholder(m[2]) && !digest.MatchString(m[3]+m[4]) && !slices.Contains(opaqueSchemes, strings.ToLower(m[1])) {
			return "holds credentials in a user:password@host address"
		}
	}
	for _, m := range authValue.FindAllStringSubmatch(v, -1) {
		if tokenLike(m[1]) {
			return "holds an authorization header value (bearer, basic or token credentials)"
		}
	}
	if serviceToken.MatchString(v) {
		return "holds an API token of a known service (by its prefix)"
	}
	if jwt.MatchString(v) {
		return "holds a JSON Web Token"
	}
	for i, line := range strings.Split(v, "\n") {
		for _, m := range assignment.FindAllStringSubmatch(line, -1) {
			val := strings.Trim(m[2], `"'`)
			if IsCredentialName(m[1]) && !placeholder(val) && !boolish(val) && !strings.HasPrefix(val, "{") && !strings.HasPrefix(val, "[") {
				return fmt.Sprintf("line %d sets %s to a literal value", i+1, m[1])
			}
		}
		for _, m := range flagValue.FindAllStringSubmatch(line, -1) {
			val := strings.Trim(m[2], `"'`)
			if IsCredentialName(m[1]) && !placeholder(val) && !boolish(val) {
				return fmt.Sprintf("line %d passes a literal value to --%s", i+1, m[1])
			}
		}
		for _, m := range xmlElement.FindAllStringSubmatch(line, -1) {
			if m[1] == m[3] && IsCredentialName(m[1]) && !placeholder(m[2]) && !boolish(m[2]) {
				return fmt.Sprintf("line %d sets <%s> to a literal value", i+1, m[1])
			}
		}
	}
	return ""
}

// opaqueSchemes are URI schemes whose "user@host" has no password:
// mailto:ops@example.net.
var opaqueSchemes = []string{"mailto", "sip", "sips", "xmpp", "tel", "im", "pres", "acct"}

// digest is the algorithm:hex after an image reference's '@'.
var digest = regexp.MustCompile(`^(?i)sha[0-9]+:[0-9a-f]*$`)

// tokenLike says the word after Bearer, Basic or Token is a credential,
// not prose ("basic authentication", "token expires"): it has a digit,
// or both cases and some length.
func tokenLike(w string) bool {
	return strings.ContainsAny(w, "0123456789") ||
		(len(w) >= 16 && strings.ToLower(w) != w && strings.ToUpper(w) != w)
}

// credentialUserinfo says whether the userinfo of a URL holds a
// credential: a password (user:password), or any userinfo where only a
// token can be (http, ws, ftp: git's https://<token>@host).
func credentialUserinfo(scheme, ui string) bool {
	if ui == "" {
		return false
	}
	if _, pw, ok := strings.Cut(ui, ":"); ok {
		return !placeholder(pw)
	}
	if placeholder(ui) {
		return false
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "ws", "wss", "ftp", "ftps", "git+https", "git+http":
		return true
	}
	return false
}

// embedded parses v as a document (JSON, YAML, base64) and scans it.
func embedded(p Path, v string, depth int) string {
	t := strings.TrimSpace(v)
	if t == "" {
		return ""
	}
	if (t[0] == '{' || t[0] == '[') || strings.Contains(t, "\n") {
		var doc any
		if json.Unmarshal([]byte(t), &doc) == nil || (strings.Contains(t, "\n") && yaml.Unmarshal([]byte(t), &doc) == nil) {
			switch doc.(type) {
			case map[string]any, []any:
				var fs []Finding
				scan(doc, nil, depth+1, false, &fs)
				if len(fs) > 0 {
					return fmt.Sprintf("embedded document, field %s: %s", fs[0].Path, fs[0].Reason)
				}
			}
		}
	}
	if b, ok := decodeBase64(t, isBinaryData(p)); ok {
		if isPrivateKeyDER(b) {
			return "holds a private key (base64 DER)"
		}
		if utf8.Valid(b) && !bytes.ContainsRune(b, 0) {
			if why := check(nil, string(b), depth+1, false); why != "" {
				return "base64 data: " + why
			}
		}
	}
	return ""
}

func isBinaryData(p Path) bool {
	return len(p) >= 2 && !p[len(p)-2].Item && p[len(p)-2].Key == "binaryData"
}

var base64Chars = regexp.MustCompile(`^[A-Za-z0-9+/\-_\s]+=*\s*$`)

// decodeBase64 decodes a base64 value: always in binaryData, elsewhere
// only a long one (short words are valid base64 too).
func decodeBase64(t string, always bool) ([]byte, bool) {
	if (!always && len(t) < 24) || !base64Chars.MatchString(t) {
		return nil, false
	}
	s := strings.Join(strings.Fields(t), "")
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			return b, true
		}
	}
	return nil, false
}

func isPrivateKeyDER(b []byte) bool {
	if blk, _ := pem.Decode(b); blk != nil {
		b = blk.Bytes
	}
	if _, err := x509.ParsePKCS8PrivateKey(b); err == nil {
		return true
	}
	if _, err := x509.ParsePKCS1PrivateKey(b); err == nil {
		return true
	}
	_, err := x509.ParseECPrivateKey(b)
	return err == nil
}

// placeholder reports values that are not credentials: empty, a variable
// reference (${X}, $(X), %(x)s), a template placeholder (or the word
// placeholder), a file path or a masked value.
func placeholder(v string) bool {
	v = strings.TrimSpace(v)
	switch {
	case v == "", v == "~", v == "null", v == `""`, v == "''", strings.Trim(v, "*xX.") == "":
		return true
	case strings.EqualFold(strings.Trim(v, `"'`), "placeholder"):
		return true // harbor's registry config.yml: "# secret: placeholder"
	case strings.HasPrefix(v, "$"), strings.HasPrefix(v, "{{"), strings.HasPrefix(v, "%("), strings.HasPrefix(v, "<"),
		strings.HasPrefix(v, "/"), strings.HasPrefix(v, "file:"), strings.HasPrefix(v, "vault:"), strings.HasPrefix(v, "ref+"):
		return true
	}
	return false
}

// boolish values are switches, not credentials (SMTP_AUTH: "true").
func boolish(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true", "false", "yes", "no", "on", "off", "enabled", "disabled", "none":
		return true
	}
	return false
}
