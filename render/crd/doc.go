// Package crd validates custom resources against CustomResourceDefinitions
// the way kube-apiserver does, with the API server's own code
// (k8s.io/apiextensions-apiserver): a CRD is checked as on create
// (structural schema, pruned defaults, CEL rules that compile, names), and a
// custom resource goes through the create path of the server: pruning of
// unknown fields (reported as errors, as with fieldValidation=Strict),
// metadata coercion, defaulting, OpenAPI schema validation, embedded
// resources, x-kubernetes-list-type invariants and x-kubernetes-validations
// (CEL) rules.
//
// It holds no platform knowledge and is not a stage: render/validate
// checks a site's custom resources against the CRDs the same site renders,
// and tests check rendered objects against upstream CRDs (e.g. the Argo CD,
// Flux or operator CRDs in ../shared/crds):
//
//	set, err := crd.Load("../shared/crds/flux-v2")
//	errs := set.Validate(obj) // obj: map[string]any, one object
//
// A Set is safe for concurrent use once built. It never talks to a cluster.
package crd
