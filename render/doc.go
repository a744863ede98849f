// Package render is the orchestrator of tpgen's pipeline:
//
//	profile -> plan -> helm -> kustomize -> manifest -> validate -> output
//
// Run loads and validates the profiles (render/profile), evaluates each
// site's plan, sets the path its GitOps objects sync to where the tree is
// written (OutDir in its Git work tree, via render/gitrev; a profile's
// gitops.path elsewhere is refused), renders the plan's components in
// dependency order (render/depgraph; Helm charts through render/helm, the
// module's manifests and Kustomize directories), applies the overlays
// (render/kustomize), arranges the objects into files (render/manifest),
// proves every object against Kubernetes and policy (render/validate),
// assembles each cluster's directory from its sites' cluster-scoped
// objects (cluster.go: written once, conflicts refused), and only when
// every site succeeded with no error finding writes them (render/output),
// where and as Options.WriteOptions say (none: in memory only).
// ValidateRendered runs the validation stage over a tree already written,
// read back by render/tree. Each SiteResult keeps the arranged objects
// (Tree) with the bytes, so callers never parse what was just rendered.
// Stages exchange plain values; none imports another; only this package
// composes them. It never prints (progress goes
// to an io.Writer given in Options) and never exits.
//
// Before rendering, Run compares each site's release (the plan's) with
// the one OutDir's index records and refuses a change the module's
// upgrade rule (#Upgrade) refuses (upgrade.go; CheckUpgrades does the
// same for validate --previous). Values returns the values of each Helm
// component as the plan computes them, without rendering (tpgen values).
//
// The review verbs (diff, flows, graph) are not part of the pipeline:
// render/review composes them from Run and the stages.
//
// Concurrency: sites render in parallel on Options.Jobs workers; output is
// identical for any Jobs. CUE evaluation happens before, on one goroutine.
package render
