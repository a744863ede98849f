package output

import (
	"bytes"
	"io"
	"os"
	"path"
	"syscall"
)

// Intact says whether DIR holds the unit (u, name) exactly as the index x
// records it: a real directory (never a link), each recorded file a
// regular file whose sha256 is the recorded one. A unit x does not record,
// or anything Intact cannot read, is not intact: the caller renders it
// again, and Write or Check then report what is wrong. Files tpgen does
// not own are ignored, as Write keeps them. reject, if set, sees the
// bytes of each recorded file: true makes the unit not intact (render/
// uses it for what depends on more than the inputs).
//
// Intact is how a renderer knows, before rendering, that a unit whose
// inputs did not change needs no rendering: it reads every recorded file
// once, which a hand edit or a deletion cannot get through. It walks the
// unit directory by directory, each opened as its own root (a name is
// one path element), and reuses one buffer for the files' bytes.
func Intact(dir string, x *Index, u Unit, name string, reject func([]byte) bool) bool {
	if x == nil || checkName("unit", name) != nil {
		return false
	}
	var files map[string]string
	if u == UnitCluster {
		c, ok := x.Clusters[name]
		if !ok {
			return false
		}
		files = c.Files
	} else {
		s, ok := x.Sites[name]
		if !ok || name == ClustersDir {
			return false
		}
		files = s.Files
	}
	t, err := openTree(dir)
	if err != nil {
		return false
	}
	defer t.close()
	d := unitDir(u, name)
	if u == UnitCluster {
		if st, err := t.root.Lstat(ClustersDir); err != nil || !st.IsDir() {
			return false
		}
	}
	if st, err := t.root.Lstat(d); err != nil || !st.IsDir() {
		return false
	}
	r, err := t.root.OpenRoot(d)
	if err != nil {
		return false
	}
	defer r.Close()
	c := intactCheck{files: files, reject: reject}
	if ok, done := c.direct(r); done {
		return ok
	}
	return c.dir(r, "") && c.seen == len(files)
}

// intactCheck is one Intact walk.
type intactCheck struct {
	files  map[string]string
	reject func([]byte) bool
	buf    bytes.Buffer
	seen   int
}

// dir checks the directory r (rel in the unit): false at the first
// recorded file that differs or cannot be read.
func (c *intactCheck) dir(r *os.Root, rel string) bool {
	f, err := r.Open(".")
	if err != nil {
		return false
	}
	ents, err := f.ReadDir(-1)
	f.Close()
	if err != nil {
		return false
	}
	for _, e := range ents {
		p := path.Join(rel, e.Name())
		if e.IsDir() {
			sub, err := r.OpenRoot(e.Name())
			if err != nil {
				return false
			}
			ok := c.dir(sub, p)
			sub.Close()
			if !ok {
				return false
			}
			continue
		}
		want, ok := c.files[p]
		if !ok {
			continue // not tpgen's
		}
		if !e.Type().IsRegular() || !c.file(r, e.Name(), want) {
			return false
		}
		c.seen++
	}
	return true
}

// file says whether the regular file name of r hashes to want (and is
// not rejected).
func (c *intactCheck) file(r *os.Root, name, want string) bool {
	// O_NONBLOCK: a file swapped for a FIFO is not waited on; the mode is
	// checked on the open file.
	f, err := r.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return false
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() || st.Size() > maxIndexSize {
		return false
	}
	c.buf.Reset()
	if _, err := c.buf.ReadFrom(io.LimitReader(f, maxIndexSize+1)); err != nil || c.buf.Len() > maxIndexSize {
		return false
	}
	b := c.buf.Bytes()
	return Hash(b) == want && (c.reject == nil || !c.reject(b))
}
