// Package graph draws the deployment order of sites (`tpgen graph`): the
// tiers in install order, what each tier holds by kind, and how the GitOps
// engine orders them (Argo CD sync waves, Flux dependsOn), as Mermaid
// (which GitHub renders in a pull request or a README) or Graphviz dot.
//
// In: per site, its tiers in install order with their object counts by
// kind, and the GitOps engine's objects as rendered. It reads the engine's
// objects generically (Argo CD Applications and their sync-wave
// annotation, Flux Kustomizations and their dependsOn), matching an
// object to a tier by the last element of its source path; it knows
// nothing of any platform. Out: deterministic text. It must not render, read
// files or print except to the io.Writer it is given.
package graph
