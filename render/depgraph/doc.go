// Package depgraph is the dependency graph of a site's components: it
// checks a declared graph (unknown names, cycles, printed with their path)
// and answers what the stages ask of it: the render order, each
// component's depth (Argo CD sync waves), its transitively reduced
// dependencies (Flux dependsOn) and everything it depends on (the CRDs
// that reach its Helm Capabilities).
//
// In: component names and their declared dependencies. Out: sorted,
// deterministic answers. It knows nothing of charts, objects or engines.
package depgraph
