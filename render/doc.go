// Package render is the orchestrator of tpgen's pipeline:
//
//	profile -> plan -> helm -> kustomize -> manifest -> output
//
// Run loads and validates the profiles (render/profile), evaluates each
// site's plan, renders the plan's tiers through Helm (render/helm) in
// install order, applies the overlays (render/kustomize), arranges the
// objects into files (render/manifest), and only when every site succeeded
// writes them (render/output). Stages exchange plain values; none imports
// another; only this package composes them. It never prints (progress goes
// to an io.Writer given in Options) and never exits.
//
// review.go composes the review commands from the same stages: Diff
// renders in memory and compares with the output directory at a Git
// revision (render/gitrev, render/diff), Flows evaluates each profile's
// flow matrix (render/profile, render/flows), Graph feeds render/graph.
//
// Concurrency: sites render in parallel on Options.Jobs workers; output is
// identical for any Jobs. CUE evaluation happens before, on one goroutine.
package render
