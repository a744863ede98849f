package validate

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// scope returns whether an object's kind is cluster-scoped, and whether
// that is known (a kind that is neither built in nor defined by a CRD of
// the site is not).
func (s *site) scope(o object.Object) (cluster, known bool) {
	if kube.Builtin(o.APIVersion(), o.Kind()) {
		return kube.ClusterScoped(o.GroupKind()), true
	}
	if d, ok := s.crds.set.Lookup(o.Group(), o.Kind()); ok {
		return !d.Namespaced, true
	}
	return false, false
}

// checkScope: cluster-tier, site-namespace.
func (s *site) checkScope() {
	declared := s.o.namespaces()
	for i := range s.items {
		it := &s.items[i]
		o := it.Object
		cluster, known := s.scope(o)
		switch {
		case !known:
		case cluster && it.Object.Tier != s.o.ClusterTier && !strings.HasPrefix(it.Object.Tier, ManualDir+"/"):
			s.report(it, "cluster-tier", nil,
				fmt.Sprintf("the cluster-scoped %s is in tier %s, not in the cluster directory %s", o.Kind(), o.Tier, s.o.ClusterTier),
				"cluster-scoped objects need a cluster administrator: they belong to the cluster directory")
		case cluster && o.Namespace() != "":
			s.report(it, "cluster-tier", field.NewPath("metadata", "namespace"),
				fmt.Sprintf("the cluster-scoped %s sets a namespace", o.Kind()), "remove metadata.namespace")
		case !cluster && !slices.Contains(declared, o.Namespace()):
			s.report(it, "site-namespace", field.NewPath("metadata", "namespace"),
				fmt.Sprintf("namespace %q is not declared by the plan (it declares %s)", o.Namespace(), strings.Join(declared, ", ")),
				"render the object in a declared namespace, or declare the namespace in the module's plan (namespaces)")
		}
		if o.GroupKind() == "Namespace" && !slices.Contains(declared, o.Name()) {
			s.report(it, "site-namespace", field.NewPath("metadata", "name"),
				fmt.Sprintf("the site creates namespace %q, which the plan does not declare (it declares %s)", o.Name(), strings.Join(declared, ", ")),
				"declare the namespace in the module's plan (namespaces), or do not render it")
		}
	}
}

// ManualDir is the site directory of the manual components: their objects
// are in tiers manual/<component>, cluster-scoped ones included (they are
// applied by hand, never synced).
const ManualDir = "manual"

// checkNetworkPolicies: network-policy.
func (s *site) checkNetworkPolicies() {
	if !s.o.Policy.NetworkPolicy {
		return
	}
	policies := map[string][]labels.Selector{} // namespace -> ingress pod selectors
	n := 0
	for _, it := range s.items {
		o := it.Object
		if o.GroupKind() != "NetworkPolicy.networking.k8s.io" {
			continue
		}
		n++
		if !appliesToIngress(o) {
			continue
		}
		if sel, ok := kube.Selector(object.Dig(o.Doc, "spec", "podSelector")); ok {
			policies[o.Namespace()] = append(policies[o.Namespace()], sel)
		}
	}
	if n == 0 {
		s.report(nil, "network-policy", nil, "networkPolicy is on but the site renders no NetworkPolicy",
			"render the charts' NetworkPolicies (networkPolicy.ingress.enabled), or set networkPolicy: false")
		return
	}
	for i := range s.items {
		it := &s.items[i]
		pt, ok := podTemplateOf(it.Object)
		if !ok {
			continue
		}
		selected := false
		for _, sel := range policies[it.Object.Namespace()] {
			if sel.Matches(pt.labels) {
				selected = true
				break
			}
		}
		if !selected {
			s.report(it, "network-policy", pt.tmpl.Child("metadata", "labels"),
				"no NetworkPolicy of the namespace selects the pods of this workload: their ingress is not isolated",
				"add a NetworkPolicy whose podSelector matches these labels (an empty podSelector selects every pod)")
		}
	}
}

// appliesToIngress: policyTypes lists Ingress, or is absent (Ingress is
// then implied).
func appliesToIngress(o object.Object) bool {
	types, ok := object.Dig(o.Doc, "spec", "policyTypes").([]any)
	if !ok {
		return true
	}
	for _, t := range types {
		if t == "Ingress" {
			return true
		}
	}
	return false
}
