package chartrepotest

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	"helm.sh/helm/v3/pkg/chart/loader"
	helmreg "helm.sh/helm/v3/pkg/registry"
)

// Dir returns ../shared/helm-repo seen from the module root, or skips the
// test loudly when it is absent.
func Dir(t testing.TB) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			p := filepath.Join(d, "..", "shared", "helm-repo")
			if _, err := os.Stat(filepath.Join(p, "index.yaml")); err != nil {
				t.Skipf("SKIPPED LOUDLY: the real charts of ../shared/helm-repo are absent (%v): chart source tests did not run", err)
			}
			return p
		}
		if filepath.Dir(d) == d {
			t.Fatal("no go.mod above " + wd)
		}
	}
}

// Archives returns the chart archives of dir, sorted.
func Archives(t testing.TB, dir string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
	if err != nil || len(m) == 0 {
		t.Fatalf("no archives in %s: %v", dir, err)
	}
	sort.Strings(m)
	return m
}

// Server is a test server that records requests.
type Server struct {
	*httptest.Server
	mu   sync.Mutex
	auth []string // "METHOD path: Authorization" per request
}

// Seen returns the Authorization header of every request so far, as
// "path auth" lines.
func (s *Server) Seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// Host returns host:port.
func (s *Server) Host() string { return strings.TrimPrefix(s.URL, "http://") }

func serve(t testing.TB, h http.Handler, user, pass, challenge string) *Server {
	s := start(h, user, pass, challenge)
	t.Cleanup(s.Close)
	return s
}

func start(h http.Handler, user, pass, challenge string) *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.auth = append(s.auth, r.URL.Path+" "+r.Header.Get("Authorization"))
		s.mu.Unlock()
		if user != "" {
			u, p, ok := r.BasicAuth()
			if !ok || u != user || p != pass {
				w.Header().Set("WWW-Authenticate", challenge)
				http.Error(w, "unauthorized", http.StatusUnauthorized)
				return
			}
		}
		h.ServeHTTP(w, r)
	}))
	return s
}

// HTTP serves dir as a Helm repository; a non-empty user requires basic
// auth.
func HTTP(t testing.TB, dir, user, pass string) *Server {
	return serve(t, http.FileServer(http.Dir(dir)), user, pass, `Basic realm="charts"`)
}

// StartHTTP is HTTP for a caller that closes the server itself.
func StartHTTP(dir, user, pass string) *Server {
	return start(http.FileServer(http.Dir(dir)), user, pass, `Basic realm="charts"`)
}

// Handler serves h on loopback, recording requests (no auth).
func Handler(t testing.TB, h http.Handler) *Server { return serve(t, h, "", "", "") }

// OCI starts an in-process OCI registry (a non-empty user requires basic
// auth) and pushes the given archives to HOST/charts/<name>:<version>.
// It returns the server; the source is "oci://" + Host() + "/charts".
func OCI(t testing.TB, user, pass string, archives ...string) *Server {
	t.Helper()
	s, err := StartOCI(user, pass, archives...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// StartOCI is OCI for a caller that closes the server itself.
func StartOCI(user, pass string, archives ...string) (*Server, error) {
	s := start(registry.New(registry.Logger(log.New(io.Discard, "", 0))), user, pass, `Basic realm="registry"`)
	opts := []helmreg.ClientOption{helmreg.ClientOptPlainHTTP(), helmreg.ClientOptCredentialsFile(os.DevNull), helmreg.ClientOptWriter(io.Discard)}
	if user != "" {
		opts = append(opts, helmreg.ClientOptBasicAuth(user, pass))
	}
	c, err := helmreg.NewClient(opts...)
	if err != nil {
		s.Close()
		return nil, err
	}
	for _, a := range archives {
		if err := Push(c, s.Host()+"/charts", a); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Push pushes archive to repo/<name>:<version>.
func Push(c *helmreg.Client, repo, archive string) error {
	b, err := os.ReadFile(archive)
	if err != nil {
		return err
	}
	ch, err := loader.LoadArchive(strings.NewReader(string(b)))
	if err != nil {
		return fmt.Errorf("%s: %w", archive, err)
	}
	ref := repo + "/" + ch.Metadata.Name + ":" + strings.ReplaceAll(ch.Metadata.Version, "+", "_")
	if _, err := c.Push(b, ref, helmreg.PushOptStrictMode(true), helmreg.PushOptCreationTime("2026-01-01T00:00:00Z")); err != nil {
		return fmt.Errorf("pushing %s to %s: %w", archive, ref, err)
	}
	return nil
}
