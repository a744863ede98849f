package gitrev

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// Repo is the Git repository around a work tree.
type Repo struct {
	repo *git.Repository
	root string // the work tree's root, symlinks resolved
	// Limits bounds each file ReadDir returns (none when nil).
	Limits Limits
}

// Commit is a resolved revision.
type Commit struct {
	c *object.Commit
	// Name says how it was found, e.g. "merge base of HEAD and main
	// (1a2b3c4)" or "v1.2 (1a2b3c4)".
	Name string
}

// Hash returns the commit's full hash.
func (c *Commit) Hash() string { return c.c.Hash.String() }

// Open finds the repository whose work tree holds path (a file or
// directory that need not exist yet: its nearest existing parent is used).
func Open(path string) (*Repo, error) {
	abs, err := resolve(path)
	if err != nil {
		return nil, err
	}
	start := abs
	for {
		if _, err := os.Stat(start); err == nil {
			break
		}
		parent := filepath.Dir(start)
		if parent == start {
			break
		}
		start = parent
	}
	r, err := git.PlainOpenWithOptions(start, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if err != nil {
		if errors.Is(err, git.ErrRepositoryNotExists) {
			return nil, fmt.Errorf("%s is not inside a Git repository\nhint: run in a clone of the configuration repository, or compare with the files on disk: --base worktree", path)
		}
		return nil, fmt.Errorf("opening the Git repository of %s: %w", path, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, fmt.Errorf("opening the Git repository of %s: %w", path, err)
	}
	root, err := resolve(wt.Filesystem.Root())
	if err != nil {
		return nil, err
	}
	return &Repo{repo: r, root: root}, nil
}

// resolve returns path absolute, with the symlinks of its existing part
// resolved (so that it compares with the work tree's root).
func resolve(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	var rest []string
	for p := abs; ; p = filepath.Dir(p) {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...), nil
		}
		if filepath.Dir(p) == p {
			return abs, nil
		}
		rest = append([]string{filepath.Base(p)}, rest...)
	}
}

// Rel returns path relative to the work tree's root, slash-separated ("."
// for the root).
func (r *Repo) Rel(path string) (string, error) {
	abs, err := resolve(path)
	if err != nil {
		return "", err
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s is outside the Git work tree %s", path, r.root)
	}
	return filepath.ToSlash(rel), nil
}

// Resolve returns the commit rev names (a branch, tag, commit or any
// expression go-git resolves, such as HEAD~1), or the default base when
// rev is empty (see the package doc).
func (r *Repo) Resolve(rev string) (*Commit, error) {
	if rev != "" {
		h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
		if err != nil {
			return nil, fmt.Errorf("resolving revision %q: %w\nhint: --base takes a branch, a tag or a commit of this repository (fetch it first if it is remote)", rev, err)
		}
		c, err := r.repo.CommitObject(*h)
		if err != nil {
			return nil, fmt.Errorf("reading commit %s: %w", h, err)
		}
		return &Commit{c: c, Name: fmt.Sprintf("%s (%s)", rev, short(c))}, nil
	}
	head, err := r.repo.Head()
	if err != nil {
		return nil, fmt.Errorf("reading HEAD: %w\nhint: commit something first, or pass --base", err)
	}
	hc, err := r.repo.CommitObject(head.Hash())
	if err != nil {
		return nil, fmt.Errorf("reading HEAD: %w", err)
	}
	name, ref, err := r.defaultBranch()
	if err != nil {
		return nil, err
	}
	dc, err := r.repo.CommitObject(ref)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", name, err)
	}
	bases, err := hc.MergeBase(dc)
	if err != nil {
		return nil, fmt.Errorf("finding the merge base of HEAD and %s: %w", name, err)
	}
	if len(bases) == 0 {
		return nil, fmt.Errorf("HEAD and %s have no common commit\nhint: pass --base REF", name)
	}
	// Several best common ancestors (criss-cross merges): take the
	// smallest hash, so the choice does not depend on traversal order.
	slices.SortFunc(bases, func(a, b *object.Commit) int { return strings.Compare(a.Hash.String(), b.Hash.String()) })
	return &Commit{c: bases[0], Name: fmt.Sprintf("merge base of HEAD and %s (%s)", name, short(bases[0]))}, nil
}

func short(c *object.Commit) string { return c.Hash.String()[:12] }

// defaultBranch returns the name and commit of the default branch.
func (r *Repo) defaultBranch() (string, plumbing.Hash, error) {
	if ref, err := r.repo.Reference("refs/remotes/origin/HEAD", true); err == nil {
		return strings.TrimPrefix(ref.Name().String(), "refs/remotes/"), ref.Hash(), nil
	}
	for _, name := range []string{"refs/heads/main", "refs/heads/master", "refs/remotes/origin/main", "refs/remotes/origin/master"} {
		if ref, err := r.repo.Reference(plumbing.ReferenceName(name), true); err == nil {
			n := strings.TrimPrefix(strings.TrimPrefix(name, "refs/heads/"), "refs/remotes/")
			return n, ref.Hash(), nil
		}
	}
	return "", plumbing.ZeroHash, fmt.Errorf("cannot find the default branch: no origin/HEAD, main or master\nhint: pass --base REF (a branch, tag or commit)")
}

// ReadDir returns the regular files under path (relative to the work
// tree's root, slash-separated; "." for all) as committed in c, keyed by
// their path relative to path. A path that does not exist in c gives an
// empty map; a path that is a file gives that one file under the key "".
// Symbolic links and submodules are skipped.
func (r *Repo) ReadDir(c *Commit, path string) (map[string][]byte, error) {
	tree, err := c.c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading the tree of %s: %w", c.Name, err)
	}
	out := map[string][]byte{}
	path = strings.Trim(path, "/")
	if path != "." && path != "" {
		e, err := tree.FindEntry(path)
		switch {
		case errors.Is(err, object.ErrEntryNotFound) || errors.Is(err, object.ErrDirectoryNotFound):
			return out, nil
		case err != nil:
			return nil, fmt.Errorf("reading %s at %s: %w", path, c.Name, err)
		}
		if e.Mode != filemode.Dir {
			if !e.Mode.IsFile() || e.Mode == filemode.Symlink {
				return out, nil
			}
			f, err := tree.TreeEntryFile(e)
			if err != nil {
				return nil, fmt.Errorf("reading %s at %s: %w", path, c.Name, err)
			}
			b, err := r.contents(f)
			if err != nil {
				return nil, fmt.Errorf("reading %s at %s: %w", path, c.Name, err)
			}
			out[""] = b
			return out, nil
		}
		if tree, err = tree.Tree(path); err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", path, c.Name, err)
		}
	}
	err = tree.Files().ForEach(func(f *object.File) error {
		if f.Mode == filemode.Symlink || !f.Mode.IsFile() {
			return nil
		}
		b, err := r.contents(f)
		if err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
		out[f.Name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", path, c.Name, err)
	}
	return out, nil
}

// Limits gives the bound of a file by its path (slash-separated,
// relative to the directory read); a zero Max is no bound.
type Limits func(name string) fsguard.Limit

// of is the bound of file name (none when l is nil).
func (l Limits) of(name string) fsguard.Limit {
	if l == nil {
		return fsguard.Limit{}
	}
	return l(name)
}

func (r *Repo) contents(f *object.File) ([]byte, error) {
	if lim := r.Limits.of(f.Name); lim.Max > 0 && f.Size > lim.Max {
		return nil, fsguard.TooLarge(f.Size, lim)
	}
	rd, err := f.Reader()
	if err != nil {
		return nil, err
	}
	defer rd.Close()
	return io.ReadAll(rd)
}

// ReadDisk returns the regular files under dir on disk, keyed as ReadDir
// keys them; a missing dir gives an empty map. It is the "worktree" base.
// Files are read through the input guard (regular files only, each within
// lim); symbolic links are skipped, as ReadDir skips them.
func ReadDisk(dir string, limits Limits) (map[string][]byte, error) {
	out := map[string][]byte{}
	st, err := os.Stat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		b, err := fsguard.ReadPath(dir, limits.of(filepath.Base(dir)))
		if err != nil {
			return nil, err
		}
		out[""] = b
		return out, nil
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	err = fs.WalkDir(root.FS(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := fsguard.ReadFile(root, p, filepath.Join(dir, filepath.FromSlash(p)), limits.of(p))
		if err != nil {
			return err
		}
		out[p] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", dir, err)
	}
	return out, nil
}

// RepoPath returns dir (which need not exist) relative to the root of the
// Git work tree that holds it, slash-separated ("." for the root), found
// by walking up to a .git entry without opening the repository; inGit is
// false when no work tree holds dir, and the path is then relative to the
// working directory (it may climb with ..).
func RepoPath(dir string) (rel string, inGit bool, err error) {
	abs, err := resolve(dir)
	if err != nil {
		return "", false, err
	}
	for p := abs; ; p = filepath.Dir(p) {
		if _, err := os.Lstat(filepath.Join(p, ".git")); err == nil {
			r, err := filepath.Rel(p, abs)
			return filepath.ToSlash(r), true, err
		}
		if filepath.Dir(p) == p {
			break
		}
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", false, err
	}
	if wd, err = resolve(wd); err != nil {
		return "", false, err
	}
	r, err := filepath.Rel(wd, abs)
	return filepath.ToSlash(r), false, err
}
