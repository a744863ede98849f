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
func exchange(dir, a, b, site string) error {
	err := unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.EOPNOTSUPP) {
		return twoRenames(dir, a, b, site)
	}
	if err != nil {
		return &os.LinkError{Op: "exchange", Old: a, New: b, Err: err}
	}
	return nil
}

// lock holds an exclusive lock on dir until unlock is called.
func lock(dir string) (unlock func(), err error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errors.New("another tpgen is writing " + filepath.Clean(dir) + "\nhint: wait for it to finish")
		}
		return nil, err
	}
	return func() { f.Close() }, nil
}
