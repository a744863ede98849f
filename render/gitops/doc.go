// Package gitops is the stage that wraps a rendered site for its GitOps
// engine: Argo CD Applications and AppProjects, or a Flux GitRepository and
// Kustomizations, one per tier, in install order.
//
// In: the site's tiers in install order, each with the account that applies
// it and its rendered objects (after manifest arrangement: cluster-scoped
// objects carry no namespace), and the engine settings of the plan.
// Out: the engine's objects, each with its output directory as Tier (see
// Dirs). The objects follow from their input alone; nothing here knows
// a platform: tier names, accounts and timeouts come from the plan.
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
//	                      namespaced ServiceAccount, in that namespace
//
// It must not render charts, read files or print.
package gitops
