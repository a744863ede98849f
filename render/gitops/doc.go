// Package gitops is the stage that wraps a rendered site for its GitOps
// engine: Argo CD Applications and AppProjects, or a Flux GitRepository and
// Kustomizations, one per synced component (a Tier), ordered by the
// component graph; and the bootstrap of a cluster unit (ClusterObjects).
//
// In: the site's tiers, each with the account that applies it, its
// namespace, what it depends on and its rendered objects (after manifest
// arrangement: cluster-scoped objects carry no namespace), the namespaces
// the plan declares, the site's cluster, and the engine settings of the
// plan. Out: the engine's objects, each with its output directory as Tier
// (see Dirs and ClusterDirs). The objects follow from their input alone;
// nothing here knows a platform: names, accounts and timeouts come from the
// plan.
//
// Ordering (render/depgraph): an Argo CD Application's sync wave is its
// component's depth; a Flux Kustomization dependsOn exactly the
// transitively reduced edges. A dependency on a name that is no tier (a
// component with nothing in the site directory) counts as depth 0; with a
// cluster unit, Flux components without a site-local dependency depend on
// the unit's Kustomization cluster-<cluster>. A caller that sets neither
// DependsOn nor Cluster gets the tiers chained in list order, as before
// components had dependencies.
//
// Layout under DIR/<site>/:
//
//	argocd  gitops/       AppProjects and one Application per tier, synced by
//	                      the root Application
//	        gitops/root/  the root Application (app of apps), applied once
//	flux    gitops/       GitRepository, the cluster-admin account, the
//	                      Kustomizations of the cluster-admin tiers and the
//	                      one that applies gitops/tiers/
//	        gitops/tiers/ Kustomizations of the tiers applied by a
//	                      namespaced ServiceAccount, each in its namespace
//
// and under DIR/clusters/<cluster>/gitops/, applied by the cluster
// administrator: Argo CD AppProject and Application cluster-<cluster>, or
// a Flux GitRepository, cluster-admin account and Kustomization
// cluster-<cluster>.
//
// It must not render charts, read files or print.
package gitops
