package gitops

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/render/object"
)

// Output directories, relative to the site directory.
const (
	Dir      = "gitops"
	RootDir  = "gitops/root"
	TiersDir = "gitops/tiers"
)

// Options describe one site and its engine.
type Options struct {
	Site      string
	Namespace string // the site's namespace
	Tiers     []Tier // install order
	Engine    Engine
	// Namespaces the plan declares (issue 12): AppProject destinations
	// and Flux accounts cover exactly these.
	Namespaces []string
	// Cluster names the cluster unit the site's cluster-scoped objects
	// are in (DIR/clusters/<Cluster>/).
	Cluster string
}

// Tier is one directory of the site, applied as one unit.
type Tier struct {
	Name string
	// ClusterAdmin says the tier is applied as cluster-admin; otherwise
	// ServiceAccount (in the site namespace) applies it.
	ClusterAdmin   bool
	ServiceAccount string
	// Timeout bounds the wait for the tier to become ready.
	Timeout string
	Objects []object.Object
	// Namespace is the component's namespace (issue 12).
	Namespace string
	// DependsOn names the components (Tiers) this one depends on
	// (issue 12): waves and Flux dependsOn follow them.
	DependsOn []string
}

// Engine holds the plan's GitOps settings.
type Engine struct {
	Name      string // argocd or flux
	RepoURL   string
	Revision  string
	Path      string // directory of the rendered tree in the repository
	Prune     bool
	Namespace string // where the engine's objects live
	// Argo CD.
	SelfHeal          bool
	DestinationServer string
	DestinationName   string
	// Flux.
	Interval    string
	Credentials string // Secret name in Namespace, or ""
}

// Dirs returns the output directories of an engine, in apply order.
func Dirs(engine string) []string {
	if engine == "flux" {
		return []string{Dir, TiersDir}
	}
	return []string{Dir, RootDir}
}

// Objects returns the engine's objects for the site.
func Objects(o Options) ([]object.Object, error) {
	if len(o.Tiers) == 0 {
		return nil, fmt.Errorf("site %s has no tiers", o.Site)
	}
	for _, t := range o.Tiers {
		if t.ClusterAdmin == (t.ServiceAccount != "") {
			return nil, fmt.Errorf("tier %s: want exactly one of cluster-admin or a service account", t.Name)
		}
	}
	switch o.Engine.Name {
	case "argocd":
		return argocd(o), nil
	case "flux":
		return flux(o), nil
	}
	return nil, fmt.Errorf("unknown GitOps engine %q: want argocd or flux", o.Engine.Name)
}

// largeObject is the encoded size above which client-side apply fails: its
// last-applied-configuration annotation would pass the 256 KiB limit on
// all annotations of an object.
const largeObject = 200 << 10

// tierPath is the tier's directory in the repository.
func (o Options) tierPath(dir string) string {
	return path.Join(o.Engine.Path, o.Site, dir)
}

func (o Options) labels(tier string) map[string]any {
	l := map[string]any{"app.kubernetes.io/managed-by": "tpgen", "tpgen.dev/site": o.Site}
	if tier != "" {
		l["tpgen.dev/tier"] = tier
	}
	return l
}

func (o Options) object(dir, apiVersion, kind, ns, name, tier string) object.Object {
	meta := map[string]any{"name": name, "labels": o.labels(tier)}
	if ns != "" {
		meta["namespace"] = ns
	}
	return object.Object{
		Tier: dir, Source: "gitops " + o.Engine.Name,
		Doc: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta},
	}
}

// ---- Argo CD ----

func argocd(o Options) []object.Object {
	e := o.Engine
	clusterProject := o.Site + "-cluster"
	var clusterTiers, nsTiers []Tier
	for _, t := range o.Tiers {
		if t.ClusterAdmin {
			clusterTiers = append(clusterTiers, t)
		} else {
			nsTiers = append(nsTiers, t)
		}
	}
	var out []object.Object
	if len(clusterTiers) > 0 {
		out = append(out, o.appProject(clusterProject, "cluster-admin tiers of site "+o.Site+": the cluster-scoped kinds they hold, and their namespaced kinds", clusterTiers, true))
	}
	if len(nsTiers) > 0 {
		out = append(out, o.appProject(o.Site, "namespaced tiers of site "+o.Site+": the site's namespace only, nothing cluster-scoped", nsTiers, false))
	}
	for i, t := range o.Tiers {
		project := o.Site
		if t.ClusterAdmin {
			project = clusterProject
		}
		app := o.object(Dir, "argoproj.io/v1alpha1", "Application", e.Namespace, o.Site+"-"+t.Name, t.Name)
		app.Doc["metadata"].(map[string]any)["annotations"] = map[string]any{
			// Children sync in install order; the root Application waits
			// for each wave to be healthy (see the README for the
			// Application health check this needs).
			"argocd.argoproj.io/sync-wave": strconv.Itoa(i),
		}
		opts := []any{"FailOnSharedResource=true", "PruneLast=true"}
		if needsServerSideApply(t.Objects) {
			opts = append(opts, "ServerSideApply=true")
		}
		app.Doc["spec"] = map[string]any{
			"project": project,
			"source": map[string]any{
				"repoURL": e.RepoURL, "targetRevision": e.Revision, "path": o.tierPath(t.Name),
			},
			"destination": o.destination(o.Namespace),
			"syncPolicy": map[string]any{
				"automated":   map[string]any{"prune": e.Prune, "selfHeal": e.SelfHeal},
				"syncOptions": opts,
				"retry":       retry(),
			},
		}
		out = append(out, app)
	}
	root := o.object(RootDir, "argoproj.io/v1alpha1", "Application", e.Namespace, o.Site, "")
	root.Doc["spec"] = map[string]any{
		// The root only creates Applications and AppProjects in Argo CD's
		// own namespace, wherever the site's cluster is.
		"project": "default",
		"source": map[string]any{
			"repoURL": e.RepoURL, "targetRevision": e.Revision, "path": o.tierPath(Dir),
		},
		"destination": map[string]any{"server": "https://kubernetes.default.svc", "namespace": e.Namespace},
		"syncPolicy": map[string]any{
			"automated":   map[string]any{"prune": e.Prune, "selfHeal": e.SelfHeal},
			"syncOptions": []any{"FailOnSharedResource=true"},
			"retry":       retry(),
		},
	}
	return append(out, root)
}

func (o Options) destination(ns string) map[string]any {
	d := map[string]any{"namespace": ns}
	if o.Engine.DestinationName != "" {
		d["name"] = o.Engine.DestinationName
	} else {
		d["server"] = o.Engine.DestinationServer
	}
	return d
}

// appProject allows exactly the kinds the tiers hold, in the namespaces
// they use; clusterScoped says whether it may hold cluster-scoped kinds.
func (o Options) appProject(name, description string, tiers []Tier, clusterScoped bool) object.Object {
	e := o.Engine
	p := o.object(Dir, "argoproj.io/v1alpha1", "AppProject", e.Namespace, name, "")
	p.Doc["metadata"].(map[string]any)["annotations"] = map[string]any{"argocd.argoproj.io/sync-wave": "-1"}
	var clusterKinds, nsKinds, namespaces []string
	for _, t := range tiers {
		for _, ob := range t.Objects {
			gk := ob.Group() + "/" + ob.Kind()
			if ob.Namespace() == "" {
				clusterKinds = append(clusterKinds, gk)
			} else {
				nsKinds = append(nsKinds, gk)
				namespaces = append(namespaces, ob.Namespace())
			}
		}
	}
	namespaces = append(namespaces, o.Namespace)
	slices.Sort(namespaces)
	var dests []any
	for _, ns := range slices.Compact(namespaces) {
		dests = append(dests, o.destination(ns))
	}
	spec := map[string]any{
		"description":                description,
		"sourceRepos":                []any{e.RepoURL},
		"destinations":               dests,
		"namespaceResourceWhitelist": groupKinds(nsKinds),
	}
	if clusterScoped && len(clusterKinds) > 0 {
		spec["clusterResourceWhitelist"] = groupKinds(clusterKinds)
	} else {
		// Argo CD denies cluster-scoped kinds that no whitelist names;
		// the blacklist says so where a reviewer looks.
		spec["clusterResourceBlacklist"] = []any{map[string]any{"group": "*", "kind": "*"}}
	}
	p.Doc["spec"] = spec
	return p
}

// groupKinds turns sorted-or-not "group/Kind" strings into the unique,
// sorted list of {group, kind} an AppProject takes.
func groupKinds(gks []string) []any {
	slices.Sort(gks)
	var out []any
	for _, gk := range slices.Compact(gks) {
		g, k, _ := strings.Cut(gk, "/")
		out = append(out, map[string]any{"group": g, "kind": k})
	}
	return out
}

func needsServerSideApply(objs []object.Object) bool {
	for _, ob := range objs {
		if ob.GroupKind() == "CustomResourceDefinition.apiextensions.k8s.io" {
			return true
		}
		if n, err := ob.EncodedSize(); err == nil && n > largeObject {
			return true
		}
	}
	return false
}

func retry() map[string]any {
	return map[string]any{
		"limit":   5,
		"backoff": map[string]any{"duration": "10s", "factor": 2, "maxDuration": "5m"},
	}
}

// ---- Flux ----

var commitRE = regexp.MustCompile(`^[0-9a-f]{40}$`)

func fluxRef(rev string) map[string]any {
	switch {
	case commitRE.MatchString(rev):
		return map[string]any{"commit": rev}
	case strings.HasPrefix(rev, "refs/"):
		return map[string]any{"name": rev}
	}
	return map[string]any{"branch": rev}
}

func flux(o Options) []object.Object {
	e := o.Engine
	admin := o.Site + "-cluster-admin"
	var out []object.Object

	repo := o.object(Dir, "source.toolkit.fluxcd.io/v1", "GitRepository", e.Namespace, o.Site, "")
	repoSpec := map[string]any{"interval": e.Interval, "url": e.RepoURL, "ref": fluxRef(e.Revision)}
	if e.Credentials != "" {
		repoSpec["secretRef"] = map[string]any{"name": e.Credentials}
	}
	repo.Doc["spec"] = repoSpec
	out = append(out, repo)

	// The account of the cluster-admin tiers, made before any tier.
	sa := o.object(Dir, "v1", "ServiceAccount", e.Namespace, admin, "")
	crb := o.object(Dir, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", admin, "")
	crb.Doc["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
	crb.Doc["subjects"] = []any{map[string]any{"kind": "ServiceAccount", "name": admin, "namespace": e.Namespace}}
	out = append(out, sa, crb)

	// Kustomizations of namespaced accounts live in the account's
	// namespace (Flux impersonates a ServiceAccount of the Kustomization's
	// own namespace), which an earlier tier creates: the tiers
	// Kustomization applies them once those tiers are ready.
	var before []any // dependsOn of the tiers Kustomization
	var prev *object.Object
	hasNamespaced := false
	for _, t := range o.Tiers {
		ks := o.kustomization(t)
		spec := ks.Doc["spec"].(map[string]any)
		if prev != nil {
			spec["dependsOn"] = []any{dependency(*prev, ks.Namespace())}
		}
		if t.ClusterAdmin {
			spec["serviceAccountName"] = admin
			if !hasNamespaced {
				before = append(before, dependency(ks, e.Namespace))
			}
		} else {
			hasNamespaced = true
			spec["serviceAccountName"] = t.ServiceAccount
			spec["sourceRef"].(map[string]any)["namespace"] = e.Namespace
		}
		out = append(out, ks)
		prev = &out[len(out)-1]
	}
	if hasNamespaced {
		tiers := o.object(Dir, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", e.Namespace, o.Site+"-tiers", "")
		tiers.Doc["spec"] = map[string]any{
			"interval": e.Interval, "retryInterval": "2m", "timeout": "5m",
			"path":  "./" + o.tierPath(TiersDir),
			"prune": e.Prune,
			// It only creates the tier Kustomizations; each waits for its
			// own tier, so waiting here would time out on a slow tier.
			"wait":               false,
			"sourceRef":          map[string]any{"kind": "GitRepository", "name": o.Site},
			"serviceAccountName": admin,
		}
		if len(before) > 0 {
			tiers.Doc["spec"].(map[string]any)["dependsOn"] = before
		}
		out = append(out, tiers)
	}
	return out
}

func (o Options) kustomization(t Tier) object.Object {
	e := o.Engine
	dir, ns := Dir, e.Namespace
	if !t.ClusterAdmin {
		dir, ns = TiersDir, o.Namespace
	}
	ks := o.object(dir, "kustomize.toolkit.fluxcd.io/v1", "Kustomization", ns, o.Site+"-"+t.Name, t.Name)
	ks.Doc["spec"] = map[string]any{
		"interval":      e.Interval,
		"retryInterval": "2m",
		"timeout":       t.Timeout,
		"path":          "./" + o.tierPath(t.Name),
		"prune":         e.Prune,
		// Ready means every object of the tier is ready, so the next tier
		// starts on a working one.
		"wait":      true,
		"sourceRef": map[string]any{"kind": "GitRepository", "name": o.Site},
	}
	return ks
}

// dependency refers to Kustomization k from a Kustomization in namespace
// from.
func dependency(k object.Object, from string) map[string]any {
	d := map[string]any{"name": k.Name()}
	if k.Namespace() != from {
		d["namespace"] = k.Namespace()
	}
	return d
}
