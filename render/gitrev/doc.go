// Package gitrev reads files as committed at a Git revision, in process
// (go-git; nothing is shelled out). tpgen's review commands use it to read
// the output directory or the profiles of a base revision.
//
// In: a path inside a Git work tree and a revision. Out: the files under
// that path at that revision, as bytes keyed by slash-separated paths
// relative to it. It never writes, fetches or prints.
//
// The default base (an empty revision) is the merge base of HEAD with the
// default branch: the target of refs/remotes/origin/HEAD when the clone has
// one, else the first of the local branches main and master, else
// origin/main or origin/master. In a pull request's branch this is the
// commit the branch forked from; on the default branch itself it is HEAD.
//
// RepoPath places a directory in its work tree (walking up to .git, no
// repository opened): render derives the path the GitOps objects sync
// from it.
package gitrev
