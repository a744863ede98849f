package module

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// PathEnv is the environment variable holding the module search path
// (directories separated by the OS list separator, ':' on Unix), used
// after the --module-path directories.
const PathEnv = "TPGEN_MODULE_PATH"

// SearchPath returns flags followed by the directories of PathEnv.
func SearchPath(flags []string) []string {
	out := slices.Clone(flags)
	for _, d := range filepath.SplitList(os.Getenv(PathEnv)) {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Resolve finds the module selector names for a profile in profileDir
// whose input root is inputRoot (see Resolver.Resolve).
func Resolve(selector, profileDir, inputRoot string, searchPath []string) (*Module, error) {
	return (&Resolver{SearchPath: searchPath}).Resolve(selector, profileDir, inputRoot)
}

// Resolver resolves module selectors and keeps each user module it read,
// so the profiles of a fleet that share a module read it once. It is safe
// for concurrent use.
type Resolver struct {
	// SearchPath are the directories holding user modules, one
	// sub-directory each, in the order searched (SearchPath).
	SearchPath []string

	mu    sync.Mutex
	cache map[string]*Module // by directory
}

// Resolve finds the module selector names:
//   - "" is the default built-in module;
//   - a path starting with ./ or ../ is a user module directory relative
//     to profileDir, which must lie inside inputRoot (the directory named
//     on the command line) and be reached through no symbolic link;
//   - any other value is a module name: a built-in module, or a
//     sub-directory of a search path directory. A name found in two places
//     is ambiguous: an error naming both, never a silent choice.
//
// Errors end with a hint line; a name not found lists the known modules.
func (r *Resolver) Resolve(selector, profileDir, inputRoot string) (*Module, error) {
	switch {
	case selector == "":
		return Default(), nil
	case strings.HasPrefix(selector, "./") || strings.HasPrefix(selector, "../"):
		return r.resolvePath(selector, profileDir, inputRoot)
	case strings.ContainsAny(selector, `/\`) || selector == "." || selector == "..":
		return nil, fmt.Errorf("module %q is neither a module name nor a path starting with ./ or ../\nhint: write a module directory relative to the profile as ./DIR or ../DIR, or name a module: %s", selector, r.knownList())
	}
	var found []*Module
	var where []string
	if slices.Contains(BuiltinNames(), selector) {
		m, err := Builtin(selector)
		if err != nil {
			return nil, err
		}
		found, where = append(found, m), append(where, "built into tpgen")
	}
	for _, dir := range r.SearchPath {
		p := filepath.Join(dir, selector)
		if st, err := os.Stat(p); err != nil || !st.IsDir() {
			continue
		}
		m, err := r.load(p)
		if err != nil {
			return nil, err
		}
		found, where = append(found, m), append(where, p)
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("no module named %s\nhint: known modules: %s; add a directory holding it with --module-path or %s, or write a path starting with ./", selector, r.knownList(), PathEnv)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("module name %s is ambiguous: %s\nhint: rename one of them, or select the module by its path (./DIR relative to the profile)", selector, strings.Join(where, " and "))
}

func (r *Resolver) resolvePath(selector, profileDir, inputRoot string) (*Module, error) {
	p := filepath.Join(profileDir, filepath.FromSlash(selector))
	root := filepath.Clean(inputRoot)
	if root == "" {
		root = filepath.Clean(profileDir)
	}
	rel, err := filepath.Rel(absOr(root), absOr(p))
	if err != nil || !filepath.IsLocal(rel) {
		return nil, fmt.Errorf("module %s: %s is outside the profiles' input root %s\nhint: a module path stays inside the directory named on the command line; put the module there, or add its parent directory to --module-path and select it by name", selector, p, root)
	}
	if err := fsguard.NoLinks(profileDir, filepath.FromSlash(selector)); err != nil {
		return nil, fmt.Errorf("module %s: %w", selector, err)
	}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("module %s: %s does not exist\nhint: a module path is relative to the profile's directory (%s)", selector, p, profileDir)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("module %s: %s is not a directory\nhint: a module path names the module's root directory", selector, p)
	}
	return r.load(p)
}

// load reads the user module in dir once.
func (r *Resolver) load(dir string) (*Module, error) {
	key := absOr(dir)
	r.mu.Lock()
	defer r.mu.Unlock()
	if m, ok := r.cache[key]; ok {
		return m, nil
	}
	m, err := Load(dir)
	if err != nil {
		return nil, err
	}
	if r.cache == nil {
		r.cache = map[string]*Module{}
	}
	r.cache[key] = m
	return m, nil
}

// Known lists the built-in modules and those on the search path, sorted
// by name then source.
func (r *Resolver) Known() []Known {
	var out []Known
	for _, n := range BuiltinNames() {
		out = append(out, Known{Name: n, Source: builtinPrefix + n})
	}
	for _, dir := range r.SearchPath {
		entries, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range entries {
			p := filepath.Join(dir, e.Name())
			if st, err := os.Stat(p); err != nil || !st.IsDir() || strings.HasPrefix(e.Name(), ".") {
				continue
			}
			if names, _ := filepath.Glob(filepath.Join(p, "*.cue")); len(names) > 0 {
				out = append(out, Known{Name: e.Name(), Source: p})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Known) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Known is a module found by name.
type Known struct{ Name, Source string }

// Builtin reports whether k is embedded in tpgen.
func (k Known) Builtin() bool { return strings.HasPrefix(k.Source, builtinPrefix) }

func (r *Resolver) knownList() string {
	var names []string
	for _, k := range r.Known() {
		s := k.Name
		if !strings.HasPrefix(k.Source, builtinPrefix) {
			s += " (" + k.Source + ")"
		}
		names = append(names, s)
	}
	return strings.Join(names, ", ")
}

func absOr(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return p
}
