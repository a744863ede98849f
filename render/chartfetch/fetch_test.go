package chartfetch_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render/chartfetch"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func fileDigest(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return chartfetch.Digest(b)
}

func TestResolveHTTPAndOCI(t *testing.T) {
	dir := chartrepotest.Dir(t)
	grafana := filepath.Join(dir, "grafana-12.11.1.tgz")
	valkey := filepath.Join(dir, "valkey-0.11.0.tgz")
	repo := chartrepotest.HTTP(t, dir, "", "")
	repoAuth := chartrepotest.HTTP(t, dir, "alice", "s3cret")
	reg := chartrepotest.OCI(t, "", "", grafana, valkey)
	regAuth := chartrepotest.OCI(t, "bob", "hunter2", grafana)
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true, LookupEnv: env(map[string]string{"U": "alice", "P": "s3cret", "RU": "bob", "RP": "hunter2"})})
	creds := chartfetch.Auth{UsernameEnv: "U", PasswordEnv: "P"}
	regCreds := chartfetch.Auth{UsernameEnv: "RU", PasswordEnv: "RP"}
	tests := []struct {
		name    string
		ref     chartfetch.Ref
		version string
		digest  string
		oci     bool
	}{
		{"http exact", chartfetch.Ref{Source: repo.URL, Name: "grafana", Version: "12.11.1"}, "12.11.1", fileDigest(t, grafana), false},
		{"http range", chartfetch.Ref{Source: repo.URL + "/", Name: "valkey", Version: "~0.11"}, "0.11.0", fileDigest(t, valkey), false},
		{"http basic auth", chartfetch.Ref{Source: repoAuth.URL, Name: "grafana", Version: "12.11.1", Auth: creds}, "12.11.1", fileDigest(t, grafana), false},
		{"oci exact", chartfetch.Ref{Source: "oci://" + reg.Host() + "/charts", Name: "grafana", Version: "12.11.1"}, "12.11.1", fileDigest(t, grafana), true},
		{"oci range", chartfetch.Ref{Source: "oci://" + reg.Host() + "/charts", Name: "valkey", Version: ">=0.10 <1"}, "0.11.0", fileDigest(t, valkey), true},
		{"oci basic auth", chartfetch.Ref{Source: "oci://" + regAuth.Host() + "/charts", Name: "grafana", Version: "12.11.1", Auth: regCreds}, "12.11.1", fileDigest(t, grafana), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := f.Resolve(context.Background(), tt.ref)
			require.NoError(t, err)
			assert.Equal(t, tt.version, a.Version)
			assert.Equal(t, tt.digest, a.Digest)
			assert.Equal(t, tt.oci, strings.HasPrefix(a.Manifest, "sha256:"), "manifest %q", a.Manifest)
			// Fetch by the pins gives the same bytes.
			pinned := tt.ref
			pinned.Version = a.Version
			b, err := f.Fetch(context.Background(), pinned, a.Digest, a.Manifest)
			require.NoError(t, err)
			assert.Equal(t, tt.digest, chartfetch.Digest(b))
		})
	}
	assert.Contains(t, regAuth.Seen(), "/v2/charts/grafana/manifests/12.11.1 Basic "+base64.StdEncoding.EncodeToString([]byte("bob:hunter2")))
}

func TestResolveErrors(t *testing.T) {
	dir := chartrepotest.Dir(t)
	repoAuth := chartrepotest.HTTP(t, dir, "alice", "s3cret")
	regAuth := chartrepotest.OCI(t, "bob", "hunter2", filepath.Join(dir, "valkey-0.11.0.tgz"))
	allow := chartfetch.New(chartfetch.Options{AllowHTTP: true, LookupEnv: env(nil)})
	strict := chartfetch.New(chartfetch.Options{})
	tests := []struct {
		name string
		f    *chartfetch.Fetcher
		ref  chartfetch.Ref
		want string
	}{
		{"plain http refused", strict, chartfetch.Ref{Source: repoAuth.URL, Name: "grafana", Version: "12.11.1"},
			"resolving chart grafana 12.11.1 from " + repoAuth.URL + ": refusing plain HTTP to " + repoAuth.Host() + " (credentials and charts would travel unencrypted)\nhint: use https://; plain HTTP is allowed to a loopback address only, with --allow-loopback-http"},
		{"plain http to a non-loopback host refused", allow, chartfetch.Ref{Source: "http://charts.example.com", Name: "grafana", Version: "1.0.0"},
			"resolving chart grafana 1.0.0 from http://charts.example.com: refusing plain HTTP to charts.example.com: --allow-loopback-http allows loopback addresses only\nhint: use https://"},
		{"credentials missing", allow, chartfetch.Ref{Source: repoAuth.URL, Name: "grafana", Version: "12.11.1"},
			"resolving chart grafana 12.11.1 from " + repoAuth.URL + ": reading the repository index: GET " + repoAuth.URL + "/index.yaml: 401 Unauthorized\nhint: the source needs credentials: name them in the chart's auth (usernameFromEnv/passwordFromEnv, registryConfig or dockerConfig)"},
		{"unset variable", allow, chartfetch.Ref{Source: repoAuth.URL, Name: "grafana", Version: "12.11.1", Auth: chartfetch.Auth{UsernameEnv: "NOPE_U", PasswordEnv: "NOPE_P"}},
			"resolving chart grafana 12.11.1 from " + repoAuth.URL + ": environment variable NOPE_U (auth) is not set\nhint: export it before running tpgen; its value is never written anywhere"},
		{"credentials in the URL", allow, chartfetch.Ref{Source: "https://u:pw@charts.example.com", Name: "grafana", Version: "1.0.0"},
			"resolving chart grafana 1.0.0 from https://u:pw@charts.example.com: source \"https://charts.example.com\" holds credentials in its URL\nhint: name them by reference (auth: usernameFromEnv/passwordFromEnv, registryConfig or dockerConfig)"},
		{"no such version", allow, chartfetch.Ref{Source: chartrepotest.HTTP(t, dir, "", "").URL, Name: "grafana", Version: "99.0.0"}, ""},
		{"oci without credentials", allow, chartfetch.Ref{Source: "oci://" + regAuth.Host() + "/charts", Name: "valkey", Version: "0.11.0"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.f.Resolve(context.Background(), tt.ref)
			require.Error(t, err)
			if tt.want != "" {
				assert.Equal(t, tt.want, err.Error())
			}
		})
	}
}

// TestCredentialsStayOnTheirHost: the index on host A (with credentials)
// sends the client to host B, by an absolute chart URL and by a redirect
// (same IP, another port, which Go's client alone would still treat as the
// same host). B never sees the Authorization header.
func TestCredentialsStayOnTheirHost(t *testing.T) {
	dir := chartrepotest.Dir(t)
	b := chartrepotest.HTTP(t, dir, "", "")
	idx, err := os.ReadFile(filepath.Join(dir, "index.yaml"))
	require.NoError(t, err)
	a := chartrepotest.Handler(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		switch {
		case r.URL.Path == "/abs/index.yaml":
			w.Write([]byte(strings.ReplaceAll(string(idx), "- grafana-12.11.1.tgz", "- "+b.URL+"/grafana-12.11.1.tgz")))
		case r.URL.Path == "/redir/index.yaml":
			w.Write(idx)
		case strings.HasPrefix(r.URL.Path, "/redir/"):
			http.Redirect(w, r, b.URL+"/"+filepath.Base(r.URL.Path), http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true, LookupEnv: env(map[string]string{"U": "alice", "P": "s3cret"})})
	for _, path := range []string{"/abs", "/redir"} {
		t.Run(path, func(t *testing.T) {
			got, err := f.Resolve(context.Background(), chartfetch.Ref{Source: a.URL + path, Name: "grafana", Version: "12.11.1", Auth: chartfetch.Auth{UsernameEnv: "U", PasswordEnv: "P"}})
			require.NoError(t, err)
			assert.Equal(t, fileDigest(t, filepath.Join(dir, "grafana-12.11.1.tgz")), got.Digest)
		})
	}
	assert.Equal(t, []string{"/grafana-12.11.1.tgz ", "/grafana-12.11.1.tgz "}, b.Seen(), "host B saw credentials")
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("alice:s3cret"))
	assert.Contains(t, a.Seen(), "/redir/grafana-12.11.1.tgz "+basic)
}

func TestFetchRefusesOtherBytes(t *testing.T) {
	dir := chartrepotest.Dir(t)
	repo := chartrepotest.HTTP(t, dir, "", "")
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true})
	pin := "sha256:" + strings.Repeat("0", 64)
	_, err := f.Fetch(context.Background(), chartfetch.Ref{Source: repo.URL, Name: "valkey", Version: "0.11.0"}, pin, "")
	require.Error(t, err)
	assert.Equal(t, "fetching chart valkey 0.11.0 from "+repo.URL+": the archive's digest is "+fileDigest(t, filepath.Join(dir, "valkey-0.11.0.tgz"))+", the lockfile pins "+pin+": refused\nhint: the chart was changed at its source under the same version; review it, then run `tpgen lock` to pin the new archive", err.Error())
}

func TestConfigFileCredentials(t *testing.T) {
	dir := chartrepotest.Dir(t)
	reg := chartrepotest.OCI(t, "bob", "hunter2", filepath.Join(dir, "valkey-0.11.0.tgz"))
	tmp := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(tmp, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o600))
		return name
	}
	good := write("good.json", `{"auths": {"`+reg.Host()+`": {"auth": "`+base64.StdEncoding.EncodeToString([]byte("bob:hunter2"))+`"}}}`)
	helper := write("helper.json", `{"credsStore": "desktop"}`)
	other := write("other.json", `{"auths": {"registry.example.com": {"username": "x", "password": "y"}}}`)
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true, BaseDir: tmp})
	ref := chartfetch.Ref{Source: "oci://" + reg.Host() + "/charts", Name: "valkey", Version: "0.11.0"}
	ref.Auth = chartfetch.Auth{RegistryConfig: good}
	_, err := f.Resolve(context.Background(), ref)
	require.NoError(t, err)
	ref.Auth = chartfetch.Auth{DockerConfig: helper}
	_, err = f.Resolve(context.Background(), ref)
	require.Error(t, err)
	host := strings.Replace(reg.Host(), "127.0.0.1", "127.0.0.1", 1)
	assert.Contains(t, err.Error(), "dockerConfig "+filepath.Join(tmp, helper)+": credentials for "+host+" are kept by the credential helper docker-credential-desktop, which tpgen does not run")
	ref.Auth = chartfetch.Auth{DockerConfig: other}
	_, err = f.Resolve(context.Background(), ref)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "dockerConfig "+filepath.Join(tmp, other)+" has no credentials for "+host+"\nhint: add an auths entry")
}
