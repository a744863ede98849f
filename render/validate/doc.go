// Package validate is the validation stage of the pipeline: it proves every
// object of one site against Kubernetes and against tpgen's policy before
// anything is written.
//
//	profile -> plan -> helm -> kustomize -> manifest -> validate -> output
//
// In: the site's objects, each with its tier, its source (chart template or
// overlay) and the file it goes to, and Options built from the site's plan
// (Kubernetes version, namespace, cluster tier, and the Policy block of the
// plan: priority class names, exposed ports, NetworkPolicy switch, objects
// the cluster provides, extra reference fields of custom resources,
// waivers). Out: Findings, sorted, each naming the site, the object
// (Kind/namespace/name), its file, the field path, the source, the check id,
// a message and a hint. Findings of severity error stop the render; warnings
// are reported and do not.
//
// The checks (see Checks for the list and README.md for the table):
//   - Kubernetes: built-in kinds decoded strictly into their API types with
//     the required fields of the Kubernetes OpenAPI document (render/kube);
//     API versions against the site's Kubernetes version (removed: error,
//     deprecated: warning with the replacement); CRDs checked as the API
//     server checks them on create and custom resources validated against the
//     structural schemas of the CRDs the same site renders (render/crd, the
//     API server's own code);
//   - references: priority, storage and ingress classes, service accounts,
//     Secrets, ConfigMaps, Service and PodDisruptionBudget selectors resolve
//     to an object the site renders or the profile declares provided;
//   - policy: requests, priority classes, pinned images, no Secret data or
//     inline credentials, exactly the planned load balancer ports, scope,
//     NetworkPolicies, no privileged or host access. A policy finding can be
//     waived per site in the profile (policy.waivers, with a reason),
//     except secret-data, credential-in-config, cluster-tier and
//     site-namespace; a waived finding is kept with its reason, and a
//     waiver that waives nothing is a warning. Credentials are found by
//     render/secret, the detector the profile loader and diff use too.
//
// The Go here is generic: platform knowledge (which ports a security mode
// opens, which priority classes, what the cluster provides) comes in Options
// from the CUE plan. It never prints, reads files or talks to a cluster.
//
// Concurrency: Run may be called for several sites at once.
package validate
