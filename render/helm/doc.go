// Package helm is the chart stage: it renders one chart with the Helm SDK's
// template engine, client-only and in process, and returns the objects it
// produced with their template of origin.
//
// In: a loaded chart, values, release name, namespace and capabilities (the
// Kubernetes version and API versions come from the profile and the site's
// CRDs, never from a cluster). Out: []object.Object.
//
// Determinism policy: templates that call a function whose result depends on
// time, randomness or fresh key material (now, rand*, uuidv4, gen*, ...)
// are refused with an error naming the template and line, before rendering;
// the same functions fail when they run (text passed to tpl at run time),
// see runtime.go. lookup returns an empty map and getHostByName "" (no
// cluster, no DNS is ever contacted). Hook policy:
// test hooks (helm.sh/hook: test*) are dropped; other hooks are kept as
// plain objects with their annotations, which Argo CD maps to its own hooks.
// NOTES.txt is ignored. It never prints or writes files. A template run
// is bounded in time and heap growth and stopped by its context (bound.go).
package helm
