package output

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// File is one file of a site, Path relative to the site directory,
// slash-separated.
type File struct {
	Path string
	Data []byte
}

// Site is one site's complete tree.
type Site struct {
	Name    string
	Profile string // the profile file, as the user named it
	Inputs  string // digest of the site's inputs
	Files   []File
}

// Options of Write and Check.
type Options struct {
	// Version is the tpgen version recorded in the index.
	Version string
	// Prune says whether a site of the index that is not among the sites
	// rendered now is gone (its owned files are removed). Nil keeps them.
	Prune func(site, profile string) bool
	// Force lets tpgen write into a DIR it did not write (no index), and
	// over files it does not own; they become its own.
	Force bool
	// Hook, if set, is called after each step of Write: "index-union",
	// "built <site>", "swapped <site>", "index". Tests use it to kill the
	// process mid-way.
	Hook func(step string)
}

// Change says what happened to one site.
type Change struct {
	Site    string
	Changed []string // files added, changed or removed, sorted
	Pruned  bool     // the site is no longer rendered; its files were removed
}

// ErrForeignDir is returned when DIR holds files but no index.
var ErrForeignDir = errors.New("not written by tpgen")

// sitePlan is what Write does to one site directory.
type sitePlan struct {
	name    string
	files   []File          // the new tree (nil: remove the site)
	owned   map[string]bool // files the old index owns
	changed []string
}

// Write makes DIR hold sites; see the package doc. ctx is checked between
// sites: a cancelled run stops with every site whole and the index exact.
func Write(ctx context.Context, dir string, sites []Site, o Options) ([]Change, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("creating output directory: %w", err)
	}
	unlock, err := lock(dir)
	if err != nil {
		return nil, err
	}
	defer unlock()
	if err := recoverSwaps(dir); err != nil {
		return nil, fmt.Errorf("repairing an interrupted render in %s: %w", dir, err)
	}
	old, oldData, ok, err := readIndex(dir)
	if err != nil {
		return nil, err
	}
	if !ok && !o.Force {
		if err := refuseForeign(dir); err != nil {
			return nil, err
		}
	}
	plans, pruned, err := planSites(dir, old, sites, o)
	if err != nil {
		return nil, err
	}
	nx := next(old, o.Version, sites, pruned)
	nxData := nx.Encode()

	var work []sitePlan
	var changes []Change
	for _, p := range plans {
		changes = append(changes, Change{Site: p.name, Changed: p.changed, Pruned: p.files == nil})
		if len(p.changed) > 0 {
			work = append(work, p)
		}
	}
	if len(work) == 0 && bytes.Equal(oldData, nxData) {
		return changes, nil
	}
	hook := func(step string) {
		if o.Hook != nil {
			o.Hook(step)
		}
	}
	if len(work) > 0 {
		if err := writeIndex(dir, union(old, nx).Encode()); err != nil {
			return nil, fmt.Errorf("writing the index: %w", err)
		}
		hook("index-union")
	}
	for i, p := range work {
		if err := ctx.Err(); err != nil {
			// The index must match the sites already swapped, and only
			// them: the others are still their old trees.
			done := next(old, o.Version, sitesOf(sites, work[:i]), prunedOf(work[:i]))
			if werr := writeIndex(dir, done.Encode()); werr != nil {
				return nil, werr
			}
			return nil, fmt.Errorf("interrupted after %d of %d site(s); every site is whole, render again to finish: %w", i, len(work), err)
		}
		if err := swapSite(dir, p, hook); err != nil {
			return nil, fmt.Errorf("writing site %s: %w", p.name, err)
		}
		hook("swapped " + p.name)
	}
	if err := writeIndex(dir, nxData); err != nil {
		return nil, fmt.Errorf("writing the index: %w", err)
	}
	hook("index")
	return changes, nil
}

func sitesOf(sites []Site, done []sitePlan) []Site {
	var out []Site
	for _, s := range sites {
		if slices.ContainsFunc(done, func(p sitePlan) bool { return p.name == s.Name }) {
			out = append(out, s)
		}
	}
	return out
}

func prunedOf(done []sitePlan) []string {
	var out []string
	for _, p := range done {
		if p.files == nil {
			out = append(out, p.name)
		}
	}
	return out
}

// refuseForeign fails when DIR holds anything tpgen did not leave there.
func refuseForeign(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var names []string
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), ".tpgen-tmp-") {
			names = append(names, e.Name())
		}
	}
	if len(names) == 0 {
		return nil
	}
	if len(names) > 3 {
		names = append(names[:3], "...")
	}
	return fmt.Errorf("%s holds files (%s) but no %s: it was %w\nhint: render into an empty or new directory, or pass --force to adopt it (tpgen then owns the files it writes and keeps the others)",
		dir, strings.Join(names, ", "), IndexFile, ErrForeignDir)
}

// planSites compares each site with DIR; it refuses to overwrite a file
// tpgen does not own unless Force is set.
func planSites(dir string, old *Index, sites []Site, o Options) ([]sitePlan, []string, error) {
	var plans []sitePlan
	var conflicts []string
	for _, s := range sites {
		p := sitePlan{name: s.Name, files: s.Files, owned: owned(old, s.Name)}
		if p.files == nil {
			p.files = []File{} // a site with no files is still a site
		}
		var err error
		var foreign []string
		p.changed, foreign, err = compare(filepath.Join(dir, s.Name), s.Files, p.owned)
		if err != nil {
			return nil, nil, err
		}
		if !o.Force {
			for _, f := range foreign {
				conflicts = append(conflicts, filepath.Join(dir, s.Name, filepath.FromSlash(f)))
			}
		}
		plans = append(plans, p)
	}
	if len(conflicts) > 0 {
		return nil, nil, fmt.Errorf("tpgen would overwrite files it did not write:\n  %s\nhint: move them away, or pass --force to let tpgen own them", strings.Join(conflicts, "\n  "))
	}
	pruned := prunedSites(old, sites, o)
	for _, n := range pruned {
		p := sitePlan{name: n, owned: owned(old, n)}
		var err error
		if p.changed, _, err = compare(filepath.Join(dir, n), nil, p.owned); err != nil {
			return nil, nil, err
		}
		plans = append(plans, p)
	}
	return plans, pruned, nil
}

// prunedSites names the sites of the index, not rendered now, that
// o.Prune says are gone.
func prunedSites(old *Index, sites []Site, o Options) []string {
	if o.Prune == nil {
		return nil
	}
	var out []string
	for n, s := range old.Sites {
		if !slices.ContainsFunc(sites, func(s Site) bool { return s.Name == n }) && o.Prune(n, s.Profile) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

func owned(x *Index, site string) map[string]bool {
	out := map[string]bool{}
	for p := range x.Sites[site].Files {
		out[p] = true
	}
	return out
}

// compare lists, for one site directory, the files that differ from files
// (added, changed, or owned and no longer rendered), and the existing files
// at a path of files that tpgen does not own.
func compare(siteDir string, files []File, owned map[string]bool) (changed, foreign []string, err error) {
	want := make(map[string][]byte, len(files))
	for _, f := range files {
		want[f.Path] = f.Data
	}
	onDisk := map[string]bool{}
	err = filepath.WalkDir(siteDir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == siteDir {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(siteDir, p)
		rel = filepath.ToSlash(rel)
		onDisk[rel] = true
		w, ok := want[rel]
		switch {
		case !ok:
			if owned[rel] {
				changed = append(changed, rel)
			}
		case !owned[rel]:
			foreign = append(foreign, rel)
			changed = append(changed, rel)
		default:
			got, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			if !bytes.Equal(got, w) {
				changed = append(changed, rel)
			}
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for p := range want {
		if !onDisk[p] {
			changed = append(changed, p)
		}
	}
	slices.Sort(changed)
	slices.Sort(foreign)
	return changed, foreign, nil
}

// swapSite builds the site's new tree beside it and exchanges the two.
func swapSite(dir string, p sitePlan, hook func(string)) error {
	final := filepath.Join(dir, p.name)
	tmp := filepath.Join(dir, ".tpgen-tmp-"+p.name)
	if err := os.RemoveAll(tmp); err != nil {
		return err
	}
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		return err
	}
	want := map[string]bool{}
	for _, f := range p.files {
		want[f.Path] = true
		t := filepath.Join(tmp, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(t, f.Data, 0o644); err != nil {
			return err
		}
	}
	kept, err := keepForeign(final, tmp, func(rel string) bool { return !p.owned[rel] && !want[rel] })
	if err != nil {
		return fmt.Errorf("keeping files tpgen does not own: %w", err)
	}
	hook("built " + p.name)
	_, statErr := os.Stat(final)
	exists := statErr == nil
	switch {
	case len(p.files) == 0 && kept == 0:
		// The site is gone and nothing foreign lived in it.
		if exists {
			// Not .tpgen-old-: recovery would put that back.
			old := filepath.Join(dir, ".tpgen-tmp-gone-"+p.name)
			if err := os.Rename(final, old); err != nil {
				return err
			}
			if err := os.RemoveAll(old); err != nil {
				return err
			}
		}
		return os.RemoveAll(tmp)
	case !exists:
		return os.Rename(tmp, final)
	}
	if err := exchange(dir, tmp, final, p.name); err != nil {
		return err
	}
	return os.RemoveAll(tmp) // now the old tree
}

// keepForeign links (or copies) into dst the files under src that keep
// says are not tpgen's, and returns how many.
func keepForeign(src, dst string, keep func(rel string) bool) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == src {
			return filepath.SkipDir
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if !keep(filepath.ToSlash(rel)) {
			return nil
		}
		n++
		t := filepath.Join(dst, rel)
		if err := os.MkdirAll(filepath.Dir(t), 0o755); err != nil {
			return err
		}
		if err := os.Link(p, t); err == nil {
			return nil
		}
		return copyFile(p, t)
	})
	return n, err
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, st.Mode().Perm())
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// recoverSwaps repairs what an interrupted run left: a .tpgen-old-<site>
// whose site is missing is put back (a two-rename swap cut in the middle);
// every other leftover is removed.
func recoverSwaps(dir string) error {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		switch {
		case strings.HasPrefix(name, ".tpgen-old-"):
			final := filepath.Join(dir, strings.TrimPrefix(name, ".tpgen-old-"))
			if _, err := os.Stat(final); errors.Is(err, fs.ErrNotExist) {
				if err := os.Rename(filepath.Join(dir, name), final); err != nil {
					return err
				}
				continue
			}
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return err
			}
		case strings.HasPrefix(name, ".tpgen-tmp-"):
			if err := os.RemoveAll(filepath.Join(dir, name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// twoRenames moves the site b aside and a in its place; a then holds the
// old tree, as after an exchange.
func twoRenames(dir, a, b, site string) error {
	old := filepath.Join(dir, ".tpgen-old-"+site)
	if err := os.Rename(b, old); err != nil {
		return err
	}
	if err := os.Rename(a, b); err != nil {
		return err
	}
	return os.Rename(old, a)
}
