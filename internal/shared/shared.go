// Package shared locates ../shared, the directory of test data and tools
// that sits beside the repository in sessions and CI (upstream CRDs, the
// test API server). The project builds and `make test` passes without it:
// tests that need it skip, loudly.
package shared

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the absolute path of ../shared (beside the module root), or
// skips the test saying so when it is absent. $TPGEN_SHARED overrides it.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("TPGEN_SHARED"); d != "" {
		return d
	}
	root, err := moduleRoot()
	if err == nil {
		d := filepath.Join(filepath.Dir(root), "shared")
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			return d
		}
	}
	t.Skipf("SKIPPED: ../shared is absent beside the repository (%v); this test needs its upstream CRDs or tools", err)
	return ""
}

// CRDs returns ../shared/crds/<name> (a directory of upstream CRDs, e.g.
// "flux-v2"), skipping as Dir does.
func CRDs(t testing.TB, name string) string {
	t.Helper()
	d := filepath.Join(Dir(t), "crds", name)
	if _, err := os.Stat(d); err != nil {
		t.Skipf("SKIPPED: %s is absent", d)
	}
	return d
}

// moduleRoot walks up from the working directory to the go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
