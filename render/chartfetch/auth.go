package chartfetch

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// credential is a user name and password for one host.
type credential struct{ user, pass string }

// maxConfig bounds a registry or Docker config file.
const maxConfig = 1 << 20

// credentials resolves a's references for host (host:port). No reference
// gives no credential. A named variable that is unset, a config file
// without an entry for host, or one that delegates to a credential helper
// is an error that names the reference, never a value.
func (f *Fetcher) credentials(a Auth, host string) (*credential, error) {
	if a.Empty() {
		return nil, nil
	}
	n := 0
	for _, s := range []string{a.UsernameEnv + a.PasswordEnv, a.RegistryConfig, a.DockerConfig} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return nil, fmt.Errorf("auth names more than one kind of credentials\nhint: name either usernameFromEnv and passwordFromEnv, or registryConfig, or dockerConfig")
	}
	if a.UsernameEnv != "" || a.PasswordEnv != "" {
		if a.UsernameEnv == "" || a.PasswordEnv == "" {
			return nil, fmt.Errorf("auth names %s but not %s\nhint: name both usernameFromEnv and passwordFromEnv", nonEmpty(a.UsernameEnv, a.PasswordEnv), missing(a))
		}
		user, okU := f.getenv(a.UsernameEnv)
		pass, okP := f.getenv(a.PasswordEnv)
		for _, v := range []struct {
			name string
			ok   bool
		}{{a.UsernameEnv, okU}, {a.PasswordEnv, okP}} {
			if !v.ok {
				return nil, fmt.Errorf("environment variable %s (auth) is not set\nhint: export it before running tpgen; its value is never written anywhere", v.name)
			}
		}
		return &credential{user: user, pass: pass}, nil
	}
	file, field := a.RegistryConfig, "registryConfig"
	if file == "" {
		file, field = a.DockerConfig, "dockerConfig"
	}
	if !filepath.IsAbs(file) {
		file = filepath.Join(f.opts.BaseDir, file)
	}
	return readConfig(file, field, host)
}

func nonEmpty(a, b string) string {
	if a != "" {
		return "usernameFromEnv " + a
	}
	return "passwordFromEnv " + b
}

func missing(a Auth) string {
	if a.UsernameEnv == "" {
		return "usernameFromEnv"
	}
	return "passwordFromEnv"
}

func (f *Fetcher) getenv(name string) (string, bool) {
	if f.opts.LookupEnv != nil {
		return f.opts.LookupEnv(name)
	}
	return "", false
}

// dockerConfig is the part of Docker's config.json tpgen reads.
type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		IdentityToken string `json:"identitytoken"`
		RegistryToken string `json:"registrytoken"`
	} `json:"auths"`
	CredsStore  string            `json:"credsStore"`
	CredHelpers map[string]string `json:"credHelpers"`
}

// readConfig reads the credential of host from a config.json file.
func readConfig(file, field, host string) (*credential, error) {
	b, err := fsguard.ReadPath(file, fsguard.Limit{Max: maxConfig, What: "config file size"})
	if err != nil {
		return nil, fmt.Errorf("reading %s %s: %w", field, file, err)
	}
	var cfg dockerConfig
	if err := json.Unmarshal(b, &cfg); err != nil {
		return nil, fmt.Errorf("reading %s %s: not a Docker config.json: %v", field, file, err)
	}
	for key, e := range cfg.Auths {
		if configHost(key) != host {
			continue
		}
		if e.IdentityToken != "" || e.RegistryToken != "" {
			return nil, fmt.Errorf("%s %s: the entry for %s holds a token, which tpgen does not use\nhint: give a user name and password (auth), or name usernameFromEnv and passwordFromEnv", field, file, key)
		}
		if e.Auth != "" {
			dec, err := base64.StdEncoding.DecodeString(e.Auth)
			user, pass, ok := strings.Cut(string(dec), ":")
			if err != nil || !ok {
				return nil, fmt.Errorf("%s %s: the entry for %s: auth is not base64 of user:password", field, file, key)
			}
			return &credential{user: user, pass: pass}, nil
		}
		if e.Username != "" {
			return &credential{user: e.Username, pass: e.Password}, nil
		}
	}
	helper := cfg.CredHelpers[strings.TrimSuffix(host, ":443")]
	if helper == "" {
		helper = cfg.CredsStore
	}
	if helper != "" {
		return nil, fmt.Errorf("%s %s: credentials for %s are kept by the credential helper docker-credential-%s, which tpgen does not run\nhint: name usernameFromEnv and passwordFromEnv instead, or a config file with an auths entry for %s", field, file, host, helper, host)
	}
	return nil, fmt.Errorf("%s %s has no credentials for %s\nhint: add an auths entry for %s (e.g. with `helm registry login --registry-config %s`)", field, file, host, host, file)
}

// configHost normalizes a key of "auths" ("https://host/v1/", "host:port")
// to host:port.
func configHost(key string) string {
	if !strings.Contains(key, "://") {
		key = "https://" + key
	}
	u, err := url.Parse(key)
	if err != nil {
		return ""
	}
	return hostPort(u)
}
