package gitops

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/render/depgraph"
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
	Namespace string // the site's namespace, the default of Tier.Namespace
	Tiers     []Tier // render order
	Engine    Engine
	// Namespaces the plan declares (issue 12): AppProject destinations
	// and Flux accounts cover exactly these. Empty: the site's namespace
	// and those of its objects.
	Namespaces []string
	// Cluster names the cluster unit the site's cluster-scoped objects
	// are in (DIR/clusters/<Cluster>/). Empty: there is none, and tiers
	// without DependsOn are chained in list order as before issue 12.
	Cluster string
}

// Tier is one directory of the site, applied as one unit.
type Tier struct {
	Name string
	// ClusterAdmin says the tier is applied as cluster-admin; otherwise
	// ServiceAccount (in the tier's namespace) applies it.
	ClusterAdmin   bool
	ServiceAccount string
	// Timeout bounds the wait for the tier to become ready.
	Timeout string
	Objects []object.Object
	// Namespace is the component's namespace (issue 12): the
	// Application's destination, where a namespaced account's Flux
	// Kustomization lives. Empty: Options.Namespace.
	Namespace string
	// DependsOn names the components this one depends on (issue 12):
	// waves and Flux dependsOn follow them. A name that is no Tier is a
	// component with nothing in the site directory (see order).
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
	// Decryption names the Secret holding the SOPS private key each Flux
	// Kustomization decrypts with (in the Kustomization's namespace), or
	// "": the site's secret workflow is sops. Argo CD needs KSOPS, which
	// tpgen does not configure.
	Decryption string
}

// decrypt adds SOPS decryption to a Flux Kustomization spec.
func (e Engine) decrypt(spec map[string]any) {
	if e.Decryption != "" {
		spec["decryption"] = map[string]any{"provider": "sops", "secretRef": map[string]any{"name": e.Decryption}}
	}
}

// Dirs returns the output directories of an engine, in apply order.
func Dirs(engine string) []string {
	if engine == "flux" {
		return []string{Dir, TiersDir}
	}
	return []string{Dir, RootDir}
}

// Objects returns the engine's objects for the site.
//
// The order of the tiers follows their DependsOn (see order). A caller
// that sets neither DependsOn nor Cluster gets today's chain: each tier
// depends on the one before it.
func Objects(o Options) ([]object.Object, error) {
	if len(o.Tiers) == 0 {
		return nil, fmt.Errorf("site %s has no tiers", o.Site)
	}
	for _, t := range o.Tiers {
		if t.ClusterAdmin == (t.ServiceAccount != "") {
			return nil, fmt.Errorf("tier %s: want exactly one of cluster-admin or a service account", t.Name)
		}
	}
	if o.Engine.Name != "argocd" && o.Engine.Name != "flux" {
		return nil, fmt.Errorf("unknown GitOps engine %q: want argocd or flux", o.Engine.Name)
	}
	ord, err := o.order()
	if err != nil {
		return nil, err
	}
	out := flux
	if o.Engine.Name == "argocd" {
		out = argocd
	}
	objs := out(o, ord)
	if o.Cluster != "" {
		// The cluster unit's objects live in the same namespace.
		unit := []string{ClusterName(o.Cluster), ClusterName(o.Cluster) + "-admin"}
		for _, ob := range objs {
			if slices.Contains(unit, ob.Name()) {
				return nil, fmt.Errorf("site %s: its %s %s would have the name of an object of cluster %s's unit\nhint: rename the site or the component", o.Site, ob.Kind(), ob.Name(), o.Cluster)
			}
		}
	}
	return objs, nil
}

// order is the site's dependency graph as the engines read it.
type order struct {
	g *depgraph.Graph
	// synced are the tiers that get an Application or Kustomization, in
	// the order given.
	synced []Tier
	isSync map[string]bool
	admin  map[string]bool // synced tiers applied as cluster-admin
}

// order checks the tiers' graph. A DependsOn naming no tier (a component
// whose objects are all in the cluster unit, or that has nothing in the
// site directory) is a node of depth 0 without dependencies: the tiers
// that depend on it start at depth 1. With a cluster unit (Cluster set),
// a tier without objects has no directory in the site, so it gets no
// Application or Kustomization either; it still counts for depths, and
// Flux dependents wait for what it depends on instead.
func (o Options) order() (order, error) {
	legacy := o.Cluster == "" && !slices.ContainsFunc(o.Tiers, func(t Tier) bool { return len(t.DependsOn) > 0 })
	deps := map[string][]string{}
	for i, t := range o.Tiers {
		if _, dup := deps[t.Name]; dup {
			return order{}, fmt.Errorf("site %s: tier %s is given twice", o.Site, t.Name)
		}
		ds := slices.Clone(t.DependsOn)
		if legacy && i > 0 {
			ds = []string{o.Tiers[i-1].Name}
		}
		deps[t.Name] = ds
	}
	for _, t := range o.Tiers {
		for _, d := range t.DependsOn {
			if !slices.ContainsFunc(o.Tiers, func(u Tier) bool { return u.Name == d }) {
				deps[d] = nil
			}
		}
	}
	g, err := depgraph.New(deps)
	if err != nil {
		return order{}, fmt.Errorf("ordering the components of site %s: %w", o.Site, err)
	}
	ord := order{g: g, isSync: map[string]bool{}, admin: map[string]bool{}}
	for _, t := range o.Tiers {
		if o.Cluster != "" && len(t.Objects) == 0 {
			continue
		}
		if ns := o.tierNamespace(t); len(o.Namespaces) > 0 && !slices.Contains(o.Namespaces, ns) {
			declared := slices.Clone(o.Namespaces)
			slices.Sort(declared)
			return order{}, fmt.Errorf("site %s: component %s is in namespace %s, which the site does not declare (it declares %s)\nhint: add %s to the plan's namespaces, or move the component", o.Site, t.Name, ns, strings.Join(slices.Compact(declared), ", "), ns)
		}
		ord.synced = append(ord.synced, t)
		ord.isSync[t.Name] = true
		ord.admin[t.Name] = t.ClusterAdmin
	}
	return ord, nil
}

// tierNamespace is where the tier's namespaced objects go by default.
func (o Options) tierNamespace(t Tier) string {
	if t.Namespace != "" {
		return t.Namespace
	}
	return o.Namespace
}

// ClusterName names the GitOps objects of a cluster unit.
func ClusterName(cluster string) string { return "cluster-" + cluster }

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

func argocd(o Options, ord order) []object.Object {
	e := o.Engine
	clusterProject := o.Site + "-cluster"
	var clusterTiers, nsTiers []Tier
	for _, t := range ord.synced {
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
		what := "the site's namespace only"
		if len(o.Namespaces) > 1 {
			what = "the site's namespaces only"
		}
		out = append(out, o.appProject(o.Site, "namespaced tiers of site "+o.Site+": "+what+", nothing cluster-scoped", nsTiers, false))
	}
	for _, t := range ord.synced {
		project := o.Site
		if t.ClusterAdmin {
			project = clusterProject
		}
		app := o.object(Dir, "argoproj.io/v1alpha1", "Application", e.Namespace, o.Site+"-"+t.Name, t.Name)
		app.Doc["metadata"].(map[string]any)["annotations"] = map[string]any{
			// Children sync by depth in the dependency graph; the root
			// Application waits for each wave to be healthy (see the
			// README for the Application health check this needs, and
			// for what waves cannot express).
			"argocd.argoproj.io/sync-wave": strconv.Itoa(ord.g.Depth(t.Name)),
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
			"destination": o.destination(o.tierNamespace(t)),
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
	if len(o.Namespaces) > 0 {
		// The plan declares the site's namespaces: exactly those.
		namespaces = slices.Clone(o.Namespaces)
	}
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

func flux(o Options, ord order) []object.Object {
	e := o.Engine
	admin := o.Site + "-cluster-admin"
	var out []object.Object

	repo := o.object(Dir, "source.toolkit.fluxcd.io/v1", "GitRepository", e.Namespace, o.Site, "")
	repo.Doc["spec"] = gitRepositorySpec(e)
	out = append(out, repo)

	// The account of the cluster-admin tiers, made before any tier.
	sa := o.object(Dir, "v1", "ServiceAccount", e.Namespace, admin, "")
	crb := o.object(Dir, "rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", admin, "")
	crb.Doc["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
	crb.Doc["subjects"] = []any{map[string]any{"kind": "ServiceAccount", "name": admin, "namespace": e.Namespace}}
	out = append(out, sa, crb)

	// The cluster unit, applied by the cluster administrator, holds the
	// site's cluster-scoped objects and the namespaces it creates.
	var clusterUnit map[string]any
	if o.Cluster != "" {
		clusterUnit = map[string]any{"name": ClusterName(o.Cluster), "namespace": e.Namespace}
	}
	ks := map[string]object.Object{}
	for _, t := range ord.synced {
		ks[t.Name] = o.kustomization(t)
	}
	// Kustomizations of namespaced accounts live in the account's
	// namespace (Flux impersonates a ServiceAccount of the Kustomization's
	// own namespace), which the cluster unit or a cluster-admin tier
	// creates: the tiers Kustomization applies them once those are ready.
	var before []any // dependsOn of the tiers Kustomization
	if clusterUnit != nil {
		before = append(before, dependency(clusterUnit, e.Namespace))
	}
	hasNamespaced := false
	for _, t := range ord.synced {
		k := ks[t.Name]
		spec := k.Doc["spec"].(map[string]any)
		// Exactly the edges of the transitively reduced graph, among
		// the tiers that have a Kustomization.
		var deps []any
		for _, d := range ord.g.ReduceWithin(t.Name, func(n string) bool { return ord.isSync[n] }) {
			deps = append(deps, dependency(ref(ks[d]), k.Namespace()))
		}
		if len(deps) == 0 && clusterUnit != nil {
			deps = append(deps, dependency(clusterUnit, k.Namespace()))
		}
		if len(deps) > 0 {
			spec["dependsOn"] = deps
		}
		if t.ClusterAdmin {
			spec["serviceAccountName"] = admin
			// Today's rule, on the graph: the cluster-admin tiers that
			// no namespaced tier comes before.
			if !slices.ContainsFunc(ord.g.Ancestors(t.Name), func(a string) bool { return ord.isSync[a] && !ord.admin[a] }) {
				before = append(before, dependency(ref(k), e.Namespace))
			}
		} else {
			hasNamespaced = true
			spec["serviceAccountName"] = t.ServiceAccount
			spec["sourceRef"].(map[string]any)["namespace"] = e.Namespace
		}
		out = append(out, k)
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

func gitRepositorySpec(e Engine) map[string]any {
	spec := map[string]any{"interval": e.Interval, "url": e.RepoURL, "ref": fluxRef(e.Revision)}
	if e.Credentials != "" {
		spec["secretRef"] = map[string]any{"name": e.Credentials}
	}
	return spec
}

func (o Options) kustomization(t Tier) object.Object {
	e := o.Engine
	dir, ns := Dir, e.Namespace
	if !t.ClusterAdmin {
		dir, ns = TiersDir, o.tierNamespace(t)
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
	e.decrypt(ks.Doc["spec"].(map[string]any))
	return ks
}

// ref is the name and namespace of Kustomization k.
func ref(k object.Object) map[string]any {
	return map[string]any{"name": k.Name(), "namespace": k.Namespace()}
}

// dependency refers to the Kustomization named by ref (name, namespace)
// from a Kustomization in namespace from.
func dependency(ref map[string]any, from string) map[string]any {
	d := map[string]any{"name": ref["name"]}
	if ref["namespace"] != from {
		d["namespace"] = ref["namespace"]
	}
	return d
}

// ---- The cluster unit ----

// ClustersDir is the directory of the cluster units, relative to the
// output directory: DIR/clusters/<cluster>/ holds the cluster-scoped
// objects of every site of that cluster.
const ClustersDir = "clusters"

// ClusterDir is the directory of cluster's unit, relative to the output
// directory.
func ClusterDir(cluster string) string { return path.Join(ClustersDir, cluster) }

// ClusterDirs returns the output directories of a cluster unit's GitOps
// objects, relative to the unit's directory, in apply order. The cluster
// administrator applies them (kubectl apply -k DIR/clusters/<c>/gitops);
// nothing syncs them.
func ClusterDirs(engine string) []string { return []string{Dir} }

// DefaultClusterTimeout bounds the wait for a cluster unit when
// ClusterOptions.Timeout is empty.
const DefaultClusterTimeout = "10m"

// ClusterOptions describe one cluster unit.
type ClusterOptions struct {
	Cluster string
	// Engine is the engine every site of the cluster uses (the sites of
	// one cluster must agree on it, its repository, revision, path and
	// namespace).
	Engine Engine
	// Sites are the names of the cluster's sites.
	Sites []string
	// Objects are the unit's objects (cluster-scoped ones, the Namespace
	// objects the engine creates, and any namespaced ones the unit holds).
	Objects []object.Object
	// Timeout bounds the wait for the unit (Flux); empty:
	// DefaultClusterTimeout.
	Timeout string
}

// ClusterObjects returns the GitOps objects that sync a cluster unit
// (DIR/clusters/<Cluster>/), each with Tier set to its directory relative
// to the unit (see ClusterDirs), all named ClusterName(Cluster), applied
// as cluster-admin. Argo CD: an AppProject allowing exactly the kinds the
// unit holds and an Application. Flux: a GitRepository, a cluster-admin
// ServiceAccount with its ClusterRoleBinding, and a Kustomization the
// sites' Kustomizations depend on.
func ClusterObjects(c ClusterOptions) ([]object.Object, error) {
	if c.Cluster == "" {
		return nil, fmt.Errorf("a cluster unit without a cluster name")
	}
	name := ClusterName(c.Cluster)
	for _, s := range c.Sites {
		if s == name {
			return nil, fmt.Errorf("cluster %s: site %s would own GitOps objects named %s, as the cluster unit does\nhint: rename the site or the cluster", c.Cluster, s, name)
		}
	}
	sites := slices.Clone(c.Sites)
	slices.Sort(sites)
	sites = slices.Compact(sites)
	o := clusterUnit{ClusterOptions: c, name: name, sites: sites}
	switch c.Engine.Name {
	case "argocd":
		return o.argocd(), nil
	case "flux":
		return o.flux(), nil
	}
	return nil, fmt.Errorf("cluster %s: unknown GitOps engine %q: want argocd or flux", c.Cluster, c.Engine.Name)
}

type clusterUnit struct {
	ClusterOptions
	name  string
	sites []string
}

func (c clusterUnit) object(apiVersion, kind, ns, name string) object.Object {
	meta := map[string]any{"name": name, "labels": map[string]any{"app.kubernetes.io/managed-by": "tpgen", "tpgen.dev/cluster": c.Cluster}}
	if ns != "" {
		meta["namespace"] = ns
	}
	return object.Object{
		Tier: Dir, Source: "gitops " + c.Engine.Name,
		Doc: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta},
	}
}

// path is the unit's directory in the repository.
func (c clusterUnit) path() string { return path.Join(c.Engine.Path, ClusterDir(c.Cluster)) }

func (c clusterUnit) description() string {
	d := "cluster-scoped objects of cluster " + c.Cluster
	if len(c.sites) > 0 {
		d += ", shared by its sites " + strings.Join(c.sites, ", ")
	}
	return d
}

func (c clusterUnit) argocd() []object.Object {
	e := c.Engine
	o := Options{Engine: e} // for destination
	var clusterKinds, nsKinds, namespaces []string
	for _, ob := range c.Objects {
		gk := ob.Group() + "/" + ob.Kind()
		if ob.Namespace() == "" {
			clusterKinds = append(clusterKinds, gk)
		} else {
			nsKinds = append(nsKinds, gk)
			namespaces = append(namespaces, ob.Namespace())
		}
	}
	// Argo CD checks the Application's destination namespace against the
	// project even when every object is cluster-scoped (an empty one is
	// refused, argoproj/argo-cd#27003): the unit's namespaces, or the
	// engine's own when it has none.
	if len(namespaces) == 0 {
		namespaces = []string{e.Namespace}
	}
	slices.Sort(namespaces)
	namespaces = slices.Compact(namespaces)
	var dests []any
	for _, ns := range namespaces {
		dests = append(dests, o.destination(ns))
	}
	deny := []any{map[string]any{"group": "*", "kind": "*"}}
	spec := map[string]any{
		"description":  c.description(),
		"sourceRepos":  []any{e.RepoURL},
		"destinations": dests,
	}
	if len(clusterKinds) > 0 {
		spec["clusterResourceWhitelist"] = groupKinds(clusterKinds)
	} else {
		spec["clusterResourceBlacklist"] = deny
	}
	if len(nsKinds) > 0 {
		spec["namespaceResourceWhitelist"] = groupKinds(nsKinds)
	} else {
		// An AppProject without a namespaced whitelist allows every
		// namespaced kind.
		spec["namespaceResourceBlacklist"] = deny
	}
	p := c.object("argoproj.io/v1alpha1", "AppProject", e.Namespace, c.name)
	p.Doc["spec"] = spec

	opts := []any{"FailOnSharedResource=true", "PruneLast=true"}
	if needsServerSideApply(c.Objects) {
		opts = append(opts, "ServerSideApply=true")
	}
	app := c.object("argoproj.io/v1alpha1", "Application", e.Namespace, c.name)
	app.Doc["spec"] = map[string]any{
		"project": c.name,
		"source": map[string]any{
			"repoURL": e.RepoURL, "targetRevision": e.Revision, "path": c.path(),
		},
		"destination": o.destination(namespaces[0]),
		"syncPolicy": map[string]any{
			"automated":   map[string]any{"prune": e.Prune, "selfHeal": e.SelfHeal},
			"syncOptions": opts,
			"retry":       retry(),
		},
	}
	return []object.Object{p, app}
}

func (c clusterUnit) flux() []object.Object {
	e := c.Engine
	admin := c.name + "-admin"
	repo := c.object("source.toolkit.fluxcd.io/v1", "GitRepository", e.Namespace, c.name)
	repo.Doc["spec"] = gitRepositorySpec(e)
	sa := c.object("v1", "ServiceAccount", e.Namespace, admin)
	crb := c.object("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", "", admin)
	crb.Doc["roleRef"] = map[string]any{"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"}
	crb.Doc["subjects"] = []any{map[string]any{"kind": "ServiceAccount", "name": admin, "namespace": e.Namespace}}
	timeout := c.Timeout
	if timeout == "" {
		timeout = DefaultClusterTimeout
	}
	ks := c.object("kustomize.toolkit.fluxcd.io/v1", "Kustomization", e.Namespace, c.name)
	ks.Doc["spec"] = map[string]any{
		"interval":      e.Interval,
		"retryInterval": "2m",
		"timeout":       timeout,
		"path":          "./" + c.path(),
		"prune":         e.Prune,
		// The sites' Kustomizations wait for it: ready means the CRDs,
		// namespaces and classes they need are there.
		"wait":               true,
		"sourceRef":          map[string]any{"kind": "GitRepository", "name": c.name},
		"serviceAccountName": admin,
	}
	e.decrypt(ks.Doc["spec"].(map[string]any))
	return []object.Object{repo, sa, crb, ks}
}
