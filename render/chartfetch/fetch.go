package chartfetch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Limits of what a source may send.
const (
	MaxIndex   = 64 << 20 // index.yaml
	MaxArchive = 64 << 20 // one chart archive
)

// Options configure a Fetcher.
type Options struct {
	// AllowHTTP allows plain HTTP to loopback addresses (tests, a local
	// mirror); HTTPS is required otherwise.
	AllowHTTP bool
	// LookupEnv reads the variables an Auth names (os.LookupEnv).
	LookupEnv func(string) (string, bool)
	// BaseDir resolves a relative config file path of an Auth.
	BaseDir string
	// Transport carries the requests (http.DefaultTransport if nil); it is
	// always wrapped by the credential guard.
	Transport http.RoundTripper
	// Timeout bounds one request (0: none).
	Timeout time.Duration
}

// Fetcher downloads chart archives. It is safe for concurrent use.
type Fetcher struct{ opts Options }

// New returns a Fetcher.
func New(o Options) *Fetcher { return &Fetcher{opts: o} }

// Archive is one chart archive and what pins it.
type Archive struct {
	Version string
	// Digest is "sha256:<hex>" of Data.
	Digest string
	// Manifest is the OCI manifest digest ("" for a Helm repository).
	Manifest string
	Data     []byte
}

// Digest returns "sha256:<hex>" of b.
func Digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// Resolve finds ref's chart (Version exact or a range: the highest
// version it accepts) and downloads it.
func (f *Fetcher) Resolve(ctx context.Context, ref Ref) (Archive, error) {
	a, err := f.resolve(ctx, ref)
	if err != nil {
		return Archive{}, fmt.Errorf("resolving chart %s %s from %s: %w", ref.Name, ref.Version, ref.Source, err)
	}
	return a, nil
}

func (f *Fetcher) resolve(ctx context.Context, ref Ref) (Archive, error) {
	if ref.Name == "" || ref.Version == "" {
		return Archive{}, errors.New("a chart needs a name and a version")
	}
	if ref.OCI() {
		return f.resolveOCI(ctx, ref, "")
	}
	return f.resolveHTTP(ctx, ref, "")
}

// Fetch downloads ref's chart (Version exact) pinned by digest (and, for
// OCI, manifest, by which it is pulled). Bytes that differ from digest are
// refused.
func (f *Fetcher) Fetch(ctx context.Context, ref Ref, digest, manifest string) ([]byte, error) {
	var a Archive
	var err error
	if ref.OCI() {
		a, err = f.resolveOCI(ctx, ref, manifest)
	} else {
		a, err = f.resolveHTTP(ctx, ref, digest)
	}
	if err != nil {
		return nil, fmt.Errorf("fetching chart %s %s from %s: %w", ref.Name, ref.Version, ref.Source, err)
	}
	if a.Digest != digest {
		return nil, fmt.Errorf("fetching chart %s %s from %s: the archive's digest is %s, the lockfile pins %s: refused\nhint: the chart was changed at its source under the same version; review it, then run `tpgen lock` to pin the new archive", ref.Name, ref.Version, ref.Source, a.Digest, digest)
	}
	return a.Data, nil
}

// get downloads u with c, at most max bytes.
func get(ctx context.Context, c *http.Client, u string, cred *credential, max int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	if cred != nil {
		req.SetBasicAuth(cred.user, cred.pass)
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, unwrapURLError(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		hint := ""
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
			hint = "\nhint: the source needs credentials: name them in the chart's auth (usernameFromEnv/passwordFromEnv, registryConfig or dockerConfig)"
		}
		return nil, fmt.Errorf("GET %s: %s%s", redact(u), resp.Status, hint)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, max+1))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", redact(u), err)
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("GET %s: larger than %d MiB", redact(u), max>>20)
	}
	return b, nil
}

// unwrapURLError keeps the guard's message readable.
func unwrapURLError(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) && strings.Contains(err.Error(), "refusing") {
		return ue.Unwrap()
	}
	return err
}

func redact(u string) string {
	if i := strings.IndexAny(u, "?#"); i >= 0 {
		return u[:i]
	}
	return u
}
