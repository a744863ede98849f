// Package graph draws the deployment order of sites (`tpgen graph`): the
// components of each site with what each holds by kind, their namespace,
// kind and manual flag, the dependency graph between them (an edge another
// path implies is dotted; a dependency with nothing in the site directory
// is a node of its own), and how the GitOps engine orders them (Argo CD
// sync waves, Flux dependsOn), as Mermaid (which GitHub renders in a pull
// request or a README), Graphviz dot or JSON. A site whose tiers declare
// no dependency and no manual component is drawn as before components had
// them: the engine's order alone (the wave chain, Flux dependsOn).
//
// In: per site, its components in render order with their object counts
// by kind and dependencies, and the GitOps engine's objects as rendered.
// It reads the engine's objects generically (Argo CD Applications and
// their sync-wave annotation, Flux Kustomizations and their dependsOn),
// matching an object to a component by the last element of its source
// path; it knows no platform. Out: deterministic text. It must
// not render, read files or print except to the io.Writer it is given.
package graph
