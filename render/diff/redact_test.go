package diff

import (
	"bytes"
	"encoding/base64"
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
		require.Equal(t, tc.want, hide(k, tc.path, "plain"), pathString(tc.path))
	}
	sk := Key{Kind: "Secret", Namespace: "tpe", Name: "x"}
	require.True(t, hide(sk, p("data", "anything"), "plain"))
	require.True(t, hide(sk, p("metadata", "annotations", "x"), "plain"))
	require.False(t, hide(sk, p("metadata", "labels", "x"), "plain"))
	require.False(t, hide(sk, p("type"), "Opaque"))

	for _, s := range []string{"sha256:3f2a9c0e7d2b1a4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5", "repository.thingpark.com/lrc@sha256:abc", "thingpark-enterprise-1.4.1", "true"} {
		require.False(t, hide(k, p("spec", "x"), s), s)
	}
}

// Issue 10: what the validation stage calls a credential (render/secret)
// is never printed by diff, in any format: short env names (DB_PASS,
// MYSQL_PW), an env file, a kubeconfig, JSON and base64 documents.
func TestDetectorFindingsAreRedacted(t *testing.T) {
	objs := func(v string) []Object {
		return []Object{
			obj(t, "s", "t", `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: tpe}
spec:
  template:
    spec:
      containers:
      - name: app
        image: app:1`+v+`
        args: ["--db-pass", "hunter2`+v+`"]
        env:
        - {name: DB_PASS, value: hunter2`+v+`}
        - {name: MYSQL_PW, value: mysqlpw-hunter2`+v+`}
`),
			obj(t, "s", "t", `apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: tpe, annotations: {example.com/db: "user=tpe;pwd=annot-hunter2`+v+`"}}
data:
  app.env: |
    MODE=prod`+v+`
    DB_PASS=hunter2`+v+`
  kubeconfig: |
    users:
    - name: admin
      user: {client-key-data: kubekey-hunter2`+v+`}
  settings.json: '{"db": {"host": "db`+v+`", "pass": "json-hunter2`+v+`"}}'
binaryData:
  app.properties: `+base64.StdEncoding.EncodeToString([]byte("db.user=tpe\ndb.password=b64-hunter2"+v+"\n"))+`
`),
		}
	}
	old, now := objs(""), objs("-v2")
	for _, r := range []*Report{Compare(old, now, Options{}), Compare(nil, now, Options{}), Compare(old, nil, Options{})} {
		for _, format := range []string{FormatText, FormatMarkdown, FormatJSON} {
			var b bytes.Buffer
			require.NoError(t, r.Write(&b, format, 0))
			require.NotContains(t, b.String(), "hunter2", "format %s:\n%s", format, b.String())
		}
	}
	for _, format := range []string{FormatMarkdown, FormatJSON} {
		var b bytes.Buffer
		require.NoError(t, Compare(old, now, Options{}).Write(&b, format, 0))
		require.Contains(t, b.String(), redactedMark, "format %s", format)
	}
	var b bytes.Buffer
	require.NoError(t, Compare(old, now, Options{}).Write(&b, FormatText, 0))
	require.Contains(t, b.String(), `env[name=DB_PASS].value: <redacted> -> <redacted>`)
	require.Contains(t, b.String(), `data["app.env"]: <redacted> -> <redacted>`)
	require.Contains(t, b.String(), `args: ["--db-pass","<redacted>"] -> ["--db-pass","<redacted>"]`)
	require.Contains(t, b.String(), `containers[name=app].image: "app:1" -> "app:1-v2"`)
}

// A credential in prose or in a command line is hidden too: the review
// diff hides more than validation refuses.
func TestProseAndCommandLineCredentialsAreRedacted(t *testing.T) {
	objs := func(v string) []Object {
		return []Object{obj(t, "s", "t", `apiVersion: v1
kind: ConfigMap
metadata: {name: conf, namespace: tpe}
data:
  NOTE: "the admin password is hunter2`+v+`"
  HINT: "Token hunter2`+v+`"
  PROXY: "proxy:hunter2`+v+`@proxy.example.net:3128"
  RUN: "exec app --db-password hunter2`+v+`"
  NPMRC: "//registry.example.net/:_authToken=hunter2`+v+`"
  MODE: "prod`+v+`"
`)}
	}
	for _, format := range []string{FormatText, FormatMarkdown, FormatJSON} {
		var b bytes.Buffer
		require.NoError(t, Compare(objs(""), objs("-v2"), Options{}).Write(&b, format, 0))
		require.NotContains(t, b.String(), "hunter2", "format %s:\n%s", format, b.String())
		require.Contains(t, b.String(), "prod-v2", "format %s", format)
	}
}
