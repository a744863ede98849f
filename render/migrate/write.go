package migrate

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
)

// ErrForeignDir is wrapped by the error of a DST that holds files
// migrate did not write.
var ErrForeignDir = errors.New("not written by tpgen migrate")

// CheckDest refuses a DST that Write would refuse, before anything is
// read: a symbolic link, a file, or a directory holding files but no
// marker (unless force).
func CheckDest(dst string, force bool) error {
	st, err := os.Lstat(dst)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf("reading the output directory: %w", err)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf("the output directory %s is a symbolic link\nhint: name the directory itself", dst)
	case !st.IsDir():
		return fmt.Errorf("the output directory %s is not a directory\nhint: -o names a directory migrate creates or owns", dst)
	}
	ents, err := os.ReadDir(dst)
	if err != nil {
		return fmt.Errorf("reading the output directory: %w", err)
	}
	if len(ents) == 0 || force {
		return nil
	}
	if m, err := os.Lstat(filepath.Join(dst, Marker)); err == nil && m.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("the output directory %s holds files and no %s: %w\nhint: migrate replaces its output directory whole; name a new or empty directory, or pass --force to replace this one and everything in it", dst, Marker, ErrForeignDir)
}

// Write replaces the directory dst with files: it builds the new tree
// beside dst (a hidden temporary directory in dst's parent), then puts it
// in place with one exchange (two renames where the file system cannot
// exchange) and removes the old tree. Nothing else is touched. dst is
// checked again (CheckDest) first.
func Write(dst string, files []File, force bool) (err error) {
	if err := CheckDest(dst, force); err != nil {
		return err
	}
	dst = filepath.Clean(dst)
	parent := filepath.Dir(dst)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", parent, err)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dst)+".tpgen-migrate-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	defer func() {
		if rerr := os.RemoveAll(tmp); rerr != nil && err == nil {
			err = fmt.Errorf("removing %s: %w", tmp, rerr)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	root, err := os.OpenRoot(tmp)
	if err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	defer root.Close()
	for _, f := range files {
		if !fs.ValidPath(f.Path) || strings.Contains(f.Path, "\\") {
			return fmt.Errorf("writing %s: %q is not a clean relative path", dst, f.Path)
		}
		if d := path.Dir(f.Path); d != "." {
			if err := root.MkdirAll(d, 0o755); err != nil {
				return fmt.Errorf("writing %s: %w", filepath.Join(dst, f.Path), err)
			}
		}
		if err := root.WriteFile(f.Path, f.Data, 0o644); err != nil {
			return fmt.Errorf("writing %s: %w", filepath.Join(dst, f.Path), err)
		}
	}
	if _, err := os.Lstat(dst); errors.Is(err, fs.ErrNotExist) {
		if err := os.Rename(tmp, dst); err != nil {
			return fmt.Errorf("writing %s: %w", dst, err)
		}
		return nil
	}
	if err := exchange(tmp, dst); err != nil {
		return fmt.Errorf("writing %s: %w", dst, err)
	}
	return nil // tmp now holds the old tree, removed by the defer
}

// twoRenames swaps a and b through a third name beside a.
func twoRenames(a, b string) error {
	old := a + ".old"
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		_ = os.Rename(old, b)
		return err
	}
	return os.Rename(old, a)
}
