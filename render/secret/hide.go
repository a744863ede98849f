package secret

import (
	"fmt"
	"regexp"
	"strings"
)

// Hide reports whether a reader must not see the value v (a string, a
// number) found at p: Check finds a credential in it, a key on its path
// mentions one (spec.auth.user, env[name=X_TOKEN].value) unless its own
// key names a reference (secretKeyRef.key, secretName), or it looks like
// secret material wherever it is (any PEM block, a JWT, a cloud access
// key id, a long random token). This is the review diff's rule: it hides
// too much rather than too little.
func Hide(p Path, v any) bool {
	switch v.(type) {
	case bool, nil, map[string]any, []any:
		return false
	}
	s := fmt.Sprint(v)
	if Check(p, s) != "" || looksSecret(s) {
		return true
	}
	if len(p) == 0 {
		return false
	}
	last := p[len(p)-1]
	if !last.Item && last.Key == "value" && len(p) >= 2 && p[len(p)-2].Item && mentionsCredential(p[len(p)-2].Name) {
		return true // env[name=DB_PASSWORD].value
	}
	if !last.Item && isReferenceKey(last.Key) {
		return false
	}
	for _, st := range p {
		if !st.Item && mentionsCredential(st.Key) {
			return true
		}
	}
	return false
}

var secretMaterial = []*regexp.Regexp{
	regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----`),                                    // any PEM block
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`),                     // JWT
	regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`),                                   // AWS access key id
	regexp.MustCompile(`\b(ghp|gho|ghu|ghs|ghr|glpat|xox[abpr])[-_][A-Za-z0-9_-]{16,}`), // GitHub, GitLab, Slack tokens
	regexp.MustCompile(`(?i)(passw(or)?d|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?|pass)["']?\s*[:=]\s*["']?[^\s"',]`),
	// prose: "the password is x", "token: x", "passphrase x"
	regexp.MustCompile(`(?i)\b(passw(or)?d|passwd|passphrase|pwd|secret|token|api[-_ ]?key|credentials?)s?\b[\s:=]+\S`),
}

// randomToken is a long string of base64 or hex characters: with upper
// case, lower case and digits it is a generated key or token. Digests
// (lower-case hex) and image references (':' '@') do not match.
var randomToken = regexp.MustCompile(`^[A-Za-z0-9+/_-]{32,}={0,2}$`)

func looksSecret(s string) bool {
	for _, re := range secretMaterial {
		if re.MatchString(s) {
			return true
		}
	}
	return randomToken.MatchString(s) && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
		strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(s, "0123456789")
}
