package crd

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/listtype"
	schemaobjectmeta "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/objectmeta"
	structuralpruning "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"

	"github.com/tpgen/tpgen/internal/memo"
)

// Validate checks one custom resource (JSON data, e.g. a decoded YAML
// document) as kube-apiserver checks a create request with
// fieldValidation=Strict, and returns every problem with its field path,
// sorted by path.
// The object is not modified. A kind the set does not define, or a version
// it does not serve, is an error at kind or apiVersion.
func (s *Set) Validate(obj map[string]any) field.ErrorList {
	apiVersion, _ := obj["apiVersion"].(string)
	kind, _ := obj["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), apiVersion, err.Error())}
	}
	d, ok := s.Lookup(gv.Group, kind)
	if !ok {
		return field.ErrorList{field.NotFound(field.NewPath("kind"), kind+"."+gv.Group)}
	}
	v, ok := d.versions[gv.Version]
	if !ok {
		return field.ErrorList{field.NotSupported(field.NewPath("apiVersion"), apiVersion, d.apiVersions())}
	}
	key, cacheable := memo.Digest(obj)
	if cacheable {
		if errs, ok := d.results.Get(key); ok {
			return memo.ClonePtrs(errs)
		}
	}
	u, err := toData(obj)
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}
	errs := d.validate(u, v)
	// The schema validator walks maps: sort for a stable report.
	slices.SortStableFunc(errs, func(a, b *field.Error) int {
		return cmp.Or(cmp.Compare(a.Field, b.Field), cmp.Compare(a.ErrorBody(), b.ErrorBody()))
	})
	if cacheable {
		size := int64(0)
		for _, e := range errs {
			size += 128 + int64(len(e.Field)+len(e.Detail)+len(e.Origin))
		}
		d.results.Put(key, memo.ClonePtrs(errs), size)
	}
	return errs
}

func (d *Definition) apiVersions() []string {
	out := make([]string, len(d.Versions))
	for i, v := range d.Versions {
		out[i] = d.GroupKind.Group + "/" + v
	}
	return out
}

// validate follows the API server: decoding (metadata, pruning, coercion
// of embedded objects), defaulting, then the strategy's validation.
func (d *Definition) validate(u map[string]any, v *version) field.ErrorList {
	var errs field.ErrorList
	unknown := func(paths []string) {
		for _, p := range paths {
			errs = append(errs, &field.Error{Type: field.ErrorTypeForbidden, Field: strings.TrimPrefix(p, "."), Detail: "unknown field (not in the CRD schema)"})
		}
	}

	meta, _, metaUnknown, err := schemaobjectmeta.GetObjectMetaWithOptions(u, schemaobjectmeta.ObjectMetaOptions{ReturnUnknownFieldPaths: true})
	if err != nil {
		return append(errs, field.Invalid(field.NewPath("metadata"), field.OmitValueType{}, err.Error()))
	}
	unknown(metaUnknown)
	if !d.preserveUnknown {
		unknown(structuralpruning.PruneWithOptions(u, v.structural, true, structuralschema.UnknownFieldPathOptions{TrackUnknownFieldPaths: true}))
		structuraldefaulting.PruneNonNullableNullsWithoutDefaults(u, v.structural)
	}
	cerr, embeddedUnknown := schemaobjectmeta.CoerceWithOptions(nil, u, v.structural, false, schemaobjectmeta.CoerceOptions{ReturnUnknownFieldPaths: true})
	if cerr != nil {
		errs = append(errs, cerr)
	}
	unknown(embeddedUnknown)
	structuraldefaulting.Default(u, v.structural)

	if meta != nil {
		errs = append(errs, metavalidation.ValidateObjectMeta(meta, d.Namespaced, metavalidation.NameIsDNSSubdomain, field.NewPath("metadata"))...)
	} else {
		errs = append(errs, field.Required(field.NewPath("metadata"), ""))
	}
	errs = append(errs, apiservervalidation.ValidateCustomResource(nil, u, v.validator)...)
	errs = append(errs, schemaobjectmeta.Validate(context.Background(), nil, u, v.structural, false)...)
	errs = append(errs, listtype.ValidateListSetsAndMaps(nil, v.structural, u)...)
	if v.cel != nil && !blocking(errs) {
		celErrs, _ := v.cel.Validate(context.Background(), nil, v.structural, u, nil, celconfig.RuntimeCELCostBudget)
		errs = append(errs, celErrs...)
	}
	return errs
}

// blocking reports errors after which the API server skips CEL rules
// (hasBlockingErr of its custom resource strategy): the rules could not
// read the object.
func blocking(errs field.ErrorList) bool {
	for _, e := range errs {
		switch e.Type {
		case field.ErrorTypeNotSupported, field.ErrorTypeRequired, field.ErrorTypeTooLong, field.ErrorTypeTooMany, field.ErrorTypeTypeInvalid:
			return true
		}
	}
	return false
}

// String names the definition.
func (d *Definition) String() string {
	return fmt.Sprintf("%s (%s, %s)", d.Name, d.GroupKind, strings.Join(d.Versions, ", "))
}
