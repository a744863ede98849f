package chartlock

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"

	yamlv3 "go.yaml.in/yaml/v3"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/chartfetch"
)

// FileName is the lockfile's name beside the profiles.
const FileName = "tpgen.lock"

// header starts every lockfile.
const header = "# tpgen.lock: the charts of the profiles beside it, pinned by content.\n# Written by `tpgen lock`; do not edit.\n"

// maxLock bounds a lockfile.
const maxLock = 8 << 20

// Lock is a lockfile.
type Lock struct {
	// LockVersion is the format's version, 1.
	LockVersion int     `json:"lockVersion" yaml:"lockVersion"`
	Charts      []Entry `json:"charts" yaml:"charts"`
}

// Entry pins one chart.
type Entry struct {
	Source string `json:"source" yaml:"source"`
	Name   string `json:"name" yaml:"name"`
	// Range is the version the profile asks for when it is a range, else
	// empty.
	Range string `json:"range,omitempty" yaml:"range,omitempty"`
	// Version is the exact version pinned.
	Version string `json:"version" yaml:"version"`
	// Digest is "sha256:<hex>" of the chart archive.
	Digest string `json:"digest" yaml:"digest"`
	// Manifest is the OCI manifest digest (OCI sources only).
	Manifest string `json:"manifest,omitempty" yaml:"manifest,omitempty"`
}

// Key identifies what a plan asks for: source, name and requested version.
type Key struct{ Source, Name, Version string }

func (k Key) String() string { return k.Source + " " + k.Name + "@" + k.Version }

// Key returns what e answers.
func (e Entry) Key() Key {
	return Key{Source: e.Source, Name: e.Name, Version: cmp.Or(e.Range, e.Version)}
}

// KeyOf returns what ref asks for.
func KeyOf(ref chartfetch.Ref) Key {
	return Key{Source: ref.Source, Name: ref.Name, Version: ref.Version}
}

var digestRE = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// Find returns the entry answering k.
func (l *Lock) Find(k Key) (Entry, bool) {
	for _, e := range l.Charts {
		if e.Key() == k {
			return e, true
		}
	}
	return Entry{}, false
}

// Marshal returns the lockfile's bytes: entries sorted by source, name and
// requested version, keys in a fixed order, no timestamps.
func (l *Lock) Marshal() ([]byte, error) {
	c := Lock{LockVersion: 1, Charts: slices.Clone(l.Charts)}
	sortEntries(c.Charts)
	if c.Charts == nil {
		c.Charts = []Entry{}
	}
	var buf bytes.Buffer
	buf.WriteString(header)
	enc := yamlv3.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(c); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func sortEntries(es []Entry) {
	slices.SortFunc(es, func(a, b Entry) int {
		ka, kb := a.Key(), b.Key()
		return cmp.Or(cmp.Compare(ka.Source, kb.Source), cmp.Compare(ka.Name, kb.Name), cmp.Compare(ka.Version, kb.Version))
	})
}

// Parse reads a lockfile; file names it in errors.
func Parse(file string, b []byte) (*Lock, error) {
	if err := fsguard.DuplicateKeys(file, b); err != nil {
		return nil, err
	}
	var l Lock
	if err := yaml.UnmarshalStrict(b, &l); err != nil {
		return nil, fmt.Errorf("reading lockfile %s: %v\nhint: the lockfile is written by `tpgen lock`; run it again rather than editing", file, err)
	}
	if l.LockVersion != 1 {
		return nil, fmt.Errorf("reading lockfile %s: lockVersion %d, want 1\nhint: run `tpgen lock` to rewrite it", file, l.LockVersion)
	}
	seen := map[Key]bool{}
	for i, e := range l.Charts {
		at := fmt.Sprintf("%s: charts[%d] (%s %s)", file, i, e.Name, e.Version)
		switch {
		case e.Source == "" || e.Name == "" || e.Version == "":
			return nil, fmt.Errorf("%s: source, name and version are required", at)
		case !chartfetch.Exact(e.Version):
			return nil, fmt.Errorf("%s: version %q is not one exact version", at, e.Version)
		case !digestRE.MatchString(e.Digest):
			return nil, fmt.Errorf("%s: digest %q is not sha256:<64 hex digits>", at, e.Digest)
		case e.Manifest != "" && !digestRE.MatchString(e.Manifest):
			return nil, fmt.Errorf("%s: manifest %q is not sha256:<64 hex digits>", at, e.Manifest)
		case (e.Manifest != "") != (chartfetch.Ref{Source: e.Source}).OCI():
			return nil, fmt.Errorf("%s: an OCI source needs a manifest digest, a Helm repository none", at)
		case seen[e.Key()]:
			return nil, fmt.Errorf("%s: a second entry for %s", at, e.Key())
		}
		seen[e.Key()] = true
	}
	return &l, nil
}

// Read reads the lockfile at file; a missing file is an empty lock with
// exists false.
func Read(file string) (l *Lock, exists bool, err error) {
	b, err := fsguard.ReadPath(file, fsguard.Limit{Max: maxLock, What: "lockfile size"})
	if errors.Is(err, fs.ErrNotExist) {
		return &Lock{LockVersion: 1}, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("reading lockfile: %w", err)
	}
	l, err = Parse(file, b)
	return l, err == nil, err
}

// Write writes l to file atomically; unchanged bytes are not rewritten.
func Write(file string, l *Lock) error {
	b, err := l.Marshal()
	if err != nil {
		return err
	}
	if old, err := os.ReadFile(file); err == nil && bytes.Equal(old, b) {
		return nil
	}
	return writeAtomic(file, b)
}

// writeAtomic writes b to a temporary file beside file and renames it.
func writeAtomic(file string, b []byte) error {
	dir := filepath.Dir(file)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(file)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}
