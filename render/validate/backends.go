package validate

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/object"
)

// storage is what the site's volume and backend references resolve to:
// the claims it renders or its StatefulSets create, and its Services.
type storage struct {
	// claims by "namespace/name".
	claims map[string]bool
	// services by "namespace/name".
	services map[string]service
}

type service struct {
	externalName bool
	// opaque: a port number is not an integer (kube-schema reports it).
	opaque  bool
	names   []string // port names
	numbers []int    // port numbers
}

func (s *site) storage() storage {
	st := storage{claims: map[string]bool{}, services: map[string]service{}}
	// Claims the plan declares provided (checks.provided.PersistentVolumeClaim),
	// in the site namespace: made by hand once, before the first sync.
	for _, n := range s.o.Policy.Provided["PersistentVolumeClaim"] {
		st.claims[s.o.Namespace+"/"+n] = true
	}
	for _, it := range s.items {
		o := it.Object
		ns := o.Namespace()
		if ns == "" {
			ns = s.o.Namespace
		}
		switch o.GroupKind() {
		case "PersistentVolumeClaim":
			st.claims[ns+"/"+o.Name()] = true
		case "StatefulSet.apps":
			// The controller makes <template>-<statefulset>-<ordinal> for
			// each ordinal below replicas (default 1).
			n, ok := toInt(object.Dig(o.Doc, "spec", "replicas"))
			if !ok {
				n = 1
			}
			vcts, _ := object.Dig(o.Doc, "spec", "volumeClaimTemplates").([]any)
			for _, v := range vcts {
				t := str(object.Dig(v, "metadata", "name"))
				for i := range n {
					st.claims[fmt.Sprintf("%s/%s-%s-%d", ns, t, o.Name(), i)] = true
				}
			}
		case "Service":
			var sv service
			sv.externalName = str(object.Dig(o.Doc, "spec", "type")) == "ExternalName"
			ports, _ := object.Dig(o.Doc, "spec", "ports").([]any)
			for _, p := range ports {
				if n := str(object.Dig(p, "name")); n != "" {
					sv.names = append(sv.names, n)
				}
				if n, ok := toInt(object.Dig(p, "port")); ok {
					sv.numbers = append(sv.numbers, n)
				} else {
					sv.opaque = true
				}
			}
			st.services[ns+"/"+o.Name()] = sv
		}
	}
	return st
}

// checkBackends: ref-claim (every claimName of a Pod template names a
// claim the site renders or one its StatefulSets create) and
// ref-ingress-backend (every Ingress backend names a Service of the site
// and one of its ports).
func (s *site) checkBackends() {
	st := s.storage()
	for i := range s.items {
		it := &s.items[i]
		o := it.Object
		ns := o.Namespace()
		if ns == "" {
			ns = s.o.Namespace
		}
		if pt, ok := podTemplateOf(o); ok {
			vols, _ := pt.spec["volumes"].([]any)
			for j, v := range vols {
				name, ok := object.Dig(v, "persistentVolumeClaim", "claimName").(string)
				if !ok || st.claims[ns+"/"+name] {
					continue
				}
				s.report(it, "ref-claim", pt.path.Child("volumes").Index(j).Child("persistentVolumeClaim", "claimName"),
					fmt.Sprintf("PersistentVolumeClaim %q is neither rendered by the site nor created by one of its StatefulSets", name),
					st.claimHint(ns))
			}
		}
		if o.Kind() == "Ingress" && (o.Group() == "networking.k8s.io" || o.Group() == "extensions") {
			for _, b := range ingressBackends(o.Doc) {
				s.checkBackend(it, st, ns, b)
			}
		}
	}
}

func (st storage) claimHint(ns string) string {
	h := "name a PersistentVolumeClaim of the site, or a claim of a StatefulSet: <template>-<statefulset>-<ordinal>, ordinal below its replicas"
	var names []string
	for k := range st.claims {
		if n, ok := strings.CutPrefix(k, ns+"/"); ok {
			names = append(names, n)
		}
	}
	if len(names) > 0 && len(names) <= 8 {
		h += "; the namespace has " + strings.Join(slices.Sorted(slices.Values(names)), ", ")
	}
	return h
}

// backend is one Ingress backend: networking.k8s.io/v1's service {name,
// port {name|number}}, or the legacy serviceName/servicePort.
type backend struct {
	name   string
	port   any // string (a name), an int, or nil
	portAt *field.Path
	nameAt *field.Path
}

func ingressBackends(doc map[string]any) []backend {
	var out []backend
	add := func(p *field.Path, b any) {
		m, ok := b.(map[string]any)
		if !ok {
			return
		}
		if svc, ok := m["service"].(map[string]any); ok {
			be := backend{name: str(svc["name"]), nameAt: p.Child("service", "name")}
			port, _ := svc["port"].(map[string]any)
			if n := str(port["name"]); n != "" {
				be.port, be.portAt = n, p.Child("service", "port", "name")
			} else if n, ok := toInt(port["number"]); ok {
				be.port, be.portAt = n, p.Child("service", "port", "number")
			}
			out = append(out, be)
			return
		}
		if n := str(m["serviceName"]); n != "" {
			be := backend{name: n, nameAt: p.Child("serviceName"), portAt: p.Child("servicePort")}
			switch v := m["servicePort"].(type) {
			case string:
				if i, err := strconv.Atoi(v); err == nil {
					be.port = i
				} else {
					be.port = v
				}
			default:
				if i, ok := toInt(v); ok {
					be.port = i
				}
			}
			out = append(out, be)
		}
	}
	spec := field.NewPath("spec")
	add(spec.Child("defaultBackend"), object.Dig(doc, "spec", "defaultBackend"))
	add(spec.Child("backend"), object.Dig(doc, "spec", "backend"))
	rules, _ := object.Dig(doc, "spec", "rules").([]any)
	for i, r := range rules {
		paths, _ := object.Dig(r, "http", "paths").([]any)
		for j, p := range paths {
			add(spec.Child("rules").Index(i).Child("http", "paths").Index(j).Child("backend"), object.Dig(p, "backend"))
		}
	}
	return out
}

func (s *site) checkBackend(it *Item, st storage, ns string, b backend) {
	sv, ok := st.services[ns+"/"+b.name]
	if !ok {
		var names []string
		for k := range st.services {
			if n, ok := strings.CutPrefix(k, ns+"/"); ok {
				names = append(names, n)
			}
		}
		h := "name a Service the site renders in the Ingress's namespace"
		if len(names) > 0 && len(names) <= 8 {
			h += "; the namespace has " + strings.Join(slices.Sorted(slices.Values(names)), ", ")
		}
		s.report(it, "ref-ingress-backend", b.nameAt, fmt.Sprintf("Service %q is not rendered by the site", b.name), h)
		return
	}
	// An ExternalName Service without ports forwards any port.
	if sv.opaque || sv.externalName && len(sv.names) == 0 && len(sv.numbers) == 0 {
		return
	}
	have := slices.Clone(sv.names)
	for _, n := range sv.numbers {
		have = append(have, strconv.Itoa(n))
	}
	hint := fmt.Sprintf("use a port of Service %s by name or number: %s", b.name, strings.Join(have, ", "))
	switch p := b.port.(type) {
	case string:
		if !slices.Contains(sv.names, p) {
			s.report(it, "ref-ingress-backend", b.portAt, fmt.Sprintf("Service %q has no port named %q", b.name, p), hint)
		}
	case int:
		if !slices.Contains(sv.numbers, p) {
			s.report(it, "ref-ingress-backend", b.portAt, fmt.Sprintf("Service %q has no port %d", b.name, p), hint)
		}
	}
}
