// Package fsguard is the one way tpgen reads its input files: through an
// os.Root (nothing outside the input root is opened, whatever symbolic
// links say), only regular files (a named pipe, device or socket is an
// error, never a hang), and never more than a stated limit of bytes.
//
// Every reader of user files (profiles, fleet defaults, site overlays,
// chart directories, the rendered tree read by --check and validate
// --rendered) goes through it. It never prints.
package fsguard

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
)

// Limit bounds one read.
type Limit struct {
	// Max is the largest size accepted, in bytes; 0 means no limit.
	Max int64
	// What names the limit in errors, e.g. "file size".
	What string
	// Raise says how to raise it, e.g. "--max-file-size".
	Raise string
}

// ErrTooLarge is wrapped by the error of a read over its limit.
var ErrTooLarge = errors.New("over the limit")

// ErrNotRegular is wrapped by the error of a read of anything but a
// regular file.
var ErrNotRegular = errors.New("not a regular file")

// ReadFile reads name (slash-separated, relative to root) from root. label
// names the file in errors (e.g. the path the user knows).
func ReadFile(root *os.Root, name, label string, lim Limit) ([]byte, error) {
	// O_NONBLOCK: opening a FIFO without a writer must not block; the mode
	// is checked on the open file, so a file swapped after a stat is caught.
	f, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, pathError(label, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, pathError(label, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%s)\nhint: tpgen reads only regular files", label, ErrNotRegular, Kind(st.Mode()))
	}
	if lim.Max > 0 && st.Size() > lim.Max {
		return nil, tooLarge(label, st.Size(), lim)
	}
	var r io.Reader = f
	if lim.Max > 0 {
		r = io.LimitReader(f, lim.Max+1)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, pathError(label, err)
	}
	if lim.Max > 0 && int64(len(b)) > lim.Max {
		return nil, tooLarge(label, int64(len(b)), lim)
	}
	return b, nil
}

// ReadPath reads the file at p, a path the user named, with its own
// directory as the root (so a symbolic link to a file elsewhere is
// refused).
func ReadPath(p string, lim Limit) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(p))
	if err != nil {
		return nil, pathError(p, err)
	}
	defer root.Close()
	return ReadFile(root, filepath.Base(p), p, lim)
}

// ReadIn reads the file at p, which lies under the directory rootDir (both
// as the user gave them), through a root at rootDir: a symbolic link in p
// that leaves rootDir is refused.
func ReadIn(rootDir, p string, lim Limit) ([]byte, error) {
	rel, err := filepath.Rel(rootDir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return ReadPath(p, lim)
	}
	root, err := os.OpenRoot(rootDir)
	if err != nil {
		return nil, pathError(p, err)
	}
	defer root.Close()
	return ReadFile(root, filepath.ToSlash(rel), p, lim)
}

// Walk calls fn for every regular file under dir in root, in lexical
// order, with its path relative to dir (slash-separated) and its bytes.
// A symbolic link to a file is followed only inside root; a link to a
// directory, and anything else than a regular file or a directory, is an
// error. skip, if set, leaves out a file or a whole directory (rel "" is
// dir itself, never skipped). label names dir in errors.
func Walk(root *os.Root, dir, label string, lim Limit, skip func(rel string, fi fs.FileInfo) bool, fn func(rel string, data []byte) error) error {
	fsys := root.FS()
	return fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		name := path.Join(label, strings.TrimPrefix(strings.TrimPrefix(p, dir), "/"))
		if err != nil {
			return pathError(name, err)
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		if dir == "." {
			rel = p
			if p == "." {
				rel = ""
			}
		}
		if skip != nil && rel != "" {
			fi, err := d.Info()
			if err != nil {
				return pathError(name, err)
			}
			if skip(rel, fi) {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
		}
		if d.Type()&fs.ModeSymlink != 0 {
			st, err := root.Stat(p)
			if err != nil {
				return pathError(name, err)
			}
			if st.IsDir() {
				return fmt.Errorf("%s: a symbolic link to a directory\nhint: tpgen does not follow links to directories in its inputs; copy the directory instead", name)
			}
		} else if d.IsDir() {
			return nil
		}
		b, err := ReadFile(root, p, name, lim)
		if err != nil {
			return err
		}
		return fn(rel, b)
	})
}

// NoLinks fails if a component of rel (a path named in an input file,
// relative to the directory base) is a symbolic link: a path an input
// names is taken as written, never redirected elsewhere.
func NoLinks(base, rel string) error {
	cur := base
	for _, c := range strings.Split(filepath.ToSlash(filepath.Clean(rel)), "/") {
		cur = filepath.Join(cur, c)
		if c == ".." || c == "." {
			continue
		}
		st, err := os.Lstat(cur)
		if err != nil {
			return pathError(cur, err)
		}
		if st.Mode()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link\nhint: tpgen reads inputs only from their own directory; replace the link with the directory it points to", cur)
		}
	}
	return nil
}

// OpenDir opens the directory rel, named by an input's field (such as
// overlay or charts.path) relative to base, as the input root of what it
// holds. No component of rel may be a symbolic link: the directory an
// input names is the one written, never one a link redirects to.
func OpenDir(base, rel, field string) (*os.Root, error) {
	p := filepath.Join(base, rel)
	if err := NoLinks(base, rel); err != nil {
		return nil, fmt.Errorf("%s %s: %w", field, rel, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\nhint: %s names a directory relative to the profile", field, rel, pathError(p, err), field)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("%s %s: %s is %s, not a directory\nhint: %s names a directory relative to the profile", field, rel, p, Kind(st.Mode()), field)
	}
	root, err := os.OpenRoot(p)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", field, rel, pathError(p, err))
	}
	return root, nil
}

// Kind names a file mode's type for errors.
func Kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsRegular():
		return "a regular file"
	}
	return "an irregular file"
}

func tooLarge(label string, size int64, lim Limit) error {
	return fmt.Errorf("%s: %w", label, TooLarge(size, lim))
}

// TooLarge is the error of size bytes over lim.
func TooLarge(size int64, lim Limit) error {
	return fmt.Errorf("%d bytes, %w: the %s limit is %s\nhint: raise it with %s", size, ErrTooLarge, lim.What, Size(lim.Max), lim.Raise)
}

// Size prints a byte count for people: 4 MiB, 1.5 KiB, 12 bytes.
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d bytes", n)
}

// pathError says which file, and why, without Go's "openat"/"open" noise.
func pathError(label string, err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		msg := pe.Err.Error()
		if strings.Contains(msg, "escapes from parent") || strings.Contains(msg, "path escapes") {
			return fmt.Errorf("%s: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it", label)
		}
		return fmt.Errorf("%s: %w", label, pe.Err)
	}
	return fmt.Errorf("%s: %w", label, err)
}
