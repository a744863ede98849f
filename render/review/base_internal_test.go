package review

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/output"
)

// TestReadBaseBoundsTheIndexByItsOwnLimit: the base's index grows with
// the fleet (past 4 MiB, the default --max-file-size, at about 140 sites)
// and is read within the index's own bound; every other file of the base
// stays within the inputs' limit.
func TestReadBaseBoundsTheIndexByItsOwnLimit(t *testing.T) {
	dir := t.TempDir()
	index := append([]byte(`{"tpgen": "devel", "sites": {}}`), bytes.Repeat([]byte(" "), 4096)...)
	if err := os.WriteFile(filepath.Join(dir, output.IndexFile), index, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "a"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "a", "small.yaml"), []byte("kind: ConfigMap\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lim := fsguard.Limit{Max: 1024}
	files, _, err := readBase(dir, BaseWorktree, lim)
	if err != nil {
		t.Fatalf("a 4 KiB index under a 1 KiB file limit: %v", err)
	}
	if !bytes.Equal(files[output.IndexFile], index) || string(files["a/small.yaml"]) != "kind: ConfigMap\n" {
		t.Errorf("read %d files: index %d bytes, a/small.yaml %q", len(files), len(files[output.IndexFile]), files["a/small.yaml"])
	}
	// Another file past the limit is still refused.
	if err := os.WriteFile(filepath.Join(dir, "a", "big.yaml"), bytes.Repeat([]byte("x"), 2048), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := readBase(dir, BaseWorktree, lim); err == nil || !strings.Contains(err.Error(), "big.yaml") {
		t.Errorf("a 2 KiB file under a 1 KiB limit: got %v, want an error naming it", err)
	}
}
