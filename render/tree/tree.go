package tree

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/header"
	"github.com/tpgen/tpgen/render/object"
)

// Object is one object of a rendered site. Its Tier is its file's
// directory relative to the site directory; its Source comes from the
// file's header.
type Object struct {
	object.Object
	// File is the object's file, relative to the site directory,
	// slash-separated.
	File string
}

// File is one file of a site's tree, its path relative to the site
// directory, slash-separated.
type File struct {
	Path string
	Data []byte
}

// Options select the files read and say what to do with a file tpgen
// did not write.
type Options struct {
	// Dirs, when set, are the only directories read (relative to the
	// site directory), each alone, without its subdirectories; a missing
	// one holds no object. Objects come in the order of Dirs.
	Dirs []string
	// Files, when not nil, are the only files read (an output index's
	// list).
	Files []string
	// Limit bounds each file read from disk.
	Limit fsguard.Limit
	// Lenient skips a file that is not what tpgen wrote (gone, not a
	// regular file, over Limit, not YAML) instead of failing: the
	// previous rendering, which the drift check reports and a render
	// replaces.
	Lenient bool
}

// IsObjectFile says whether the file at p (slash-separated) holds objects
// of the site: a YAML file other than a tier's kustomization.yaml (a list
// of files).
func IsObjectFile(p string) bool {
	return path.Ext(p) == ".yaml" && path.Base(p) != "kustomization.yaml"
}

// Read reads the site directory site of the rendered tree whose root is
// root back into objects. dir is the tree's directory as the user named
// it, for messages. A site that is missing, or is not a directory (a
// symbolic link in its place is not tpgen's: never followed), holds no
// object.
func Read(root *os.Root, dir, site string, o Options) ([]Object, error) {
	st, err := root.Lstat(site)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && !st.IsDir()) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, site), err)
	}
	sroot, err := root.OpenRoot(site)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", filepath.Join(dir, site), err)
	}
	defer sroot.Close()
	label := func(rel string) string { return filepath.Join(dir, site, filepath.FromSlash(rel)) }
	names, err := list(sroot, label, o)
	if err != nil {
		return nil, err
	}
	var out []Object
	for _, n := range names {
		b, err := fsguard.ReadFile(sroot, n, label(n), o.Limit)
		if err != nil {
			if o.Lenient && (errors.Is(err, fs.ErrNotExist) || errors.Is(err, fsguard.ErrNotRegular) || errors.Is(err, fsguard.ErrTooLarge)) {
				continue
			}
			return nil, err
		}
		objs, err := parse(label(n), File{Path: n, Data: b})
		if err != nil {
			if o.Lenient {
				continue
			}
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// list returns the object files Read reads, in order.
func list(sroot *os.Root, label func(string) string, o Options) ([]string, error) {
	var names []string
	switch {
	case o.Files != nil:
		for _, f := range o.Files {
			if IsObjectFile(f) {
				names = append(names, f)
			}
		}
		slices.Sort(names)
	case len(o.Dirs) > 0:
		for _, d := range o.Dirs {
			var in []string
			f, err := sroot.Open(filepath.FromSlash(d))
			if err == nil {
				in, err = f.Readdirnames(-1)
				f.Close()
			}
			if err != nil && !errors.Is(err, fs.ErrNotExist) {
				return nil, fmt.Errorf("reading %s: %w", label(d), err)
			}
			slices.Sort(in)
			for _, n := range in {
				if p := path.Join(d, n); IsObjectFile(p) {
					names = append(names, p)
				}
			}
		}
	default:
		err := fs.WalkDir(sroot.FS(), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return fmt.Errorf("reading %s: %w", label(p), err)
			}
			if !d.IsDir() && IsObjectFile(p) {
				names = append(names, p) // ReadFile refuses what is not regular
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return names, nil
}

// Parse parses the files of a site held in memory (read from Git) into
// objects, as Read does from disk; Dirs and Files select the files alike
// (Limit does not apply). label names the site directory in errors.
func Parse(label string, files []File, o Options) ([]Object, error) {
	var sel []File
	for _, f := range files {
		if !IsObjectFile(f.Path) {
			continue
		}
		if o.Files != nil && !slices.Contains(o.Files, f.Path) {
			continue
		}
		if len(o.Dirs) > 0 && !slices.Contains(o.Dirs, path.Dir(f.Path)) {
			continue
		}
		sel = append(sel, f)
	}
	slices.SortFunc(sel, func(a, b File) int {
		if len(o.Dirs) > 0 {
			if c := slices.Index(o.Dirs, path.Dir(a.Path)) - slices.Index(o.Dirs, path.Dir(b.Path)); c != 0 {
				return c
			}
		}
		return strings.Compare(a.Path, b.Path)
	})
	var out []Object
	for _, f := range sel {
		objs, err := parse(path.Join(label, f.Path), f)
		if err != nil {
			if o.Lenient {
				continue
			}
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// parse decodes one object file; name names it in errors.
func parse(name string, f File) ([]Object, error) {
	docs, err := object.Decode(f.Data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	source := "file " + path.Base(f.Path)
	if h, err := header.Read(f.Data); err == nil {
		source = h.Source
	}
	out := make([]Object, 0, len(docs))
	for _, d := range docs {
		out = append(out, Object{Object: object.Object{Doc: d, Tier: path.Dir(f.Path), Source: source}, File: f.Path})
	}
	return out, nil
}
