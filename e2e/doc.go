// Package e2e proves the rendered example fleet against a real
// kube-apiserver (etcd + kube-apiserver on loopback, started by
// ../shared/tools/apiserver-up.sh). Its tests carry the build tag e2e and
// run with `make e2e`; `make test` does not need a server.
//
// For every example site, on a fresh server: its cluster directory
// (DIR/clusters/<cluster>/, the site's own CRDs included) is applied; the
// upstream CRDs of the same names (../shared/crds: the exact operator
// versions of the release) replace them; the site's components are
// applied in install order; the site's gitops/
// directory (Argo CD or Flux objects, gitops/root or gitops/tiers
// included) is applied last after the Argo CD and Flux CRDs. The count of
// accepted objects must equal the object files of the site and of its
// cluster directory plus those CRDs.
// Every apply is a real server-side apply (field manager tpgen-e2e,
// fieldValidation Strict) as the kubeconfig's admin; every rejection is
// listed with the server's message. A deliberately broken object must be
// refused by tpgen and by the server alike.
//
// Environment: APISERVER_CACHE (where apiserver-up.sh caches its
// binaries), TPGEN_SHARED (default ../shared). Without ../shared the tests
// skip, saying so.
package e2e
