// Package diff compares two renderings object by object, for review: what
// `tpgen diff` prints. It is generic: it knows Kubernetes kinds and paths,
// not a platform.
//
// In: the objects of the old and the new tree, each with its site, tier
// and file. Objects are matched by identity (site, group, kind, namespace,
// name), never by line or file, so a renamed file or a reordered list is
// not a change. Out: a Report with objects added, removed and changed, a
// field-level change list per changed object (YAML paths such as
// spec.template.spec.containers[name=lrc].image: list items that all carry
// a unique name are matched by name), attention flags, a summary per site
// and tier, and the formats text, markdown and json.
//
// Rules the report keeps, in every format:
//   - Secret-like values are redacted when the Report is built, so no
//     formatter can print one: everything but the metadata of a Secret,
//     and whatever render/secret.Hide calls a credential: what the
//     validation stage refuses (render/secret.Check: credential-named keys
//     and env entries, URLs with userinfo, private keys, embedded JSON,
//     YAML, properties, env files, kubeconfigs, base64, the value after a
//     --password flag), plus a field under a key that mentions a
//     credential (unless it names a reference: name, key, secretName...)
//     and any string that looks like one (a PEM block, a JWT, an AWS
//     access key id, a long random token). Both sides of a redacted field
//     are hidden, and an added subtree is redacted leaf by leaf.
//   - Noise is summarised, not listed: a change of the labels helm.sh/chart
//     or app.kubernetes.io/version (what every chart or release bump
//     touches on every object) is counted per site as one line; an object
//     whose only change is such a label is not counted as changed. The
//     provenance header of each file is a comment and never compared.
//   - Attention flags come from generic rules over kinds and paths: image,
//     replicas, resources, ports (Service ports and type, load balancer
//     fields, host ports), RBAC, CRD, StorageClass, PriorityClass,
//     NetworkPolicy, cluster-scoped (an object without a namespace).
//   - Release changes (Report.Upgrades, set by the caller, which knows the
//     modules' upgrade rules) are a section of their own: the verdict, or
//     the steps in order.
//
// It must not read files, render or print: formatters write to the
// io.Writer they are given.
package diff
