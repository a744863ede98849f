//go:build linux

package output

import (
	"os"
	"path"
	"slices"
	"syscall"
)

// direct checks the recorded files of the unit directory r by name,
// without listing any directory (a file tpgen does not own is not
// looked at): each directory and file is opened relative to its parent
// without following a link (O_NOFOLLOW), a file without waiting on a
// FIFO (O_NONBLOCK), and must be regular. done is false when the
// unit's directory cannot be opened this way (Intact then walks it).
func (c *intactCheck) direct(r *os.Root) (ok, done bool) {
	top, err := r.Open(".")
	if err != nil {
		return false, false
	}
	defer top.Close()
	dirs := map[string]int{".": int(top.Fd())}
	defer func() {
		for d, fd := range dirs {
			if d != "." {
				syscall.Close(fd)
			}
		}
	}()
	// dirFD opens directory d of the unit, its parents first.
	var dirFD func(d string) (int, bool)
	dirFD = func(d string) (int, bool) {
		if fd, ok := dirs[d]; ok {
			return fd, fd >= 0
		}
		parent, ok := dirFD(path.Dir(d))
		if !ok {
			return -1, false
		}
		fd, err := syscall.Openat(parent, path.Base(d), syscall.O_RDONLY|syscall.O_DIRECTORY|syscall.O_NOFOLLOW|syscall.O_CLOEXEC, 0)
		if err != nil {
			fd = -1
		}
		dirs[d] = fd
		return fd, fd >= 0
	}
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for p := range c.files {
			if !yield(p) {
				return
			}
		}
	}) {
		dfd, ok := dirFD(path.Dir(p))
		if !ok || !c.fileAt(dfd, path.Base(p), c.files[p]) {
			return false, true
		}
	}
	return true, true
}

// fileAt says whether the regular file name in directory dfd hashes to
// want (and is not rejected).
func (c *intactCheck) fileAt(dfd int, name, want string) bool {
	fd, err := syscall.Openat(dfd, name, syscall.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if err != nil {
		return false
	}
	defer syscall.Close(fd)
	var st syscall.Stat_t
	if syscall.Fstat(fd, &st) != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG || st.Size > maxIndexSize {
		return false
	}
	// One read of size+1 bytes: a regular file reads short only at its
	// end; a file grown since is read on until its end (or the limit).
	c.buf.Reset()
	c.buf.Grow(int(st.Size) + 1)
	for {
		b := c.buf.AvailableBuffer()
		if len(b) == 0 {
			c.buf.Grow(64 << 10)
			b = c.buf.AvailableBuffer()
		}
		n, err := syscall.Read(fd, b[:cap(b)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return false
		}
		if n == 0 {
			break
		}
		c.buf.Write(b[:n])
		if c.buf.Len() > maxIndexSize {
			return false
		}
		if n < cap(b) {
			break // short: the end of a regular file
		}
	}
	b := c.buf.Bytes()
	return Hash(b) == want && (c.reject == nil || !c.reject(b))
}
