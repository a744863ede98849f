package manifest

import (
	"bytes"
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/header"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// TierAnnotation lets an object added by an overlay choose its tier.
const TierAnnotation = "tpgen.dev/tier"

// Options describe the site.
type Options struct {
	// Namespace is given to namespaced objects without one, in tiers
	// TierNamespaces does not name.
	Namespace string
	// TierNamespaces maps a tier (a component) to its namespace.
	TierNamespaces map[string]string
	// ClusterTier receives the cluster-scoped objects; its files always
	// name a namespaced object's namespace (sites share the directory).
	ClusterTier string
	// ClusterTiers are the tiers whose every object goes to ClusterTier
	// (the components applied as cluster-admin).
	ClusterTiers []string
	// KeepTiers keep their cluster-scoped objects (manual components).
	KeepTiers []string
	// Tiers in install order; the last one receives untiered objects.
	Tiers []string
	// Profile is the site's profile, named in the header line of every
	// file (render/header) with what produced the file.
	Profile string
}

// namespace is the namespace of tier t.
func (o Options) namespace(t string) string {
	if ns, ok := o.TierNamespaces[t]; ok {
		return ns
	}
	return o.Namespace
}

// File is one file of the site's tree.
type File struct {
	Path   string // <tier>/<file>, slash-separated
	Object object.Object
	Data   []byte
}

// Arrange assigns tiers and files; see the package doc for the rules.
func Arrange(objs []object.Object, o Options) ([]File, error) {
	scope := clusterScoped(objs)
	seen := map[string]object.Object{}
	var problems []string
	var files []File
	for _, ob := range objs {
		gk := ob.GroupKind()
		if ob.Tier == "" {
			ob.Tier = o.Tiers[len(o.Tiers)-1]
			if t, ok := ob.Annotations()[TierAnnotation].(string); ok {
				if !slices.Contains(o.Tiers, t) {
					problems = append(problems, fmt.Sprintf("%s (%s): annotation %s: no tier %q; tiers are %s", ob.ID(), ob.Source, TierAnnotation, t, strings.Join(o.Tiers, ", ")))
					continue
				}
				ob.Tier = t
			}
		}
		ns := o.namespace(ob.Tier)
		switch {
		case scope[gk]:
			if ob.Namespace() != "" {
				delete(ob.Doc["metadata"].(map[string]any), "namespace")
			}
			if !slices.Contains(o.KeepTiers, ob.Tier) {
				ob.Tier = o.ClusterTier
			}
		default:
			if ob.Namespace() == "" {
				ob.SetNamespace(ns)
			}
			if slices.Contains(o.ClusterTiers, ob.Tier) {
				ob.Tier = o.ClusterTier
			}
		}
		if ob.Tier == o.ClusterTier {
			ns = "" // every namespace is named
		}
		key := gk + "/" + ob.Namespace() + "/" + ob.Name()
		if prev, dup := seen[key]; dup {
			problems = append(problems, fmt.Sprintf("%s is rendered twice: by %s and by %s", ob.ID(), prev.Source, ob.Source))
			continue
		}
		seen[key] = ob
		files = append(files, File{Path: ob.Tier + "/" + fileName(ob, ns), Object: ob})
	}
	if len(problems) > 0 {
		slices.Sort(problems)
		return nil, fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	slices.SortFunc(files, func(a, b File) int {
		return cmp.Or(cmp.Compare(tierIndex(o.Tiers, a.Object.Tier), tierIndex(o.Tiers, b.Object.Tier)), compareObjects(a.Object, b.Object))
	})
	for i := range files {
		var buf bytes.Buffer
		buf.WriteString(header.Format(o.Profile, files[i].Object.Source) + "\n")
		if err := object.Encode(&buf, files[i].Object.Doc); err != nil {
			return nil, fmt.Errorf("encoding %s (%s): %w", files[i].Object.ID(), files[i].Object.Source, err)
		}
		files[i].Data = buf.Bytes()
	}
	return append(files, kustomizations(files, o)...), nil
}

func tierIndex(tiers []string, t string) int { return slices.Index(tiers, t) }

// Unit orders the files of one directory of objects arranged apart (the
// cluster directory, shared by sites) and adds its kustomization.yaml,
// whose header names profile (several joined by header.Profiles) and
// source.
func Unit(dir string, files []File, profile, source string) []File {
	files = slices.Clone(files)
	slices.SortFunc(files, func(a, b File) int { return compareObjects(a.Object, b.Object) })
	var b bytes.Buffer
	b.WriteString(header.Format(profile, source) + "\n")
	b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
	for _, f := range files {
		fmt.Fprintf(&b, "- %s\n", strings.TrimPrefix(f.Path, dir+"/"))
	}
	return append(files, File{Path: dir + "/kustomization.yaml", Data: b.Bytes()})
}

// kustomizations lists each tier's files in apply order.
func kustomizations(files []File, o Options) []File {
	byTier := map[string][]string{}
	for _, f := range files {
		tier := f.Object.Tier
		byTier[tier] = append(byTier[tier], strings.TrimPrefix(f.Path, tier+"/"))
	}
	var out []File
	for _, t := range o.Tiers {
		res := byTier[t]
		if len(res) == 0 {
			continue
		}
		var b bytes.Buffer
		b.WriteString(header.Format(o.Profile, header.Kustomization(t)) + "\n")
		b.WriteString("apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n")
		for _, r := range res {
			fmt.Fprintf(&b, "- %s\n", r)
		}
		out = append(out, File{Path: t + "/kustomization.yaml", Data: b.Bytes()})
	}
	return out
}

func fileName(ob object.Object, siteNS string) string {
	g := ob.Group()
	if g == "" {
		g = "core"
	}
	base := strings.ToLower(ob.Kind()) + "." + g
	if ns := ob.Namespace(); ns != "" && ns != siteNS {
		return base + "_" + ns + "_" + ob.Name() + ".yaml"
	}
	return base + "_" + ob.Name() + ".yaml"
}

// compareObjects orders by kind (apply order), then namespace, then name.
func compareObjects(a, b object.Object) int {
	return cmp.Or(
		cmp.Compare(kindRank(a), kindRank(b)),
		cmp.Compare(a.GroupKind(), b.GroupKind()),
		cmp.Compare(a.Namespace(), b.Namespace()),
		cmp.Compare(a.Name(), b.Name()),
	)
}

// applyOrder is the order in which kinds can be applied, after the model
// of fluxcd/pkg ssa/sort.go: definitions and namespaces first, then what
// others reference, then workloads, then what points at workloads. Custom
// resources come after every built-in kind.
var applyOrder = []string{
	"CustomResourceDefinition.apiextensions.k8s.io",
	"Namespace",
	"ResourceQuota",
	"StorageClass.storage.k8s.io",
	"PriorityClass.scheduling.k8s.io",
	"IngressClass.networking.k8s.io",
	"ServiceAccount",
	"ClusterRole.rbac.authorization.k8s.io",
	"Role.rbac.authorization.k8s.io",
	"ClusterRoleBinding.rbac.authorization.k8s.io",
	"RoleBinding.rbac.authorization.k8s.io",
	"ConfigMap",
	"Secret",
	"PersistentVolumeClaim",
	"LimitRange",
	"Service",
	"Deployment.apps",
	"StatefulSet.apps",
	"DaemonSet.apps",
	"Job.batch",
	"CronJob.batch",
	"PodDisruptionBudget.policy",
	"HorizontalPodAutoscaler.autoscaling",
	"Ingress.networking.k8s.io",
	"NetworkPolicy.networking.k8s.io",
	"ValidatingWebhookConfiguration.admissionregistration.k8s.io",
	"MutatingWebhookConfiguration.admissionregistration.k8s.io",
}

func kindRank(o object.Object) int {
	if i := slices.Index(applyOrder, o.GroupKind()); i >= 0 {
		return i
	}
	return len(applyOrder)
}

// clusterScoped returns the cluster-scoped group-kinds among objs:
// built-ins (render/kube) plus the custom kinds whose CRD is among objs
// with scope Cluster.
func clusterScoped(objs []object.Object) map[string]bool {
	out := map[string]bool{}
	for _, o := range objs {
		if kube.ClusterScoped(o.GroupKind()) {
			out[o.GroupKind()] = true
		}
		spec, kind, group, ok := crd(o)
		if !ok {
			continue
		}
		if s, _ := spec["scope"].(string); s == "Cluster" {
			out[kind+"."+group] = true
		}
	}
	return out
}

// CRDVersions returns "group/version" and "group/version/Kind" for every
// served version of every CRD among objs, for Helm's capabilities.
func CRDVersions(objs []object.Object) []string {
	var out []string
	for _, o := range objs {
		spec, kind, group, ok := crd(o)
		if !ok {
			continue
		}
		vs, _ := spec["versions"].([]any)
		for _, v := range vs {
			vm, _ := v.(map[string]any)
			name, _ := vm["name"].(string)
			if served, _ := vm["served"].(bool); served && name != "" {
				out = append(out, group+"/"+name, group+"/"+name+"/"+kind)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// crd returns the spec, kind and group of a CustomResourceDefinition.
func crd(o object.Object) (spec map[string]any, kind, group string, ok bool) {
	if o.GroupKind() != "CustomResourceDefinition.apiextensions.k8s.io" {
		return nil, "", "", false
	}
	spec, _ = o.Doc["spec"].(map[string]any)
	names, _ := spec["names"].(map[string]any)
	kind, _ = names["kind"].(string)
	group, _ = spec["group"].(string)
	return spec, kind, group, true
}
