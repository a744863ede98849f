// Package manifest is the arrangement stage: it gives every object of one
// site its tier (its component's directory, or the cluster directory) and
// file, in a fixed order, ready to write.
//
// In: the site's objects (after overlays) and Options. Out: []File, sorted
// by path, or an error naming each offending object. Rules:
//   - every cluster-scoped object (built-in kinds, and custom kinds whose
//     CRD the site renders with scope Cluster) goes to ClusterTier (the
//     cluster directory), whatever chart produced it, and so does every
//     object of ClusterTiers (components applied as cluster-admin); the
//     KeepTiers (manual components) keep theirs. A cluster administrator
//     applies the cluster directory; GitOps applies the others with a
//     namespaced account;
//   - namespaced objects without metadata.namespace get their tier's
//     namespace (TierNamespaces, else Namespace), so the tree means the
//     same under any apply tool;
//   - objects an overlay adds (no tier yet) go to the cluster tier when
//     cluster-scoped, else to the tier named by their annotation
//     tpgen.dev/tier, else to the last tier;
//   - two objects with the same group, kind, namespace and name are an error.
//
// File name template, inside DIR/<site>/<tier>/:
//
//	<kind>.<group>_<name>.yaml              (core group spelled "core")
//	<kind>.<group>_<namespace>_<name>.yaml  (objects outside the tier's namespace,
//	                                         and every namespaced object of ClusterTier)
//
// kind lower-cased. '_' cannot appear in kinds, groups, namespaces or names,
// so the template cannot collide. Each tier of Tiers also gets a
// kustomization.yaml listing its files in apply order (kind order, then
// namespace, then name); Unit does the same for the cluster directory,
// arranged with the cluster's other sites.
//
// It never reads or writes files and never prints.
package manifest
