// Package kube is what tpgen knows about Kubernetes itself, and nothing
// about a platform: which built-in kinds are cluster-scoped, which API
// versions each Kubernetes release removed or deprecated, and how a
// built-in object is checked against its API type (strict decoding into the
// k8s.io/api Go types, the required fields of the Kubernetes OpenAPI
// document, object metadata and workload selectors).
//
// It is a library of the pipeline, not a stage: render/manifest and
// render/validate use it. It never prints, reads files or talks to a
// cluster.
//
//go:generate go run ./internal/genrequired -o required_gen.go
package kube
