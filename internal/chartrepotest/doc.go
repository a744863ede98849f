// Package chartrepotest serves real charts to tests: the archives of
// ../shared/helm-repo (never copied into the repository) from a loopback
// Helm HTTP repository and from an in-process OCI registry
// (go-containerregistry's pkg/registry), with or without basic auth, and
// records the Authorization header every request carried.
package chartrepotest
