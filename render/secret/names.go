package secret

import (
	"slices"
	"strings"
	"unicode"
)

var (
	// credentialWords make a name a credential when one of its words is
	// one of them (plural or not).
	credentialWords = []string{
		"password", "passwd", "pwd", "pw", "pass", "passphrase", "passcode", "htpasswd",
		"secret", "token", "apikey", "credential", "credentials", "creds",
		"privatekey", "accesskey", "secretkey", "clientsecret", "auth", "authorization", "bearer",
	}
	// fusedWords make a name a credential when a word contains one of
	// them: DBPASSWORD, mysqlpassword, adminApiKey written as one word.
	fusedWords = []string{
		"password", "passwd", "passphrase", "credential", "apikey", "privatekey", "secretkey",
		"accesskey", "clientsecret", "authtoken", "accesstoken", "refreshtoken", "bearertoken", "apitoken",
	}
	// credentialPairs are two consecutive words that make a credential.
	credentialPairs = [][2]string{
		{"api", "key"}, {"access", "key"}, {"secret", "key"}, {"private", "key"}, {"client", "key"},
		{"ssh", "key"}, {"signing", "key"}, {"encryption", "key"}, {"master", "key"}, {"account", "key"},
		{"shared", "key"}, {"session", "key"}, {"storage", "key"}, {"license", "key"}, {"licence", "key"},
		{"hmac", "key"}, {"aes", "key"}, {"jwt", "key"}, {"crypto", "key"}, {"sas", "token"}, {"connection", "string"},
	}
	// settingWords make a name a reference to a credential or a setting
	// about one, never the credential itself: PASSWORD_FILE, secretName,
	// secretRef, existingSecret, valueFrom, tokenTTL, authType.
	settingWords = []string{
		"file", "files", "path", "dir", "ref", "refs", "name", "names", "existing", "from", "url", "uri",
		"endpoint", "enabled", "enable", "disabled", "disable", "required", "type", "types", "kind", "mode",
		"method", "methods", "policy", "provider", "length", "ttl", "expiry", "expiration", "expires",
		"lifetime", "duration", "timeout", "interval", "rotation", "header", "issuer", "audience", "scope",
		"scopes", "id", "secretref", "secretname", "secretkeyref", "keyref", "store", "manager", "mount",
		"volume", "generator", "format", "algorithm", "min", "max", "count", "size", "limit", "retries",
		"strategy", "version", "usage", "field", "template", "reset", "hint", "prompt", "label",
		// checksum/secret: a chart's digest of a Secret's template, which
		// rolls the pods when it changes (harbor, minio, keycloakx).
		"checksum",
	}
	// authSettingWords make "auth" in a name a setting of an
	// authentication (ingress-nginx's auth-realm, auth-signin,
	// auth-response-headers, auth-tls-verify-depth, auth-cache-key,
	// auth-snippet), not a credential; another credential word still
	// counts (auth-cache-password).
	authSettingWords = []string{
		"realm", "signin", "signout", "headers", "request", "response", "redirect", "snippet",
		"cache", "keepalive", "verify", "depth", "page", "upstream", "tls",
		"warning", // redis-cli --no-auth-warning
	}
	// keyOfWords, before a final "key" (or "secret key"), make the name
	// say which key of a Secret holds the credential: passwordKey,
	// passwordSecretKey, tokenSecretKey.
	keyOfWords = []string{"password", "passwd", "pwd", "pass", "token", "credential", "credentials", "auth", "user", "username"}
)

// IsCredentialName reports whether a key, variable or flag name says it
// holds a credential: SMTP_PASSWORD, DB_PASS, MYSQL_PW, apiKey,
// client-secret, client-key-data, AWS_SECRET_ACCESS_KEY; not a reference
// or a setting: secretName, existingSecret, passwordSecretKey,
// DB_PASSWORD_FILE, tokenTTL.
func IsCredentialName(name string) bool {
	w := Words(name)
	if len(w) == 0 {
		return false
	}
	for i, x := range w {
		if slices.Contains(settingWords, x) && (x != "id" || i == len(w)-1) {
			return false // "id" only last: AWS_ACCESS_KEY_ID, not id-token
		}
	}
	if last := w[len(w)-1]; last == "user" || last == "username" {
		return false // REGISTRY_CREDENTIAL_USERNAME: who uses the credential
	}
	if n := len(w); w[n-1] == "key" && n >= 2 {
		prev := w[n-2]
		if prev == "secret" && n >= 3 {
			prev = w[n-3]
		}
		if slices.Contains(keyOfWords, prev) {
			return false // passwordKey, passwordSecretKey: which key of a Secret
		}
	}
	authSetting := slices.ContainsFunc(w, func(x string) bool { return slices.Contains(authSettingWords, x) })
	for i, x := range w {
		if x == "auth" && authSetting {
			continue
		}
		if slices.Contains(credentialWords, x) || slices.Contains(credentialWords, strings.TrimSuffix(x, "s")) {
			return true
		}
		if i+1 < len(w) && slices.Contains(credentialPairs, [2]string{x, w[i+1]}) {
			return true
		}
		for _, f := range fusedWords {
			if strings.Contains(x, f) && !hasSettingSuffix(x) {
				return true
			}
		}
	}
	return false
}

func hasSettingSuffix(word string) bool {
	for _, s := range settingWords {
		if len(s) > 2 && strings.HasSuffix(word, s) {
			return true
		}
	}
	return false
}

// mentionsCredential is the diff's broader rule for keys: any word, or
// part of a word, that has to do with a credential, references aside.
func mentionsCredential(name string) bool {
	if IsCredentialName(name) {
		return true
	}
	l := strings.ToLower(name)
	for _, s := range []string{"passw", "passphrase", "secret", "token", "credential", "privatekey", "private-key", "private_key",
		"apikey", "api-key", "api_key", "accesskey", "access-key", "access_key", "auth", "bearer", "cookie", "session", "salt",
		"signature", "htpasswd", "keystore", "truststore", "connectionstring", "connection-string", "connection_string"} {
		if strings.Contains(l, s) {
			return true
		}
	}
	for _, s := range []string{".pem", ".p12", ".pfx", ".jks", ".key", "dsn", "-key", "_key", ".pw", "_pw", "-pw", "_pass", "-pass", ".pass", "_pwd", "-pwd"} {
		if strings.HasSuffix(l, s) {
			return true
		}
	}
	return w0(l) == "pwd" || w0(l) == "pass" || w0(l) == "pw" || strings.HasPrefix(l, "key.") || strings.HasPrefix(l, "key-") || strings.HasPrefix(l, "key_")
}

func w0(l string) string {
	if w := Words(l); len(w) > 0 {
		return w[0]
	}
	return ""
}

// referenceKeys are keys whose value names a reference to a secret, not
// its value, wherever they are: secretKeyRef.key, secretRef.name,
// tls[].secretName.
func isReferenceKey(key string) bool {
	switch key {
	case "name", "key", "namespace", "kind", "apiVersion", "optional", "path", "mountPath", "subPath", "mode", "defaultMode", "items":
		return true
	}
	return strings.HasSuffix(key, "Name") || strings.HasSuffix(key, "Ref") || strings.HasSuffix(key, "Refs")
}

// Words splits a name at non-alphanumerics and lower-to-upper case
// changes, lower-cased: "smtpAuth.PASSWORD_file" is smtp, auth, password,
// file; "DBPassword" is dbpassword.
func Words(name string) []string {
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
		case unicode.IsUpper(r) && i > 0 && (unicode.IsLower(rs[i-1]) || unicode.IsDigit(rs[i-1])):
			flush()
			cur = append(cur, r)
		case unicode.IsUpper(r) && i > 0 && unicode.IsUpper(rs[i-1]) && i+1 < len(rs) && unicode.IsLower(rs[i+1]) && len(cur) > 1:
			// APIKey: api, key (the last capital opens the next word)
			flush()
			cur = append(cur, r)
		default:
			cur = append(cur, r)
		}
	}
	flush()
	return out
}
