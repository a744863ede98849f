// Package tree reads a rendered site back into objects: the one reader of
// DIR/<site>/ and of the cluster directories DIR/clusters/<cluster>/ (read
// as a unit named "clusters/<cluster>"; Dirs ["."] reads its top level
// only, without its gitops/) for every verb that looks at a tree tpgen
// wrote (validate --rendered, the previous rendering render compares
// with, the base of diff) and for the tests.
//
// In: a site directory on disk (Read, through internal/fsguard: nothing
// outside the tree's root, regular files only, each within a limit), or
// its files already in memory, read from Git (Parse). Out: the objects of
// the site's object files (every *.yaml file but a tier's
// kustomization.yaml), in path order, each with its file (relative to the
// site directory), its directory as Tier ("enterprise", "gitops/tiers")
// and the source its header names (render/header), or "file <name>" when
// the file has no tpgen header.
//
// A rendering in memory needs no reader: render's SiteResult carries the
// arranged objects. It never writes and never prints.
package tree
