// Package migrate brings raw Kubernetes manifests written for old clusters
// onto the API versions a target Kubernetes release serves (tpgen
// migrate). It is not a stage of the render pipeline: it reads a directory
// of manifests and writes another.
//
// In: SRC, a directory of manifests in any layout (.yaml and .yml files,
// multi-document, read through internal/fsguard: regular files only,
// bounded, nothing outside SRC), and Options (the target release). Out: a
// Plan, one file per object and a Report; Write puts the files into DST.
//
// Rules:
//   - An object whose apiVersion the target no longer serves (render/kube
//     lifecycle table) is converted to the newest replacement the target
//     serves, when a conversion keeps its meaning; each conversion is a
//     warning with the source file:line and what changed (defaults the old
//     version applied are written out, fields it had and the new one lacks
//     are said). An object on a deprecated version whose replacement the
//     target serves is converted too, with a warning saying so.
//   - What cannot be converted faithfully is refused with file:line,
//     Kind/namespace/name and what to do: PodSecurityPolicy and other APIs
//     with no successor, CustomResourceDefinitions in
//     apiextensions.k8s.io/v1beta1 without a structural schema, custom
//     resources of API groups that no longer exist (certmanager.k8s.io), a
//     kind under a Kubernetes group/version that never held it, documents
//     that are not Kubernetes objects, YAML that does not parse.
//   - Every converted object decodes strictly into its current API type
//     (render/kube Check), or it is refused.
//   - Objects already current are written unchanged (keys sorted, comments
//     dropped). kustomization.yaml files are skipped with a warning; a
//     v1 List is split into its items.
//   - Layout of DST: <namespace>/<kind>.<group>_<name>.yaml for namespaced
//     objects, _cluster/<kind>.<group>_<name>.yaml for cluster-scoped
//     ones, _no-namespace/... for namespaced objects (or custom resources
//     of unknown scope) without metadata.namespace. Kind lower-cased, core
//     group spelled "core". Two source objects with the same group, kind,
//     namespace and name are an error.
//   - Output is deterministic, and migrating DST again gives the same
//     bytes and no warning.
//   - Write replaces DST whole (built beside it, then renamed in place),
//     and only a DST that is missing, empty, or holds the marker file
//     .tpgen-migrate of an earlier run, unless forced.
//
// It never fetches anything and never prints.
package migrate
