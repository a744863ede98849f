package validate

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/crd"
	"github.com/tpgen/tpgen/render/kube"
)

// crdIndex holds the CRDs the site renders.
type crdIndex struct {
	set *crd.Set
	// invalid are the group/kinds of CRDs refused by crd-definition: their
	// custom resources are not checked again.
	invalid map[[2]string]bool
	// errs are the crd-definition findings, by item index.
	errs map[int]field.ErrorList
}

const crdGroupKind = "CustomResourceDefinition.apiextensions.k8s.io"

func (s *site) loadCRDs() crdIndex {
	x := crdIndex{set: crd.NewSet(), invalid: map[[2]string]bool{}, errs: map[int]field.ErrorList{}}
	for i, it := range s.items {
		if it.Object.GroupKind() != crdGroupKind || it.Object.APIVersion() != "apiextensions.k8s.io/v1" {
			continue
		}
		spec, _ := it.Object.Doc["spec"].(map[string]any)
		names, _ := spec["names"].(map[string]any)
		group, _ := spec["group"].(string)
		kind, _ := names["kind"].(string)
		errs, err := x.set.Add(it.Object.Doc)
		if err != nil {
			errs = field.ErrorList{field.Invalid(nil, field.OmitValueType{}, err.Error())}
		}
		if len(errs) > 0 {
			x.errs[i] = errs
			x.invalid[[2]string{group, kind}] = true
		}
	}
	// The CRDs of the APIs the cluster provides: a site CRD of the same
	// kind comes first.
	for _, api := range s.o.Policy.APIs {
		doc := s.o.ProvidedCRDs[api.CRDKey()]
		if api.CRD == "" || doc == nil || x.defines(api.Group, api.Kind) {
			continue
		}
		errs, err := x.set.Add(doc)
		if err == nil && len(errs) == 0 {
			continue
		}
		msg := fmt.Sprintf("the CustomResourceDefinition %s of provided API %s.%s is refused", api.CRD, api.Kind, api.Group)
		if err != nil {
			msg += ": " + err.Error()
		} else {
			msg += ": " + describe(errs[0])
		}
		s.report(nil, "crd-definition", field.NewPath("provided", "apis"), msg, "give the CRD file the cluster's operator installs (apiextensions.k8s.io/v1)")
	}
	return x
}

// providedAPI returns the API the profile says the cluster serves for
// group and kind.
func (s *site) providedAPI(group, kind string) (ProvidedAPI, bool) {
	for _, a := range s.o.Policy.APIs {
		if a.Group == group && a.Kind == kind {
			return a, true
		}
	}
	return ProvidedAPI{}, false
}

// checkKubernetes: api-removed, api-unavailable, api-deprecated,
// kube-schema, api-unknown.
func (s *site) checkKubernetes() {
	for i := range s.items {
		it := &s.items[i]
		o := it.Object
		av, kind := o.APIVersion(), o.Kind()
		switch state, api := kube.Lifecycle(av, kind, s.release); state {
		case kube.Removed:
			s.report(it, "api-removed", field.NewPath("apiVersion"),
				fmt.Sprintf("%s %s was removed in Kubernetes %s; the site runs %s", av, kind, api.Removed, s.release),
				replacementHint(api))
			continue
		case kube.NotYet:
			s.report(it, "api-unavailable", field.NewPath("apiVersion"),
				fmt.Sprintf("%s %s is served from Kubernetes %s; the site runs %s", av, kind, api.Introduced, s.release),
				"render an API version the site's kubernetesVersion serves, or raise kubernetesVersion")
			continue
		case kube.Deprecated:
			msg := fmt.Sprintf("%s %s is deprecated since Kubernetes %s", av, kind, api.Deprecated)
			if !api.Removed.IsZero() {
				msg += fmt.Sprintf(" and removed in %s", api.Removed)
			}
			s.report(it, "api-deprecated", field.NewPath("apiVersion"), msg, replacementHint(api))
		}
		switch {
		case kube.Builtin(av, kind):
			for _, e := range kube.Check(encryptedAsPlain(o.Doc)) {
				s.report(it, "kube-schema", fieldPath(e), describe(e), schemaHint(e, o.Kind(), av))
			}
		case s.crds.defines(o.Group(), kind):
			// crd-schema, below
			if api, ok := s.providedAPI(o.Group(), kind); ok && !slices.Contains(api.Versions, apiVersionOnly(av)) {
				s.report(it, "api-unknown", field.NewPath("apiVersion"),
					fmt.Sprintf("the cluster provides %s.%s in versions %s, not %s", kind, o.Group(), strings.Join(api.Versions, ", "), av),
					"use a version listed under provided.apis in the profile, or add it there")
			}
		case !kube.BuiltinGroup(o.Group()) && s.providedOnly(o.Group(), kind, apiVersionOnly(av)):
			// provided by the cluster, no CRD given: accepted as it is
		case kube.BuiltinGroup(o.Group()):
			s.report(it, "api-unknown", field.NewPath("kind"),
				fmt.Sprintf("%s is not a kind of apiVersion %s", kind, av),
				"check the kind and apiVersion against `kubectl api-resources`")
		default:
			if api, ok := s.providedAPI(o.Group(), kind); ok {
				s.report(it, "api-unknown", field.NewPath("apiVersion"),
					fmt.Sprintf("the cluster provides %s.%s in versions %s, not %s", kind, o.Group(), strings.Join(api.Versions, ", "), av),
					"use a version listed under provided.apis in the profile, or add it there")
				continue
			}
			s.report(it, "api-unknown", field.NewPath("kind"),
				fmt.Sprintf("no CustomResourceDefinition of the site defines %s.%s", kind, o.Group()),
				"render the CRD in the site's cluster tier, before anything that uses it, or declare the API under provided.apis in the profile if the cluster's platform installs it")
		}
	}
}

// providedOnly says whether the profile declares group/kind at version
// without a CRD to validate against.
func (s *site) providedOnly(group, kind, version string) bool {
	api, ok := s.providedAPI(group, kind)
	return ok && slices.Contains(api.Versions, version)
}

func (x crdIndex) defines(group, kind string) bool {
	if x.invalid[[2]string{group, kind}] {
		return true
	}
	_, ok := x.set.Lookup(group, kind)
	return ok
}

func replacementHint(api kube.API) string {
	if api.Replacement == "" {
		return ""
	}
	return "use " + api.Replacement
}

// checkCRDs: crd-definition, crd-schema.
func (s *site) checkCRDs() {
	for i := range s.items {
		it := &s.items[i]
		for _, e := range s.crds.errs[i] {
			s.report(it, "crd-definition", fieldPath(e), describe(e), "kube-apiserver refuses this CustomResourceDefinition: fix its schema")
		}
		o := it.Object
		if kube.Builtin(o.APIVersion(), o.Kind()) || s.crds.invalid[[2]string{o.Group(), o.Kind()}] {
			continue
		}
		if _, ok := s.crds.set.Lookup(o.Group(), o.Kind()); !ok {
			continue
		}
		for _, e := range s.crds.set.Validate(o.Doc) {
			s.report(it, "crd-schema", fieldPath(e), describe(e), fmt.Sprintf("the schema of %s is in the site's CustomResourceDefinition", o.GroupKind()))
		}
	}
}

func fieldPath(e *field.Error) *field.Path {
	if e.Field == "" || e.Field == "<nil>" {
		return nil
	}
	return field.NewPath(e.Field)
}

// describe words a field error for a finding (its path is printed apart).
func describe(e *field.Error) string {
	switch e.Type {
	case field.ErrorTypeRequired:
		if e.Detail == "" {
			return "required field is missing"
		}
	case field.ErrorTypeForbidden:
		if e.Detail != "" {
			return e.Detail
		}
	}
	return e.ErrorBody()
}

func schemaHint(e *field.Error, kind, apiVersion string) string {
	if e.Field == "" || strings.HasPrefix(e.Field, "metadata") {
		return ""
	}
	p := explainPath(e.Field)
	if e.Type == field.ErrorTypeForbidden { // an unknown field: explain its parent
		if i := strings.LastIndex(p, "."); i >= 0 {
			p = p[:i]
		} else {
			p = ""
		}
	}
	what := strings.ToLower(kind)
	if p != "" {
		what += "." + p
	}
	return fmt.Sprintf("see `kubectl explain %s --api-version=%s`", what, apiVersion)
}

// explainPath drops list indexes and map keys: kubectl explain walks types.
func explainPath(p string) string {
	var b strings.Builder
	depth := 0
	for _, r := range p {
		switch {
		case r == '[':
			depth++
		case r == ']':
			depth--
		case depth == 0:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// apiVersionOnly is the version part of an apiVersion ("v1" of "apps/v1").
func apiVersionOnly(av string) string {
	_, v, ok := strings.Cut(av, "/")
	if !ok {
		return av
	}
	return v
}
