package kube

import (
	"encoding"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metavalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/api/validation/path"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/validation/field"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	sigsjson "sigs.k8s.io/json"

	"github.com/tpgen/tpgen/internal/memo"
)

// scheme holds every built-in API type tpgen checks: client-go's, plus
// CustomResourceDefinition.
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(s); err != nil {
		panic(err)
	}
	if err := apiextensionsv1.AddToScheme(s); err != nil {
		panic(err)
	}
	return s
}()

// Builtin reports whether apiVersion/kind is a built-in kind whose Go type
// this package knows (and so checks with Check).
func Builtin(apiVersion, kind string) bool {
	gv, err := schema.ParseGroupVersion(apiVersion)
	return err == nil && scheme.Recognizes(gv.WithKind(kind))
}

// BuiltinGroup reports whether group is an API group of Kubernetes itself
// (core, *.k8s.io, or one of the historical unqualified groups).
func BuiltinGroup(group string) bool {
	return group == "" || !strings.Contains(group, ".") || strings.HasSuffix(group, ".k8s.io") || scheme.IsGroupRegistered(group)
}

// Check decodes a built-in object into its API type and reports, as the
// API server would refuse them: unknown and duplicate fields, values of the
// wrong type, fields the Kubernetes OpenAPI document marks required, invalid
// metadata (name, namespace, labels, annotations) and a workload selector
// that does not select its own pod template. doc must be a Builtin kind.
func Check(doc map[string]any) field.ErrorList {
	k, ok := memo.Digest(doc)
	if !ok {
		return check(doc)
	}
	if errs, hit := checks.Get(k); hit {
		return memo.ClonePtrs(errs)
	}
	errs := check(doc)
	checks.Put(k, memo.ClonePtrs(errs), int64(len(errs))*256)
	return errs
}

// checks memoize Check by the typed digest of the document (issue 17:
// validation checks every object of every site, and most objects are the
// same from site to site).
var checks = memo.New[field.ErrorList](4 << 20)

func check(doc map[string]any) field.ErrorList {
	apiVersion, _ := doc["apiVersion"].(string)
	kind, _ := doc["kind"].(string)
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return field.ErrorList{field.Invalid(field.NewPath("apiVersion"), apiVersion, err.Error())}
	}
	gvk := gv.WithKind(kind)
	obj, err := scheme.New(gvk)
	if err != nil {
		return field.ErrorList{field.NotSupported[string](field.NewPath("kind"), kind, nil)}
	}
	data, err := json.Marshal(doc)
	if err != nil {
		return field.ErrorList{field.InternalError(nil, err)}
	}
	var errs field.ErrorList
	strict, err := sigsjson.UnmarshalStrict(data, obj)
	for _, e := range strict {
		errs = append(errs, strictError(e))
	}
	if err != nil {
		errs = append(errs, typeError(err))
		return errs // the typed object is incomplete: stop here
	}
	errs = append(errs, missingRequired(doc, reflect.TypeOf(obj).Elem(), nil)...)
	if m, ok := metaOf(obj); ok {
		gk := gvk.GroupKind()
		key := gk.Kind
		if gk.Group != "" {
			key += "." + gk.Group
		}
		errs = append(errs, metavalidation.ValidateObjectMeta(m, !ClusterScoped(key), nameRule(gk), field.NewPath("metadata"))...)
	}
	errs = append(errs, selectorMismatch(doc)...)
	return errs
}

var strictMsg = regexp.MustCompile(`^(unknown|duplicate) field "(.*)"$`)

func strictError(e error) *field.Error {
	p := ""
	if fe, ok := e.(sigsjson.FieldError); ok {
		p = fe.FieldPath()
	}
	what := "unknown field"
	if m := strictMsg.FindStringSubmatch(e.Error()); m != nil {
		what = m[1] + " field"
	}
	return &field.Error{Type: field.ErrorTypeForbidden, Field: p, Detail: what}
}

// typeMsg matches encoding/json's "json: cannot unmarshal X into Go struct
// field T.a.b of type Y".
var typeMsg = regexp.MustCompile(`cannot unmarshal (\S+) into Go struct field [^.\s]+\.(\S+) of type (\S+)`)

func typeError(err error) *field.Error {
	if m := typeMsg.FindStringSubmatch(err.Error()); m != nil {
		return &field.Error{Type: field.ErrorTypeTypeInvalid, Field: m[2], BadValue: field.OmitValueType{},
			Detail: fmt.Sprintf("got %s, want %s", m[1], m[3])}
	}
	return &field.Error{Type: field.ErrorTypeTypeInvalid, Field: "", BadValue: field.OmitValueType{},
		Detail: strings.TrimPrefix(err.Error(), "json: ")}
}

// opaque types decode themselves from JSON (Quantity, Time, IntOrString,
// RawExtension...): the required-field walk does not enter them.
var (
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

// missingRequired walks v (the object as JSON data) alongside its Go type
// and reports every field the OpenAPI document requires that v lacks.
func missingRequired(v any, t reflect.Type, p *field.Path) field.ErrorList {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		return nil
	}
	var errs field.ErrorList
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		info := structOf(t)
		for _, name := range info.required {
			if m[name] == nil {
				errs = append(errs, field.Required(p.Child(name), ""))
			}
		}
		fields := info.fields
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if ft, ok := fields[k]; ok {
				errs = append(errs, missingRequired(m[k], ft, p.Child(k))...)
			}
		}
	case reflect.Slice:
		l, _ := v.([]any)
		for i, e := range l {
			errs = append(errs, missingRequired(e, t.Elem(), p.Index(i))...)
		}
	case reflect.Map:
		m, _ := v.(map[string]any)
		for _, k := range slices.Sorted(maps.Keys(m)) {
			errs = append(errs, missingRequired(m[k], t.Elem(), p.Key(k))...)
		}
	}
	return errs
}

// structInfo is what the walk needs of a struct type.
type structInfo struct {
	required []string
	fields   map[string]reflect.Type
}

var structInfos sync.Map // reflect.Type -> *structInfo

func structOf(t reflect.Type) *structInfo {
	if v, ok := structInfos.Load(t); ok {
		return v.(*structInfo)
	}
	v, _ := structInfos.LoadOrStore(t, &structInfo{required: required[definitionName(t)], fields: jsonFields(t)})
	return v.(*structInfo)
}

// definitionName is the OpenAPI definition name of a Go API type:
// k8s.io/api/apps/v1.DeploymentSpec is io.k8s.api.apps.v1.DeploymentSpec.
func definitionName(t reflect.Type) string {
	parts := strings.Split(t.PkgPath(), "/")
	if len(parts) == 0 {
		return ""
	}
	host := strings.Split(parts[0], ".")
	slices.Reverse(host)
	return strings.Join(append(host, parts[1:]...), ".") + "." + t.Name()
}

// jsonFields maps the JSON names of a struct's fields, inline ones
// included, to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		name, _, _ := strings.Cut(tag, ",")
		switch {
		case name == "-":
		case f.Anonymous && name == "" || strings.Contains(tag, ",inline"):
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range jsonFields(ft) {
					out[k] = v
				}
			}
		case name != "":
			out[name] = f.Type
		}
	}
	return out
}

func metaOf(obj runtime.Object) (*metav1.ObjectMeta, bool) {
	a, ok := obj.(interface{ GetObjectMeta() metav1.Object })
	if !ok {
		return nil, false
	}
	m, ok := a.GetObjectMeta().(*metav1.ObjectMeta)
	return m, ok
}

// nameRule is the name validation of a kind, as the API server applies it:
// DNS-1123 subdomains, except the kinds below.
func nameRule(gk schema.GroupKind) metavalidation.ValidateNameFunc {
	switch {
	case gk.Group == "" && (gk.Kind == "Service" || gk.Kind == "Namespace"):
		if gk.Kind == "Service" {
			return metavalidation.NameIsDNS1035Label
		}
		return metavalidation.ValidateNamespaceName
	case gk.Group == "rbac.authorization.k8s.io":
		return path.ValidatePathSegmentName
	}
	return metavalidation.NameIsDNSSubdomain
}

// selectorMismatch reports a workload whose spec.selector does not select
// its own pod template (the API server refuses it).
func selectorMismatch(doc map[string]any) field.ErrorList {
	switch doc["kind"] {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet":
	default:
		return nil
	}
	spec, _ := doc["spec"].(map[string]any)
	if spec["selector"] == nil {
		return nil
	}
	p := field.NewPath("spec", "selector")
	s, ok := Selector(spec["selector"])
	if !ok {
		return field.ErrorList{field.Invalid(p, field.OmitValueType{}, "not a valid label selector")}
	}
	if s.Empty() {
		return field.ErrorList{field.Invalid(p, field.OmitValueType{}, "empty selector is invalid for a workload")}
	}
	tmpl, _ := spec["template"].(map[string]any)
	md, _ := tmpl["metadata"].(map[string]any)
	if !s.Matches(LabelSet(md["labels"])) {
		return field.ErrorList{field.Invalid(p, field.OmitValueType{}, "does not select spec.template.metadata.labels")}
	}
	return nil
}
