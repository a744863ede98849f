package output

import (
	"errors"
	"io/fs"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// errNotIntact stops Intact's walk at the first difference.
var errNotIntact = errors.New("not as recorded")

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
// once, which a hand edit or a deletion cannot get through.
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
	seen := 0
	err = fs.WalkDir(t.root.FS(), d, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		want, ok := files[strings.TrimPrefix(p, d+"/")]
		if !ok {
			return nil // not tpgen's
		}
		if !e.Type().IsRegular() {
			return errNotIntact
		}
		b, err := fsguard.ReadFile(t.root, p, t.path(p), fsguard.Limit{Max: maxIndexSize})
		if err != nil {
			return err
		}
		if Hash(b) != want || (reject != nil && reject(b)) {
			return errNotIntact
		}
		seen++
		return nil
	})
	return err == nil && seen == len(files)
}
