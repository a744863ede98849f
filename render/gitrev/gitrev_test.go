package gitrev

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
)

// repo is a test repository built with go-git, so the test needs no git
// binary.
type repo struct {
	t    *testing.T
	dir  string
	r    *git.Repository
	when time.Time
}

func newRepo(t *testing.T) *repo {
	dir := t.TempDir()
	r, err := git.PlainInitWithOptions(dir, &git.PlainInitOptions{
		InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")},
	})
	require.NoError(t, err)
	return &repo{t: t, dir: dir, r: r, when: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (r *repo) write(files map[string]string) {
	for p, s := range files {
		full := filepath.Join(r.dir, filepath.FromSlash(p))
		require.NoError(r.t, os.MkdirAll(filepath.Dir(full), 0o755))
		if s == "" {
			require.NoError(r.t, os.Remove(full))
			continue
		}
		require.NoError(r.t, os.WriteFile(full, []byte(s), 0o644))
	}
}

func (r *repo) commit(msg string) plumbing.Hash {
	wt, err := r.r.Worktree()
	require.NoError(r.t, err)
	require.NoError(r.t, wt.AddWithOptions(&git.AddOptions{All: true}))
	r.when = r.when.Add(time.Minute)
	h, err := wt.Commit(msg, &git.CommitOptions{Author: &object.Signature{Name: "t", Email: "t@example.net", When: r.when}})
	require.NoError(r.t, err)
	return h
}

func (r *repo) checkout(branch string, create bool) {
	wt, err := r.r.Worktree()
	require.NoError(r.t, err)
	require.NoError(r.t, wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName(branch), Create: create}))
}

func TestReadDirAtRevisions(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"deploy/a/x.yaml": "one\n", "deploy/b.yaml": "b\n", "other.txt": "o\n"})
	first := r.commit("first")
	r.write(map[string]string{"deploy/a/x.yaml": "two\n", "deploy/c.yaml": "c\n"})
	r.commit("second")

	g, err := Open(filepath.Join(r.dir, "deploy"))
	require.NoError(t, err)
	rel, err := g.Rel(filepath.Join(r.dir, "deploy"))
	require.NoError(t, err)
	require.Equal(t, "deploy", rel)

	tests := []struct {
		name, rev, path string
		want            map[string]string
	}{
		{name: "HEAD", rev: "HEAD", path: "deploy", want: map[string]string{"a/x.yaml": "two\n", "b.yaml": "b\n", "c.yaml": "c\n"}},
		{name: "parent", rev: "HEAD~1", path: "deploy", want: map[string]string{"a/x.yaml": "one\n", "b.yaml": "b\n"}},
		{name: "by hash", rev: first.String(), path: "deploy/a", want: map[string]string{"x.yaml": "one\n"}},
		{name: "a file", rev: "HEAD", path: "deploy/b.yaml", want: map[string]string{"": "b\n"}},
		{name: "missing directory", rev: "HEAD~1", path: "nowhere", want: map[string]string{}},
		{name: "root", rev: "HEAD~1", path: ".", want: map[string]string{"deploy/a/x.yaml": "one\n", "deploy/b.yaml": "b\n", "other.txt": "o\n"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := g.Resolve(tc.rev)
			require.NoError(t, err)
			got, err := g.ReadDir(c, tc.path)
			require.NoError(t, err)
			gotS := map[string]string{}
			for k, v := range got {
				gotS[k] = string(v)
			}
			if d := cmp.Diff(tc.want, gotS); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
		})
	}

	_, err = g.Resolve("no-such-branch")
	require.ErrorContains(t, err, `resolving revision "no-such-branch"`)
	require.ErrorContains(t, err, "hint: --base takes")
}

func TestDefaultBaseIsTheMergeBase(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"deploy/x.yaml": "base\n"})
	base := r.commit("base")
	r.checkout("feature", true)
	r.write(map[string]string{"deploy/x.yaml": "feature\n"})
	r.commit("feature work")
	r.checkout("main", false)
	r.write(map[string]string{"deploy/x.yaml": "main moved on\n"})
	mainHead := r.commit("main work")
	r.checkout("feature", false)

	g, err := Open(r.dir)
	require.NoError(t, err)
	c, err := g.Resolve("")
	require.NoError(t, err)
	require.Equal(t, base.String(), c.Hash(), "the fork point, not main's head")
	require.Contains(t, c.Name, "merge base of HEAD and main")
	files, err := g.ReadDir(c, "deploy")
	require.NoError(t, err)
	require.Equal(t, "base\n", string(files["x.yaml"]))

	// On the default branch itself the base is HEAD.
	r.checkout("main", false)
	c, err = g.Resolve("")
	require.NoError(t, err)
	require.Equal(t, mainHead.String(), c.Hash())

	// origin/HEAD wins over local main.
	require.NoError(t, g.repo.Storer.SetReference(plumbing.NewHashReference("refs/remotes/origin/trunk", base)))
	require.NoError(t, g.repo.Storer.SetReference(plumbing.NewSymbolicReference("refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")))
	c, err = g.Resolve("")
	require.NoError(t, err)
	require.Equal(t, base.String(), c.Hash())
	require.Contains(t, c.Name, "origin/trunk")
}

func TestNoDefaultBranch(t *testing.T) {
	r := newRepo(t)
	r.write(map[string]string{"x": "x\n"})
	r.commit("x")
	r.checkout("topic", true)
	require.NoError(t, r.r.Storer.RemoveReference("refs/heads/main"))
	g, err := Open(r.dir)
	require.NoError(t, err)
	_, err = g.Resolve("")
	require.ErrorContains(t, err, "cannot find the default branch")
	require.ErrorContains(t, err, "hint: pass --base REF")
}

func TestOpenOutsideARepository(t *testing.T) {
	_, err := Open(t.TempDir())
	require.ErrorContains(t, err, "is not inside a Git repository")
	require.ErrorContains(t, err, "--base worktree")
}

func TestOpenANotYetExistingDirectory(t *testing.T) {
	r := newRepo(t)
	g, err := Open(filepath.Join(r.dir, "deploy", "new"))
	require.NoError(t, err)
	rel, err := g.Rel(filepath.Join(r.dir, "deploy", "new"))
	require.NoError(t, err)
	require.Equal(t, "deploy/new", rel)
	_, err = g.Rel(t.TempDir())
	require.ErrorContains(t, err, "outside the Git work tree")
}

func TestReadDisk(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "a"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "a", "x"), []byte("x"), 0o644))
	got, err := ReadDisk(dir, nil)
	require.NoError(t, err)
	require.Equal(t, map[string][]byte{"a/x": []byte("x")}, got)
	got, err = ReadDisk(filepath.Join(dir, "missing"), nil)
	require.NoError(t, err)
	require.Empty(t, got)
}

// TestRepoPath: a directory (existing or not) relative to the root of the
// work tree that holds it, whose .git is a directory or a file (a linked
// worktree or a submodule), through symlinks; else relative to the
// working directory.
func TestRepoPath(t *testing.T) {
	base, err := filepath.EvalSymlinks(t.TempDir())
	require.NoError(t, err)
	mk := func(p string) string {
		require.NoError(t, os.MkdirAll(filepath.Join(base, p), 0o755))
		return filepath.Join(base, p)
	}
	mk("repo/.git")
	mk("repo/config")
	mk("wt")
	require.NoError(t, os.WriteFile(filepath.Join(base, "wt", ".git"), []byte("gitdir: ../repo/.git/worktrees/wt\n"), 0o644))
	mk("plain/sub")
	require.NoError(t, os.Symlink(filepath.Join(base, "repo"), filepath.Join(base, "link")))
	tests := []struct {
		name, cwd, dir string
		want           string
		inGit          bool
	}{
		{name: "at the root", cwd: "repo", dir: "deploy", want: "deploy", inGit: true},
		{name: "the root itself", cwd: "repo", dir: ".", want: ".", inGit: true},
		{name: "from a subdirectory", cwd: "repo/config", dir: "../clusters/prod", want: "clusters/prod", inGit: true},
		{name: "absolute", cwd: "plain", dir: filepath.Join(base, "repo", "deploy"), want: "deploy", inGit: true},
		{name: "through a symlink", cwd: "plain", dir: filepath.Join(base, "link", "deploy"), want: "deploy", inGit: true},
		{name: "linked worktree (.git file)", cwd: "wt", dir: "out/x", want: "out/x", inGit: true},
		{name: "no work tree", cwd: "plain", dir: "sub/deploy", want: "sub/deploy"},
		{name: "no work tree, outside the working directory", cwd: "plain/sub", dir: "../../elsewhere", want: "../../elsewhere"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(filepath.Join(base, tt.cwd))
			got, inGit, err := RepoPath(tt.dir)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.inGit, inGit)
		})
	}
}
