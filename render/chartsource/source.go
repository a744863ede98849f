// Package chartsource is where charts come from: one small interface, with
// the charts embedded in tpgen as the default and a directory of charts (e.g.
// a checkout of the real ThingPark charts) as the alternative. Helm
// repositories and OCI registries pinned in a lockfile fit behind the same
// interface later.
//
// In: a chart name and exact version. Out: a loaded *chart.Chart. It never
// renders, prints or writes.
package chartsource

import (
	"fmt"
	"io/fs"
	"path"
	"sync"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
)

// Source returns charts by name and exact version.
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

	mu    sync.Mutex
	files map[string][]*loader.BufferedFile // read once per chart
}

// NewFS returns a Source over fsys; desc names it in errors.
func NewFS(fsys fs.FS, desc string) *FS {
	return &FS{fsys: fsys, desc: desc, files: map[string][]*loader.BufferedFile{}}
}

func (s *FS) String() string { return s.desc }

// Get loads chart name and checks that its Chart.yaml has version.
func (s *FS) Get(name, version string) (*chart.Chart, error) {
	files, err := s.read(name)
	if err != nil {
		return nil, err
	}
	ch, err := loader.LoadFiles(files)
	if err != nil {
		return nil, fmt.Errorf("loading chart %s from %s: %w", name, s.desc, err)
	}
	if got := ch.Metadata.Version; got != version {
		return nil, fmt.Errorf("chart %s in %s is version %s, the plan needs %s\nhint: a release pins its four chart versions; point charts.path at charts of that release", name, s.desc, got, version)
	}
	return ch, nil
}

func (s *FS) read(name string) ([]*loader.BufferedFile, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f, ok := s.files[name]; ok {
		return f, nil
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
