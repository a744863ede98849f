package module

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing/fstest"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/modules"
)

// Module is one platform module.
type Module struct {
	// Name is the module's directory name: how a profile selects it.
	Name string
	// Source says where it comes from: "builtin:<name>" or the directory
	// it was read from, as given. It identifies the module: two modules
	// of one source are the same.
	Source string
	// FS holds the module's files, paths relative to its root.
	FS fs.FS
}

// Builtin reports whether m is embedded in tpgen.
func (m *Module) Builtin() bool { return strings.HasPrefix(m.Source, builtinPrefix) }

const builtinPrefix = "builtin:"

// FileLimit bounds each file of a user module, MaxSize all of them.
var (
	FileLimit = fsguard.Limit{Max: 16 << 20, What: "module file size", Raise: "a smaller file (charts and manifests of a module are text)"}
	MaxSize   = int64(256 << 20)
)

// Default returns the built-in module of a profile that names none.
func Default() *Module {
	m, err := Builtin(modules.Default())
	if err != nil {
		panic(err) // a build defect: modules/default names no embedded module
	}
	return m
}

// Builtin returns the embedded module name.
func Builtin(name string) (*Module, error) {
	if !slices.Contains(BuiltinNames(), name) {
		return nil, fmt.Errorf("no built-in module %s\nhint: the built-in modules are %s", name, strings.Join(BuiltinNames(), ", "))
	}
	sub, err := fs.Sub(modules.FS, name)
	if err != nil {
		return nil, err
	}
	return &Module{Name: name, Source: builtinPrefix + name, FS: sub}, nil
}

// BuiltinNames lists the embedded modules, sorted.
func BuiltinNames() []string {
	entries, _ := fs.ReadDir(modules.FS, ".")
	var out []string
	for _, e := range entries {
		if e.IsDir() && isModule(modules.FS, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// isModule says whether dir of fsys holds a .cue file at its root.
func isModule(fsys fs.FS, dir string) bool {
	names, _ := fs.Glob(fsys, path.Join(dir, "*.cue"))
	return len(names) > 0
}

// Load reads the user module in dir (a path as the user gave it) into
// memory through fsguard: regular files only, each within FileLimit and
// all within MaxSize; a symbolic link is followed only to a file inside
// dir, a link to a directory is refused. Names starting with '.' (a .git
// directory) are skipped, except a chart's .helmignore.
func Load(dir string) (*Module, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("loading module %s: %w", dir, unwrapPath(err))
	}
	defer root.Close()
	files := fstest.MapFS{}
	var total int64
	skip := func(rel string, fi fs.FileInfo) bool {
		base := path.Base(rel)
		return strings.HasPrefix(base, ".") && base != ".helmignore"
	}
	err = fsguard.Walk(root, ".", dir, FileLimit, skip, func(rel string, data []byte) error {
		if total += int64(len(data)); total > MaxSize {
			return fmt.Errorf("%w\nhint: a module holds CUE, charts and manifests; keep build outputs and archives out of it", fsguard.TooLarge(total, fsguard.Limit{Max: MaxSize, What: "module size", Raise: "a smaller module"}))
		}
		files[rel] = &fstest.MapFile{Data: data, Mode: 0o444}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("loading module %s: %w", dir, err)
	}
	if !isModule(files, ".") {
		return nil, fmt.Errorf("loading module %s: no .cue file at its root\nhint: a module's root holds its CUE package (#Profile, #Plan, profileDefaults)", dir)
	}
	return &Module{Name: filepath.Base(filepath.Clean(dir)), Source: dir, FS: files}, nil
}

// unwrapPath drops Go's "openat"/"open" from a path error.
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
