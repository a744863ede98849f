package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// IndexFile is the index's name in DIR.
const IndexFile = ".tpgen-index.json"

// Index records what tpgen owns in DIR.
type Index struct {
	// Tpgen is the version of tpgen that wrote DIR.
	Tpgen string `json:"tpgen"`
	// Inputs digests every site's inputs.
	Inputs string               `json:"inputs"`
	Sites  map[string]IndexSite `json:"sites"`
}

// IndexSite is one site of the index.
type IndexSite struct {
	Profile string `json:"profile"`
	// Inputs digests the site's inputs (profile, fleet defaults, overlays,
	// charts, tpgen's embedded data).
	Inputs string `json:"inputs"`
	// Files maps each owned file (relative to the site directory) to the
	// sha256 of what tpgen wrote.
	Files map[string]string `json:"files"`
}

// Hash is the digest recorded for a file's bytes.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// NewIndex returns the index of sites rendered into an empty DIR.
func NewIndex(version string, sites []Site) *Index {
	return next(&Index{Sites: map[string]IndexSite{}}, version, sites, nil)
}

// Encode returns the index's bytes: indented JSON, keys sorted.
func (x *Index) Encode() []byte {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		panic(err) // strings and maps of strings always encode
	}
	return append(b, '\n')
}

// next returns the index after rendering sites over old: their entries
// replaced, and the entries of pruned sites dropped.
func next(old *Index, version string, sites []Site, pruned []string) *Index {
	x := &Index{Tpgen: version, Sites: map[string]IndexSite{}}
	for name, s := range old.Sites {
		if !slices.Contains(pruned, name) {
			x.Sites[name] = s
		}
	}
	for _, s := range sites {
		files := make(map[string]string, len(s.Files))
		for _, f := range s.Files {
			files[f.Path] = Hash(f.Data)
		}
		x.Sites[s.Name] = IndexSite{Profile: s.Profile, Inputs: s.Inputs, Files: files}
	}
	names := make([]string, 0, len(x.Sites))
	for n := range x.Sites {
		names = append(names, n)
	}
	slices.Sort(names)
	h := sha256.New()
	for _, n := range names {
		fmt.Fprintf(h, "%s %s\n", n, x.Sites[n].Inputs)
	}
	x.Inputs = "sha256:" + hex.EncodeToString(h.Sum(nil))
	return x
}

// union returns an index owning every file of a and of b (b's hash wins).
func union(a, b *Index) *Index {
	x := &Index{Tpgen: b.Tpgen, Inputs: b.Inputs, Sites: map[string]IndexSite{}}
	for name, s := range a.Sites {
		x.Sites[name] = s
	}
	for name, s := range b.Sites {
		prev, ok := x.Sites[name]
		if !ok {
			x.Sites[name] = s
			continue
		}
		files := make(map[string]string, len(prev.Files)+len(s.Files))
		for p, h := range prev.Files {
			files[p] = h
		}
		for p, h := range s.Files {
			files[p] = h
		}
		s.Files = files
		x.Sites[name] = s
	}
	return x
}

// readIndex reads DIR's index; ok is false when there is none.
func readIndex(dir string) (x *Index, data []byte, ok bool, err error) {
	p := filepath.Join(dir, IndexFile)
	data, err = os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return &Index{Sites: map[string]IndexSite{}}, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	if x, err = ParseIndex(data); err != nil {
		return nil, nil, false, fmt.Errorf("reading %s: %w\nhint: the index is tpgen's; restore it from Git (git checkout -- %s), or delete it and render with --force", p, err, p)
	}
	return x, data, true, nil
}

// ParseIndex decodes an index; unknown fields are errors (an index of
// another tpgen, or a hand-edited one, is not silently misread).
func ParseIndex(data []byte) (*Index, error) {
	x := &Index{}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(x); err != nil {
		return nil, err
	}
	if x.Sites == nil {
		x.Sites = map[string]IndexSite{}
	}
	return x, nil
}

// writeIndex replaces DIR's index atomically.
func writeIndex(dir string, data []byte) error {
	tmp := filepath.Join(dir, ".tpgen-tmp-index.json")
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, filepath.Join(dir, IndexFile))
}
