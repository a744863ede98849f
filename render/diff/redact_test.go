package diff

import (
	"bytes"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// planted are secret values hidden in objects below; none may appear in
// any format of any report.
var planted = []string{
	"hunter2-planted",
	"s3cr3t-stringdata",
	"c2VjcmV0LWRhdGE=",
	"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cGUifQ.c2lnbmF0dXJl",
	"AKIAIOSFODNN7EXAMPLE",
	"pa55word-in-url",
	"Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdI",
	"ini-file-password",
	"tok-from-args",
	"nested-cred-pass",
	"added-subtree-secret",
	"9999",
}

func secretObjects(t *testing.T, v string) []Object {
	// v differs between old and new so that every field is a change.
	return []Object{
		obj(t, "s", "t", `apiVersion: v1
kind: Secret
metadata: {name: creds, namespace: tpe, annotations: {note: "hunter2-planted`+v+`"}}
type: Opaque
data: {password: c2VjcmV0LWRhdGE=`+v+`}
stringData: {token: s3cr3t-stringdata`+v+`}
`),
		obj(t, "s", "t", `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: tpe}
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1`+v+`
        args: ["--password=tok-from-args`+v+`", "--verbose"]
        env:
        - {name: DB_PASSWORD, value: hunter2-planted`+v+`}
        - {name: API_TOKEN, value: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ0cGUifQ.c2lnbmF0dXJl`+v+`}
        - {name: AWS_ACCESS_KEY_ID, value: AKIAIOSFODNN7EXAMPLE}
        - {name: PLAIN, value: "https://user:pa55word-in-url`+v+`@db.example.net/x"}
        - {name: RANDOM, value: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFCQ0RFRkdI`+v+`}
        - {name: PIN_SECRET, value: "9999`+v+`"}
`),
		obj(t, "s", "t", `apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: tpe}
data:
  app.ini: |
    [db]
    host = db`+v+`
    password = ini-file-password`+v+`
  tls.key: |
    -----BEGIN PRIVATE KEY-----
    MIIEvQIBADANBgkqhkiG9w0BAQEFAASC`+v+`
    -----END PRIVATE KEY-----
  config.yaml: "credentials: {user: u, pass: nested-cred-pass`+v+`}"
`),
	}
}

func TestNoSecretLikeValueIsEverPrinted(t *testing.T) {
	old := secretObjects(t, "")
	now := secretObjects(t, "-v2")
	// An added subtree with a secret in it.
	now[2].Doc["data"].(map[string]any)["extra"] = "x"
	now[1].Doc["spec"].(map[string]any)["auth"] = map[string]any{"user": "svc", "password": "added-subtree-secret"}
	for _, r := range []*Report{
		Compare(old, now, Options{}),
		Compare(now, old, Options{}),
		Compare(nil, now, Options{}),
		Compare(old, nil, Options{}),
	} {
		for _, format := range []string{FormatText, FormatMarkdown, FormatJSON} {
			var b bytes.Buffer
			require.NoError(t, r.Write(&b, format, 0))
			for _, p := range planted {
				require.NotContains(t, b.String(), p, "format %s", format)
			}
		}
	}
	r := Compare(old, now, Options{})
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, FormatText, 0))
	out := b.String()
	// The redaction is visible, and what is not secret still shows.
	require.Contains(t, out, `env[name=DB_PASSWORD].value: <redacted> -> <redacted>`)
	require.Contains(t, out, `data.password: <redacted> -> <redacted>`)
	require.Contains(t, out, `containers[name=app].image: "app:1" -> "app:1-v2"`)
	require.Contains(t, out, `spec.auth.password: added <redacted>`)
	require.Contains(t, out, `args: ["<redacted>","--verbose"] -> ["<redacted>","--verbose"]`)
	require.Contains(t, out, `data["app.ini"]: <redacted> -> <redacted>`)
}

func TestRedactionKeepsReferences(t *testing.T) {
	k := Key{Kind: "Deployment", Group: "apps", Namespace: "tpe", Name: "x"}
	p := func(keys ...string) []seg {
		var out []seg
		for _, key := range keys {
			if n, ok := strings.CutPrefix(key, "name="); ok {
				out = append(out, seg{item: true, name: n})
				continue
			}
			out = append(out, seg{key: key})
		}
		return out
	}
	tests := []struct {
		path []seg
		want bool
	}{
		{p("spec", "containers", "name=lrc", "env", "name=DB_PASSWORD", "valueFrom", "secretKeyRef", "key"), false},
		{p("spec", "containers", "name=lrc", "env", "name=DB_PASSWORD", "valueFrom", "secretKeyRef", "name"), false},
		{p("spec", "tls", "secretName"), false},
		{p("spec", "containers", "name=lrc", "env", "name=DB_PASSWORD", "value"), true},
		{p("spec", "containers", "name=lrc", "env", "name=MODE", "value"), false},
		{p("spec", "credentials", "user"), true},
		{p("spec", "password"), true},
		{p("data", "tls.key"), true},
		{p("spec", "containers", "name=secret-generator", "image"), false},
		{p("spec", "replicas"), false},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, sensitivePath(k, tc.path), pathString(tc.path))
	}
	secret := Key{Kind: "Secret", Namespace: "tpe", Name: "x"}
	require.True(t, sensitivePath(secret, p("data", "anything")))
	require.True(t, sensitivePath(secret, p("metadata", "annotations", "x")))
	require.False(t, sensitivePath(secret, p("metadata", "labels", "x")))
	require.False(t, sensitivePath(secret, p("type")))

	for _, s := range []string{"sha256:3f2a9c0e7d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5", "repository.thingpark.com/lrc@sha256:abc", "thingpark-enterprise-1.4.1", "true"} {
		require.False(t, secretLike(s), s)
	}
}
