// Package helm is the chart stage: it renders one chart with the Helm SDK's
// template engine, client-only and in process, and returns the objects it
// produced with their template of origin.
//
// In: a loaded chart, values, release name, namespace and capabilities (the
// Kubernetes version and API versions come from the profile and the site's
// CRDs, never from a cluster). Out: []object.Object.
//
// Determinism policy: a function whose result depends on time, randomness
// or fresh key material (now, rand*, uuidv4, gen*, htpasswd, ...) fails
// when it runs (runtime.go), in a template or in text passed to tpl; a call
// in a branch the values do not take is fine (charts generate a secret only
// when no existing Secret is named). The refusal names the template, line
// and include chain and the values the enclosing conditions read
// (explain.go). Subcharts are processed as helm template processes them
// (condition, tags, alias) and documents split as Helm splits them. lookup returns an empty map and getHostByName "" (no
// cluster, no DNS is ever contacted). Hook policy:
// test hooks (helm.sh/hook: test*) are dropped; other hooks are kept as
// plain objects with their annotations, which Argo CD maps to its own hooks.
// NOTES.txt is ignored. It never prints or writes files. A template run
// is bounded in time and heap growth and stopped by its context (bound.go).
// A Cache (cache.go) given in Options serves a rendering whose every input
// was rendered before in the run (the chart's content, values,
// Capabilities, release, namespace): a fleet's sites share most of theirs.
package helm
