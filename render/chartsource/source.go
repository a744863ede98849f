// Package chartsource is where charts come from: one small interface, with
// the charts embedded in tpgen as the default and a directory of charts (e.g.
// a checkout of a product's real charts) as the alternative. Charts of
// Helm repositories and OCI registries come from render/chartlock (a
// lockfile and a cache) and render/chartfetch instead.
//
// In: a chart name and exact version (a range is met by a chart version it
// accepts). Out: a loaded *chart.Chart whose
// file:// dependencies are attached from the same source, as `helm
// dependency build` would vendor them (resolve.go). It never renders,
// prints or writes.
package chartsource

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/ignore"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// Source returns charts by name and exact version, with their file://
// dependencies resolved inside the source (see Resolve).
//
// Get must be safe for concurrent use and must return a chart that the
// caller may use freely (not shared with other callers): Helm's value
// coalescing writes into the chart.
type Source interface {
	Get(name, version string) (*chart.Chart, error)
	// String names the source in errors, e.g. "embedded charts".
	String() string
}

// FS serves charts from a file system holding one directory per chart name.
type FS struct {
	fsys fs.FS
	desc string

	root *os.Root      // when set, charts are read from it, guarded
	lim  fsguard.Limit // for root

	mu    sync.Mutex
	files map[string][]*loader.BufferedFile // read once per chart
}

// NewRoot returns a Source over a directory of charts on disk, read
// through the input guard: nothing outside root (a symbolic link that
// leaves it is an error), regular files only, each within lim, YAML files
// outside templates/ free of duplicate keys. As Helm's LoadDir does, each
// chart's .helmignore is applied. desc names it in errors.
func NewRoot(root *os.Root, desc string, lim fsguard.Limit) *FS {
	return &FS{root: root, lim: lim, desc: desc, files: map[string][]*loader.BufferedFile{}}
}

// NewFS returns a Source over fsys; desc names it in errors.
func NewFS(fsys fs.FS, desc string) *FS {
	return &FS{fsys: fsys, desc: desc, files: map[string][]*loader.BufferedFile{}}
}

func (s *FS) String() string { return s.desc }

// Get loads chart name, checks that its Chart.yaml has version (or
// serves it: ServesAnnotation) and resolves its file:// dependencies from
// the same file system (Resolve).
func (s *FS) Get(name, version string) (*chart.Chart, error) {
	ch, err := s.load(name)
	if err != nil {
		return nil, err
	}
	if got := ch.Metadata.Version; got != version && !accepts(version, got) {
		ok, err := serve(ch, version)
		if err != nil {
			return nil, fmt.Errorf("chart %s in %s: Chart.yaml: %w", name, s.desc, err)
		}
		if !ok {
			return nil, fmt.Errorf("chart %s in %s is version %s, the plan needs %s\nhint: a release pins its four chart versions; point charts.path at charts of that release", name, s.desc, got, version)
		}
	}
	if err := Resolve(ch, name, s.desc, s.load); err != nil {
		return nil, fmt.Errorf("resolving the dependencies of chart %s from %s: %w", name, s.desc, err)
	}
	return ch, nil
}

// load loads the chart in directory dir, a fresh copy on every call.
func (s *FS) load(dir string) (*chart.Chart, error) {
	files, err := s.read(dir)
	if err != nil {
		return nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("loading chart %s from %s: %w", dir, s.desc, err)
	}
	return ch, nil
}

func (s *FS) read(name string) ([]*loader.BufferedFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.files[name]; ok {
		return f, nil
	}
	if s.root != nil {
		files, err := s.readRoot(name)
		if err != nil {
			return nil, fmt.Errorf("reading chart %s from %s: %w", name, s.desc, err)
		}
		s.files[name] = files
		return files, nil
	}
	var files []*loader.BufferedFile
	err := fs.WalkDir(s.fsys, name, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(s.fsys, p)
		if err != nil {
			return err
		}
		rel := p[len(name)+1:]
		files = append(files, &loader.BufferedFile{Name: path.Clean(rel), Data: b})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading chart %s from %s: %w", name, s.desc, err)
	}
	s.files[name] = files
	return files, nil
}

// readRoot reads chart name from s.root; see NewRoot.
func (s *FS) readRoot(name string) ([]*loader.BufferedFile, error) {
	rules := ignore.Empty()
	b, err := fsguard.ReadFile(s.root, path.Join(name, ignore.HelmIgnore), path.Join(name, ignore.HelmIgnore), s.lim)
	switch {
	case err == nil:
		if rules, err = ignore.Parse(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
	case !errors.Is(err, fs.ErrNotExist):
		return nil, err
	}
	rules.AddDefaults()
	skip := func(rel string, fi fs.FileInfo) bool { return rules.Ignore(rel, fi) }
	var files []*loader.BufferedFile
	err = fsguard.Walk(s.root, name, name, s.lim, skip, func(rel string, data []byte) error {
		if ext := path.Ext(rel); (ext == ".yaml" || ext == ".yml") && !inTemplates(rel) {
			if err := fsguard.DuplicateKeys(path.Join(name, rel), data); err != nil {
				return err
			}
		}
		files = append(files, &loader.BufferedFile{Name: rel, Data: data})
		return nil
	})
	return files, err
}

// inTemplates says whether rel lies in a templates directory (Go
// templates, not YAML until rendered).
func inTemplates(rel string) bool {
	return slices.Contains(strings.Split(path.Dir(rel), "/"), "templates")
}

// accepts says whether version is a range (the version of a chart a
// component takes from a repository, which charts.path replaces) that
// accepts got. An exact version accepts only itself.
func accepts(version, got string) bool {
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(version, "v")); err == nil {
		return false
	}
	c, err := semver.NewConstraint(version)
	if err != nil {
		return false
	}
	v, err := semver.NewVersion(got)
	return err == nil && c.Check(v)
}
