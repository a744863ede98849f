package chartlock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/chartfetch"
)

// EnvCache names the environment variable that moves the cache.
const EnvCache = "TPGEN_CHART_CACHE"

// DefaultDir returns the cache directory: $TPGEN_CHART_CACHE, else
// os.UserCacheDir()/tpgen/charts.
func DefaultDir(getenv func(string) string) (string, error) {
	if d := getenv(EnvCache); d != "" {
		return d, nil
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("finding the chart cache: %w\nhint: set --chart-cache or %s", err, EnvCache)
	}
	return filepath.Join(d, "tpgen", "charts"), nil
}

// ErrMiss is a cache miss.
var ErrMiss = errors.New("not in the chart cache")

// Cache is a content-addressed store of chart archives: the archive of
// digest sha256:<hex> is Dir/sha256/<hex>.tgz. ReadOnly directories of the
// same layout (see Vendor) are read first and never written. Safe for
// concurrent use, by goroutines and processes.
type Cache struct {
	Dir      string
	ReadOnly []string
}

// Path returns where the archive of digest lies under dir.
func Path(dir, digest string) string {
	return filepath.Join(dir, "sha256", strings.TrimPrefix(digest, "sha256:")+".tgz")
}

// Get returns the archive of digest, checked against it. A miss wraps
// ErrMiss; bytes that do not match are refused with the file's path.
func (c *Cache) Get(digest string) ([]byte, error) {
	if !digestRE.MatchString(digest) {
		return nil, fmt.Errorf("chart digest %q is not sha256:<64 hex digits>", digest)
	}
	for _, dir := range append(append([]string{}, c.ReadOnly...), c.Dir) {
		if dir == "" {
			continue
		}
		p := Path(dir, digest)
		b, err := fsguard.ReadPath(p, fsguard.Limit{Max: chartfetch.MaxArchive, What: "chart archive size"})
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the chart cache: %w", err)
		}
		if got := chartfetch.Digest(b); got != digest {
			return nil, fmt.Errorf("chart archive %s has digest %s, not %s: refused (tampered with or corrupt)\nhint: delete the file; `tpgen charts pull` fetches it again by its locked digest", p, got, digest)
		}
		return b, nil
	}
	return nil, ErrMiss
}

// Put stores data under its digest, which must be digest: written to a
// temporary file in the same directory and renamed into place, so a
// reader sees the whole archive or none.
func (c *Cache) Put(digest string, data []byte) error {
	if got := chartfetch.Digest(data); got != digest {
		return fmt.Errorf("storing chart archive %s: its bytes have digest %s: refused", digest, got)
	}
	return put(c.Dir, digest, data)
}

func put(dir, digest string, data []byte) error {
	if dir == "" {
		return errors.New("no chart cache directory\nhint: set --chart-cache or " + EnvCache)
	}
	p := Path(dir, digest)
	if b, err := os.ReadFile(p); err == nil && chartfetch.Digest(b) == digest {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("writing the chart cache: %w", err)
	}
	if err := writeAtomic(p, data); err != nil {
		return fmt.Errorf("writing the chart cache: %w", err)
	}
	return nil
}
