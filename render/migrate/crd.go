package migrate

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextv1beta1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1beta1"
	structural "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation/field"
	sigsjson "sigs.k8s.io/json"
)

// crdScheme converts CustomResourceDefinitions as the API server does,
// through the internal version.
var crdScheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	install.Install(s)
	return s
}()

const rootNote = "type: object written at the schema root (a custom resource is always an object)"

const crdHint = "give every version a structural schema (spec.validation.openAPIV3Schema, with a type at every level) and run migrate again, or take the project's apiextensions.k8s.io/v1 CRD"

// crdToV1 converts an apiextensions.k8s.io/v1beta1 CustomResourceDefinition
// with a structural schema to v1, with Kubernetes' own conversion
// (validation to versions[].schema, version to versions,
// additionalPrinterColumns JSONPath to jsonPath, subresources per
// version). v1beta1 kept unknown fields unless preserveUnknownFields was
// false; v1 prunes them, so the schema says
// x-kubernetes-preserve-unknown-fields at its root to keep the meaning.
func crdToV1(doc map[string]any, _ string) ([]string, *refusal) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, refuse("", "encoding: %v", err)
	}
	var in apiextv1beta1.CustomResourceDefinition
	strict, err := sigsjson.UnmarshalStrict(data, &in)
	if err == nil && len(strict) > 0 {
		err = strict[0]
	}
	if err != nil {
		return nil, refuse("fix the field: apiextensions.k8s.io/v1beta1 never had it in this shape", "not a valid apiextensions.k8s.io/v1beta1 CustomResourceDefinition: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
	preserve := in.Spec.PreserveUnknownFields == nil || *in.Spec.PreserveUnknownFields
	// A custom resource is an object: a schema root without a type says
	// nothing else, and v1 wants it written.
	var notes []string
	rootType := func(v *apiextv1beta1.CustomResourceValidation) {
		if v != nil && v.OpenAPIV3Schema != nil && v.OpenAPIV3Schema.Type == "" {
			v.OpenAPIV3Schema.Type = "object"
			if !slices.Contains(notes, rootNote) {
				notes = append(notes, rootNote)
			}
		}
	}
	if in.Spec.Scope == "" {
		in.Spec.Scope = apiextv1beta1.NamespaceScoped
		notes = append(notes, "spec.scope Namespaced written out (the v1beta1 default; v1 requires it)")
	}
	rootType(in.Spec.Validation)
	for i := range in.Spec.Versions {
		rootType(in.Spec.Versions[i].Schema)
	}
	var internal apiextensions.CustomResourceDefinition
	if err := crdScheme.Convert(&in, &internal, nil); err != nil {
		return nil, refuse("", "converting: %v", err)
	}
	if len(in.Spec.Versions) == 0 && in.Spec.Version == "" {
		return nil, refuse("name the version with spec.versions (or spec.version)", "no spec.version and no spec.versions")
	}
	// Every served version needs a structural schema in v1.
	names := []string{in.Spec.Version}
	if len(in.Spec.Versions) > 0 {
		names = names[:0]
		for _, v := range in.Spec.Versions {
			names = append(names, v.Name)
		}
	}
	for i, name := range names {
		s := internal.Spec.Validation
		if len(internal.Spec.Versions) > i && internal.Spec.Versions[i].Schema != nil {
			s = internal.Spec.Versions[i].Schema
		}
		if s == nil || s.OpenAPIV3Schema == nil {
			return nil, refuse(crdHint, "version %s has no schema: apiextensions.k8s.io/v1 requires a structural one, and tpgen will not invent it", name)
		}
		st, err := structural.NewStructural(s.OpenAPIV3Schema)
		if err != nil {
			return nil, refuse(crdHint, "version %s: the schema is not structural: %v", name, err)
		}
		errs := structural.ValidateStructural(field.NewPath("openAPIV3Schema"), st)
		if s.OpenAPIV3Schema.Type != "object" {
			errs = append(errs, field.Invalid(field.NewPath("openAPIV3Schema", "type"), s.OpenAPIV3Schema.Type, "must be object at the root"))
		}
		if len(errs) > 0 {
			return nil, refuse(crdHint, "version %s: the schema is not structural: %s", name, firstErrors(errs, 3))
		}
	}
	var out apiextv1.CustomResourceDefinition
	if err := crdScheme.Convert(&internal, &out, nil); err != nil {
		return nil, refuse("", "converting: %v", err)
	}
	notes = append([]string{"spec.validation, spec.subresources and spec.additionalPrinterColumns moved into spec.versions[] (JSONPath written jsonPath), as Kubernetes converts them"}, notes...)
	out.Spec.PreserveUnknownFields = false
	if preserve {
		kept := false
		for i := range out.Spec.Versions {
			p := out.Spec.Versions[i].Schema.OpenAPIV3Schema
			if p.XPreserveUnknownFields == nil || !*p.XPreserveUnknownFields {
				t := true
				p.XPreserveUnknownFields = &t
				kept = true
			}
		}
		if kept {
			notes = append(notes, "v1beta1 kept fields the schema does not list (preserveUnknownFields defaulted to true); x-kubernetes-preserve-unknown-fields: true at the schema root keeps them: remove it to let v1 prune them")
		}
	}
	spec, err := toMap(out.Spec)
	if err != nil {
		return nil, refuse("", "encoding: %v", err)
	}
	doc["spec"] = spec
	delete(doc, "status")
	return notes, nil
}

// toMap encodes v and decodes it as a generic document (numbers exact).
func toMap(v any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var m map[string]any
	err = d.Decode(&m)
	return m, err
}

func firstErrors(errs field.ErrorList, n int) string {
	var parts []string
	for i, e := range errs {
		if i == n {
			parts = append(parts, fmt.Sprintf("and %d more", len(errs)-n))
			break
		}
		parts = append(parts, e.Error())
	}
	return strings.Join(parts, "; ")
}
