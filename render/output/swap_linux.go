package output

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// exchange swaps the directories a and b in one step. Where the file
// system cannot (RENAME_EXCHANGE is missing on some), it falls back to two
// renames.
// a and b are names directly in DIR (relative to its descriptor, so
// nothing outside DIR is ever renamed).
func exchange(t *tree, a, b, old string) error {
	fd := int(t.fd.Fd())
	err := unix.Renameat2(fd, a, fd, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return twoRenames(t, a, b, old)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: t.path(a), New: t.path(b), Err: err}
	}
	return nil
}

// lock holds an exclusive lock on dir until unlock is called.
func lock(t *tree) (unlock func(), err error) {
	f, err := t.root.Open(".")
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errors.New("another tpgen is writing " + filepath.Clean(t.dir) + "\nhint: wait for it to finish")
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
