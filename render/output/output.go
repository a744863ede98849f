// Package output is the last stage: it writes rendered sites under the
// output directory, one site directory at a time, each replaced atomically.
//
// In: the output directory and, per site, files as relative paths and bytes.
// Out: what changed. A site's directory is built beside it
// (.tpgen-tmp-<site>) and swapped in with two renames; an interrupted swap
// is repaired on the next run, so a site's tree is always either the old one
// or the new one. A site whose bytes are unchanged is not touched. It never
// renders and never prints.
package output

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
)

// File is one file of a site, Path relative to the site directory.
type File struct {
	Path string
	Data []byte
}

// Site is one site's complete tree.
type Site struct {
	Name  string
	Files []File
}

// Change says what happened to one site.
type Change struct {
	Site    string
	Changed []string // files added, changed or removed, sorted
}

// Write writes every site; sites already identical are left alone.
func Write(dir string, sites []Site) ([]Change, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	var out []Change
	for _, s := range sites {
		c, err := writeSite(dir, s)
		if err != nil {
			return out, fmt.Errorf("writing site %s: %w", s.Name, err)
		}
		out = append(out, c)
	}
	return out, nil
}

func writeSite(dir string, s Site) (Change, error) {
	final := filepath.Join(dir, s.Name)
	tmp := filepath.Join(dir, ".tpgen-tmp-"+s.Name)
	old := filepath.Join(dir, ".tpgen-old-"+s.Name)
	if err := recoverSwap(final, old, tmp); err != nil {
		return Change{}, err
	}
	changed, err := diff(final, s.Files)
	if err != nil {
		return Change{}, err
	}
	c := Change{Site: s.Name, Changed: changed}
	if len(changed) == 0 {
		return c, nil
	}
	for _, f := range s.Files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return c, err
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return c, err
		}
	}
	if _, err := os.Stat(final); err == nil {
		if err := os.Rename(final, old); err != nil {
			return c, err
		}
	}
	if err := os.Rename(tmp, final); err != nil {
		return c, err
	}
	return c, os.RemoveAll(old)
}

// recoverSwap finishes or undoes a swap that an earlier run left halfway.
func recoverSwap(final, old, tmp string) error {
	if _, err := os.Stat(old); err == nil {
		if _, err := os.Stat(final); errors.Is(err, fs.ErrNotExist) {
			if err := os.Rename(old, final); err != nil {
				return err
			}
		} else if err := os.RemoveAll(old); err != nil {
			return err
		}
	}
	return os.RemoveAll(tmp)
}

// diff lists files that differ between dir on disk and files.
func diff(dir string, files []File) ([]string, error) {
	want := map[string][]byte{}
	for _, f := range files {
		want[f.Path] = f.Data
	}
	var changed []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		w, ok := want[rel]
		if !ok {
			changed = append(changed, rel)
			return nil
		}
		got, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if !bytes.Equal(got, w) {
			changed = append(changed, rel)
		}
		delete(want, rel)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for p := range want {
		changed = append(changed, p)
	}
	slices.Sort(changed)
	return changed, nil
}
