// Package manifest is the arrangement stage: it gives every object of one
// site its tier and file, in a fixed order, ready to write.
//
// In: the site's objects (after overlays) and Options. Out: []File, sorted
// by path, or an error naming each offending object. Rules:
//   - every cluster-scoped object (built-in kinds, and custom kinds whose
//     CRD the site renders with scope Cluster) goes to the cluster tier,
//     whatever chart produced it: GitOps applies that tier with a
//     cluster-admin account and the others with a namespaced one;
//   - namespaced objects without metadata.namespace get the site namespace,
//     so the tree means the same under any apply tool;
//   - objects an overlay adds (no tier yet) go to the cluster tier when
//     cluster-scoped, else to the tier named by their annotation
//     tpgen.dev/tier, else to the last tier;
//   - two objects with the same group, kind, namespace and name are an error.
//
// File name template, inside DIR/<site>/<tier>/:
//
//	<kind>.<group>_<name>.yaml              (core group spelled "core")
//	<kind>.<group>_<namespace>_<name>.yaml  (objects outside the site namespace)
//
// kind lower-cased. '_' cannot appear in kinds, groups, namespaces or names,
// so the template cannot collide. Each tier also gets a kustomization.yaml
// listing its files in apply order (kind order, then namespace, then name).
//
// It never reads or writes files and never prints.
package manifest
