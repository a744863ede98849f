package crd

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"k8s.io/apiextensions-apiserver/pkg/apis/apiextensions"
	apiextensionsinstall "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/install"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apiextensionsvalidation "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation"
	structuralschema "k8s.io/apiextensions-apiserver/pkg/apiserver/schema"
	"k8s.io/apiextensions-apiserver/pkg/apiserver/schema/cel"
	structuraldefaulting "k8s.io/apiextensions-apiserver/pkg/apiserver/schema/defaulting"
	apiservervalidation "k8s.io/apiextensions-apiserver/pkg/apiserver/validation"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utiljson "k8s.io/apimachinery/pkg/util/json"
	"k8s.io/apimachinery/pkg/util/validation/field"
	celconfig "k8s.io/apiserver/pkg/apis/cel"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/memo"
)

// Set is a set of CustomResourceDefinitions, ready to validate the custom
// resources they define.
type Set struct {
	defs map[schema.GroupKind]*Definition
}

// Definition is one CRD, compiled.
type Definition struct {
	// Name is the CRD's metadata.name (plural.group).
	Name string
	// GroupKind is what it defines.
	GroupKind schema.GroupKind
	// Namespaced is false for scope Cluster.
	Namespaced bool
	// Versions are the served versions, in the CRD's order.
	Versions []string

	preserveUnknown bool
	versions        map[string]*version
	// results memoizes Validate by the object's content: a fleet's
	// sites share the CRD (compile's cache) and most of their custom
	// resources (issue 17).
	results *memo.Memo[field.ErrorList]
}

// resultsSize bounds a Definition's memo of Validate's results.
const resultsSize = 1 << 20

type version struct {
	structural *structuralschema.Structural
	validator  apiservervalidation.SchemaValidator
	cel        *cel.Validator // nil without x-kubernetes-validations
}

// NewSet returns an empty set.
func NewSet() *Set { return &Set{defs: map[schema.GroupKind]*Definition{}} }

// Add checks a CRD as kube-apiserver does on create and, when it is valid,
// adds it (replacing a CRD of the same group and kind). doc is one
// apiextensions.k8s.io/v1 CustomResourceDefinition as JSON data. Problems
// with the CRD come back as field errors; err is for what is not a CRD.
func (s *Set) Add(doc map[string]any) (field.ErrorList, error) {
	data, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	c, err := compile(data)
	if err != nil {
		return nil, err
	}
	if len(c.errs) > 0 {
		return c.errs, nil
	}
	s.defs[c.def.GroupKind] = c.def
	return nil, nil
}

// compiled CRDs by content: a fleet renders the same CRDs for every site,
// and compiling one (its CEL rules above all) is the expensive part.
var cache sync.Map // [32]byte -> *compiled

type compiled struct {
	def  *Definition
	errs field.ErrorList
}

var conv = func() *runtime.Scheme {
	s := runtime.NewScheme()
	apiextensionsinstall.Install(s)
	return s
}()

func compile(data []byte) (*compiled, error) {
	key := sha256.Sum256(data)
	if c, ok := cache.Load(key); ok {
		return c.(*compiled), nil
	}
	var v1 apiextensionsv1.CustomResourceDefinition
	if err := json.Unmarshal(data, &v1); err != nil {
		return nil, fmt.Errorf("decoding CustomResourceDefinition: %w", err)
	}
	if v1.APIVersion != "apiextensions.k8s.io/v1" || v1.Kind != "CustomResourceDefinition" {
		return nil, fmt.Errorf("%s %s is not an apiextensions.k8s.io/v1 CustomResourceDefinition", v1.APIVersion, v1.Kind)
	}
	conv.Default(&v1)
	var crd apiextensions.CustomResourceDefinition
	if err := conv.Convert(&v1, &crd, nil); err != nil {
		return nil, fmt.Errorf("converting CustomResourceDefinition %s: %w", v1.Name, err)
	}
	// As the API server's PrepareForCreate: status is the server's, and the
	// storage version is the first stored one.
	crd.Status = apiextensions.CustomResourceDefinitionStatus{}
	for _, v := range crd.Spec.Versions {
		if v.Storage {
			crd.Status.StoredVersions = []string{v.Name}
			break
		}
	}
	c := &compiled{errs: apiextensionsvalidation.ValidateCustomResourceDefinition(context.Background(), &crd)}
	// The internal type holds a schema shared by every version (and
	// subresources, columns) at spec.validation etc.; point at the v1
	// field the author wrote.
	for _, e := range c.errs {
		e.Field = v1Path(e.Field, len(v1.Spec.Versions))
	}
	if len(c.errs) == 0 {
		def, errs := newDefinition(&crd)
		c.def, c.errs = def, errs
	}
	cache.Store(key, c)
	return c, nil
}

func newDefinition(crd *apiextensions.CustomResourceDefinition) (*Definition, field.ErrorList) {
	d := &Definition{
		Name:            crd.Name,
		GroupKind:       schema.GroupKind{Group: crd.Spec.Group, Kind: crd.Spec.Names.Kind},
		Namespaced:      crd.Spec.Scope == apiextensions.NamespaceScoped,
		preserveUnknown: crd.Spec.PreserveUnknownFields != nil && *crd.Spec.PreserveUnknownFields,
		versions:        map[string]*version{},
		results:         memo.New[field.ErrorList](resultsSize),
	}
	for i, v := range crd.Spec.Versions {
		if !v.Served {
			continue
		}
		p := field.NewPath("spec", "versions").Index(i).Child("schema", "openAPIV3Schema")
		val, err := apiextensions.GetSchemaForVersion(crd, v.Name)
		if err != nil || val == nil || val.OpenAPIV3Schema == nil {
			return nil, field.ErrorList{field.Required(p, "no schema for served version "+v.Name)}
		}
		st, err := structuralschema.NewStructural(val.OpenAPIV3Schema)
		if err != nil {
			return nil, field.ErrorList{field.Invalid(p, field.OmitValueType{}, err.Error())}
		}
		st = st.DeepCopy()
		if err := structuraldefaulting.PruneDefaults(st); err != nil {
			return nil, field.ErrorList{field.Invalid(p, field.OmitValueType{}, err.Error())}
		}
		validator, _, err := apiservervalidation.NewSchemaValidator(val.OpenAPIV3Schema)
		if err != nil {
			return nil, field.ErrorList{field.Invalid(p, field.OmitValueType{}, err.Error())}
		}
		d.Versions = append(d.Versions, v.Name)
		d.versions[v.Name] = &version{structural: st, validator: validator, cel: cel.NewValidator(st, true, celconfig.PerCallLimit)}
	}
	return d, nil
}

// v1Path turns a path of the internal CRD type into the v1 one.
func v1Path(p string, versions int) string {
	idx := "[*]"
	if versions == 1 {
		idx = "[0]"
	}
	for internal, v1 := range map[string]string{
		"spec.validation.":              "spec.versions" + idx + ".schema.",
		"spec.subresources.":            "spec.versions" + idx + ".subresources.",
		"spec.additionalPrinterColumns": "spec.versions" + idx + ".additionalPrinterColumns",
		"spec.selectableFields":         "spec.versions" + idx + ".selectableFields",
	} {
		if strings.HasPrefix(p, internal) {
			return v1 + strings.TrimPrefix(p, internal)
		}
	}
	return p
}

// Load reads CRDs from YAML or JSON files, or from the *.yaml, *.yml and
// *.json files under directories (recursively). Documents of other kinds
// are skipped; an invalid CRD is an error naming its file and problems.
func Load(paths ...string) (*Set, error) {
	s := NewSet()
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch filepath.Ext(p) {
			case ".yaml", ".yml", ".json":
			default:
				if p != root {
					return nil
				}
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			return s.AddYAML(b, p)
		})
		if err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddYAML adds every CRD of a multi-document YAML stream; source names it
// in errors.
func (s *Set) AddYAML(stream []byte, source string) error {
	for i, doc := range splitYAML(stream) {
		var m map[string]any
		if err := yaml.Unmarshal(doc, &m); err != nil {
			return fmt.Errorf("%s: document %d: %w", source, i+1, err)
		}
		if m == nil || m["kind"] != "CustomResourceDefinition" {
			continue
		}
		errs, err := s.Add(m)
		if err != nil {
			return fmt.Errorf("%s: document %d: %w", source, i+1, err)
		}
		if len(errs) > 0 {
			return fmt.Errorf("%s: CustomResourceDefinition %v: %w", source, m["metadata"].(map[string]any)["name"], errs.ToAggregate())
		}
	}
	return nil
}

// splitYAML splits on lines that start a new document.
func splitYAML(src []byte) [][]byte {
	var docs [][]byte
	start := 0
	lines := strings.SplitAfter(string(src), "\n")
	off := 0
	for _, l := range lines {
		if t := strings.TrimRight(l, " \t\r\n"); t == "---" || strings.HasPrefix(t, "--- ") {
			docs = append(docs, src[start:off])
			start = off + len(l)
		}
		off += len(l)
	}
	return append(docs, src[start:])
}

// Definitions returns the CRDs of the set, sorted by name.
func (s *Set) Definitions() []*Definition {
	out := make([]*Definition, 0, len(s.defs))
	for _, d := range s.defs {
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b *Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// Lookup returns the CRD that defines group and kind.
func (s *Set) Lookup(group, kind string) (*Definition, bool) {
	d, ok := s.defs[schema.GroupKind{Group: group, Kind: kind}]
	return d, ok
}

// toData turns JSON-like Go data (json.Number and all) into what the API
// server's code expects: int64 for integers, float64 for other numbers.
func toData(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	return out, utiljson.Unmarshal(b, &out)
}
