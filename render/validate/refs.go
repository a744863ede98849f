package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// CreatesSecretsAnnotation marks a rendered object that creates Secrets at
// run time (an operator's custom resource, a cert-manager Certificate, a
// generator Job): comma-separated names, in the object's namespace.
const CreatesSecretsAnnotation = "tpgen.dev/creates-secrets"

// refKind is a kind other objects name, and what Kubernetes itself always
// provides of it.
type refKind struct {
	groupKind  string
	check      string
	namespaced bool
	always     []string
}

var refKinds = map[string]refKind{
	"PriorityClass":  {"PriorityClass.scheduling.k8s.io", "ref-priority-class", false, []string{"system-cluster-critical", "system-node-critical"}},
	"StorageClass":   {"StorageClass.storage.k8s.io", "ref-storage-class", false, nil},
	"IngressClass":   {"IngressClass.networking.k8s.io", "ref-ingress-class", false, nil},
	"ServiceAccount": {"ServiceAccount", "ref-service-account", true, []string{"default"}},
	"Secret":         {"Secret", "ref-secret", true, nil},
	"ConfigMap":      {"ConfigMap", "ref-config-map", true, []string{"kube-root-ca.crt"}},
}

// conventionalRefs are the field names that, anywhere in a custom resource,
// name an object by Kubernetes convention.
var conventionalRefs = map[string]string{
	"priorityClassName":  "PriorityClass",
	"storageClassName":   "StorageClass",
	"ingressClassName":   "IngressClass",
	"serviceAccountName": "ServiceAccount",
}

// ref is one reference from an object to another.
type ref struct {
	path *field.Path
	kind string // a key of refKinds
	name string
}

// universe is what references may resolve to.
type universe struct {
	// names by kind: "namespace/name", or "name" for cluster-scoped kinds.
	names map[string]map[string]bool
	// rendered names by kind, for hints.
	rendered map[string][]string
	// pods are the Pod template labels of the site's workloads, by
	// namespace.
	pods map[string][]labels.Set
}

func (s *site) universe() universe {
	u := universe{names: map[string]map[string]bool{}, rendered: map[string][]string{}, pods: map[string][]labels.Set{}}
	add := func(kind, ns, name string) {
		if u.names[kind] == nil {
			u.names[kind] = map[string]bool{}
		}
		u.names[kind][u.key(kind, ns, name)] = true
	}
	for kind, rk := range refKinds {
		for _, n := range append(slices.Clone(rk.always), s.o.Policy.Provided[kind]...) {
			// A provided namespaced object is "namespace/name", or a name
			// the cluster provides in every namespace the plan declares.
			if ns, name, ok := strings.Cut(n, "/"); ok && rk.namespaced {
				add(kind, ns, name)
				continue
			}
			for _, ns := range s.o.namespaces() {
				add(kind, ns, n)
			}
		}
	}
	for _, it := range s.items {
		o := it.Object
		ns := o.Namespace()
		if ns == "" {
			ns = s.o.Namespace
		}
		for kind, rk := range refKinds {
			if o.GroupKind() == rk.groupKind {
				add(kind, ns, o.Name())
				u.rendered[kind] = append(u.rendered[kind], o.Name())
			}
		}
		for _, n := range createdSecrets(o) {
			add("Secret", ns, n)
		}
		if pt, ok := podTemplateOf(o); ok {
			u.pods[ns] = append(u.pods[ns], s.podLabels(o, pt)...)
		}
	}
	return u
}

// podLabels are the label sets of the pods a workload makes: its template's
// labels, plus those its controller adds that a selector may name (the
// StatefulSet controller labels each pod with its name, the Job controller
// with the Job's name; the pod index label is there from Kubernetes 1.28).
func (s *site) podLabels(o object.Object, pt podTemplate) []labels.Set {
	switch o.GroupKind() {
	case "StatefulSet.apps":
		n, ok := toInt(object.Dig(o.Doc, "spec", "replicas"))
		if !ok {
			n = 1
		}
		out := make([]labels.Set, 0, n)
		for i := range n {
			added := labels.Set{"statefulset.kubernetes.io/pod-name": fmt.Sprintf("%s-%d", o.Name(), i)}
			if !s.release.Before(kube.Release{Major: 1, Minor: 28}) {
				added["apps.kubernetes.io/pod-index"] = fmt.Sprint(i)
			}
			out = append(out, labels.Merge(pt.labels, added))
		}
		return out
	case "Job.batch":
		return []labels.Set{labels.Merge(pt.labels, labels.Set{"job-name": o.Name(), "batch.kubernetes.io/job-name": o.Name()})}
	}
	return []labels.Set{pt.labels}
}

func (u universe) key(kind, ns, name string) string {
	if refKinds[kind].namespaced {
		return ns + "/" + name
	}
	return name
}

// checkReferences: ref-* checks.
func (s *site) checkReferences() {
	u := s.universe()
	for i := range s.items {
		it := &s.items[i]
		ns := it.Object.Namespace()
		if ns == "" {
			ns = s.o.Namespace
		}
		for _, r := range s.refsOf(it.Object) {
			if r.name == "" || u.names[r.kind][u.key(r.kind, ns, r.name)] {
				continue
			}
			s.report(it, refKinds[r.kind].check, r.path, fmt.Sprintf("%s %q is neither rendered by the site nor provided by the cluster", r.kind, r.name), u.hint(r.kind))
		}
		s.checkSelectors(it, u.pods[ns])
	}
	s.checkBackends()
}

func (u universe) hint(kind string) string {
	h := fmt.Sprintf("correct the name, render the %s, or declare it in the profile under provided.%s", kind, providedField(kind))
	if r := slices.Compact(slices.Sorted(slices.Values(u.rendered[kind]))); len(r) > 0 && len(r) <= 8 {
		h += "; the site renders " + strings.Join(r, ", ")
	}
	return h
}

// providedField is the profile field listing provided objects of kind.
func providedField(kind string) string {
	return strings.ToLower(kind[:1]) + kind[1:] + "s"
}

// refsOf lists the references an object makes.
func (s *site) refsOf(o object.Object) []ref {
	var out []ref
	if pt, ok := podTemplateOf(o); ok {
		out = append(out, podRefs(pt)...)
	}
	switch o.GroupKind() {
	case "StatefulSet.apps":
		vcts, _ := object.Dig(o.Doc, "spec", "volumeClaimTemplates").([]any)
		for i, v := range vcts {
			out = append(out, ref{field.NewPath("spec", "volumeClaimTemplates").Index(i).Child("spec", "storageClassName"), "StorageClass", str(object.Dig(v, "spec", "storageClassName"))})
		}
	case "PersistentVolumeClaim":
		out = append(out, ref{field.NewPath("spec", "storageClassName"), "StorageClass", str(object.Dig(o.Doc, "spec", "storageClassName"))})
	case "Ingress.networking.k8s.io":
		out = append(out, ref{field.NewPath("spec", "ingressClassName"), "IngressClass", str(object.Dig(o.Doc, "spec", "ingressClassName"))})
		tls, _ := object.Dig(o.Doc, "spec", "tls").([]any)
		for i, t := range tls {
			out = append(out, ref{field.NewPath("spec", "tls").Index(i).Child("secretName"), "Secret", str(object.Dig(t, "secretName"))})
		}
	}
	if kube.BuiltinGroup(o.Group()) {
		return out
	}
	walk(o.Doc, nil, func(p *field.Path, key string, v any) {
		if kind, ok := conventionalRefs[key]; ok {
			if name, isStr := v.(string); isStr {
				out = append(out, ref{p, kind, name})
			}
		}
	})
	for _, r := range s.o.Policy.References {
		if r.Group != o.Group() || r.Kind != o.Kind() {
			continue
		}
		for _, at := range lookupPath(o.Doc, r.Path) {
			if name, isStr := at.v.(string); isStr {
				out = append(out, ref{at.p, r.Refers, name})
			}
		}
	}
	return out
}

// podRefs lists the references of a Pod spec.
func podRefs(pt podTemplate) []ref {
	p := pt.path
	out := []ref{{p.Child("priorityClassName"), "PriorityClass", str(pt.spec["priorityClassName"])}}
	if sa := str(pt.spec["serviceAccountName"]); sa != "" {
		out = append(out, ref{p.Child("serviceAccountName"), "ServiceAccount", sa})
	} else {
		out = append(out, ref{p.Child("serviceAccount"), "ServiceAccount", str(pt.spec["serviceAccount"])})
	}
	ips, _ := pt.spec["imagePullSecrets"].([]any)
	for i, s := range ips {
		out = append(out, ref{p.Child("imagePullSecrets").Index(i).Child("name"), "Secret", str(object.Dig(s, "name"))})
	}
	vols, _ := pt.spec["volumes"].([]any)
	for i, v := range vols {
		vp := p.Child("volumes").Index(i)
		out = append(out, optionalRef(v, vp, "Secret", "secret", "secretName")...)
		out = append(out, optionalRef(v, vp, "ConfigMap", "configMap", "name")...)
		srcs, _ := object.Dig(v, "projected", "sources").([]any)
		for j, src := range srcs {
			sp := vp.Child("projected", "sources").Index(j)
			out = append(out, optionalRef(src, sp, "Secret", "secret", "name")...)
			out = append(out, optionalRef(src, sp, "ConfigMap", "configMap", "name")...)
		}
	}
	for _, c := range pt.containers() {
		env, _ := c.c["env"].([]any)
		for j, e := range env {
			ep := c.path.Child("env").Index(j).Child("valueFrom")
			from := object.Dig(e, "valueFrom")
			out = append(out, optionalRef(from, ep, "Secret", "secretKeyRef", "name")...)
			out = append(out, optionalRef(from, ep, "ConfigMap", "configMapKeyRef", "name")...)
		}
		envFrom, _ := c.c["envFrom"].([]any)
		for j, e := range envFrom {
			ep := c.path.Child("envFrom").Index(j)
			out = append(out, optionalRef(e, ep, "Secret", "secretRef", "name")...)
			out = append(out, optionalRef(e, ep, "ConfigMap", "configMapRef", "name")...)
		}
	}
	return out
}

// optionalRef reads parent.<field>.<nameKey> as a reference unless the
// reference is marked optional.
func optionalRef(parent any, p *field.Path, kind, fieldName, nameKey string) []ref {
	m, ok := object.Dig(parent, fieldName).(map[string]any)
	if !ok || m["optional"] == true {
		return nil
	}
	return []ref{{p.Child(fieldName, nameKey), kind, str(m[nameKey])}}
}

// checkSelectors: ref-service-selector, ref-pdb-selector.
func (s *site) checkSelectors(it *Item, pods []labels.Set) {
	o := it.Object
	var sel labels.Selector
	var check string
	p := field.NewPath("spec", "selector")
	switch o.GroupKind() {
	case "Service":
		m, _ := object.Dig(o.Doc, "spec", "selector").(map[string]any)
		if len(m) == 0 || str(object.Dig(o.Doc, "spec", "type")) == "ExternalName" {
			return
		}
		sel, check = labels.SelectorFromSet(kube.LabelSet(m)), "ref-service-selector"
	case "PodDisruptionBudget.policy":
		var ok bool
		if sel, ok = kube.Selector(object.Dig(o.Doc, "spec", "selector")); !ok {
			return
		}
		check = "ref-pdb-selector"
	default:
		return
	}
	for _, l := range pods {
		if sel.Matches(l) {
			return
		}
	}
	s.report(it, check, p, fmt.Sprintf("selector %s matches the pods of no workload the site renders", sel),
		"match the labels of a Pod template of the same namespace (spec.template.metadata.labels)")
}

// walk calls fn for every map entry under v, depth first, in key order.
func walk(v any, p *field.Path, fn func(p *field.Path, key string, v any)) {
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			fn(p.Child(k), k, v[k])
			walk(v[k], p.Child(k), fn)
		}
	case []any:
		for i, e := range v {
			walk(e, p.Index(i), fn)
		}
	}
}

type located struct {
	p *field.Path
	v any
}

// lookupPath returns the values at a dotted path; "name[]" steps into each
// element of the list name.
func lookupPath(doc map[string]any, path string) []located {
	cur := []located{{nil, any(doc)}}
	for _, seg := range strings.Split(path, ".") {
		name, each := strings.CutSuffix(seg, "[]")
		var next []located
		for _, c := range cur {
			v, ok := object.Dig(c.v, name), true
			if v == nil {
				ok = false
			}
			if !ok {
				continue
			}
			if !each {
				next = append(next, located{c.p.Child(name), v})
				continue
			}
			l, _ := v.([]any)
			for i, e := range l {
				next = append(next, located{c.p.Child(name).Index(i), e})
			}
		}
		cur = next
	}
	return cur
}
