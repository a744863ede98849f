package chartfetch

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/Masterminds/semver/v3"
)

// OCIScheme prefixes a source held in an OCI registry.
const OCIScheme = "oci://"

// Ref names a chart in a source.
type Ref struct {
	// Source is a Helm repository URL ("https://charts.example.com/stable")
	// or an OCI location ("oci://registry.example.com/charts"); the chart is
	// Source/Name there.
	Source string
	Name   string
	// Version is exact, except for Resolve, which also takes a semantic
	// version range ("~1.2", ">=1.0 <2").
	Version string
	Auth    Auth
}

func (r Ref) String() string { return r.Source + " " + r.Name + "@" + r.Version }

// OCI says whether the source is an OCI registry.
func (r Ref) OCI() bool { return strings.HasPrefix(r.Source, OCIScheme) }

// Auth names credentials, never holds them.
type Auth struct {
	// UsernameEnv and PasswordEnv name the environment variables holding a
	// user name and password (both or neither).
	UsernameEnv string `json:"usernameFromEnv,omitempty"`
	PasswordEnv string `json:"passwordFromEnv,omitempty"`
	// RegistryConfig and DockerConfig are paths of files in Docker's
	// config.json format (Helm's registry/config.json is one); the entry
	// of the source's host under "auths" is used. A credential helper
	// (credsStore, credHelpers) is refused: tpgen runs no program.
	RegistryConfig string `json:"registryConfig,omitempty"`
	DockerConfig   string `json:"dockerConfig,omitempty"`
}

// Empty says whether no credentials are named.
func (a Auth) Empty() bool { return a == Auth{} }

// Exact says whether v is one version, not a range.
func Exact(v string) bool {
	_, err := semver.StrictNewVersion(strings.TrimPrefix(v, "v"))
	return err == nil
}

// host returns the source's host and port ("registry.example.com:443"),
// which credentials belong to, and its scheme for HTTP.
func (r Ref) location() (*url.URL, error) {
	raw := r.Source
	if r.OCI() {
		raw = "https://" + strings.TrimPrefix(raw, OCIScheme)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("source %q is not a URL: %v", r.Source, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return nil, fmt.Errorf("source %q: want https://HOST/PATH (a Helm repository) or oci://HOST/PATH (an OCI registry)", r.Source)
	}
	if u.User != nil {
		return nil, fmt.Errorf("source %q holds credentials in its URL\nhint: name them by reference (auth: usernameFromEnv/passwordFromEnv, registryConfig or dockerConfig)", redactURL(u))
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("source %q: a query or fragment is not allowed (a token in a URL would be written to the lockfile)", redactURL(u))
	}
	return u, nil
}

func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.Fragment = ""
	return c.String()
}

// hostPort returns u's host with its port made explicit.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "443"
		if u.Scheme == "http" {
			port = "80"
		}
	}
	return strings.ToLower(u.Hostname()) + ":" + port
}
