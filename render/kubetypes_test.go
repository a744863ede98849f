package render_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer/json"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/tpgen/tpgen/render/object"
)

// TestBuiltinKindsDecodeStrictly decodes every rendered object of a
// built-in kind into its Kubernetes API type, refusing unknown and
// duplicate fields and wrong types: the charts render real objects, not
// look-alikes.
func TestBuiltinKindsDecodeStrictly(t *testing.T) {
	t.Chdir("..")
	res := renderFleet(t, 2)
	ser := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	checked := 0
	for _, s := range res.Sites {
		for _, f := range s.Files {
			if strings.HasSuffix(f.Path, "/kustomization.yaml") {
				continue
			}
			docs, err := object.Decode(f.Data)
			require.NoError(t, err)
			o := object.Object{Doc: docs[0]}
			gv, err := schema.ParseGroupVersion(o.APIVersion())
			require.NoError(t, err, f.Path)
			if !scheme.Scheme.Recognizes(gv.WithKind(o.Kind())) {
				if o.Group() == "" || !strings.Contains(o.Group(), ".") || strings.HasSuffix(o.Group(), ".k8s.io") {
					t.Errorf("%s/%s: %s is not a kind Kubernetes knows", s.Name, f.Path, gv.WithKind(o.Kind()))
				}
				continue // a custom resource
			}
			var into runtime.Object
			_, _, err = ser.Decode(f.Data, nil, into)
			if err != nil {
				t.Errorf("%s/%s: %v", s.Name, f.Path, err)
			}
			checked++
		}
	}
	require.Greater(t, checked, 100)
}

// The strict decoder used above does refuse what it must.
func TestStrictDecoderRefusesUnknownFields(t *testing.T) {
	ser := json.NewSerializerWithOptions(json.DefaultMetaFactory, scheme.Scheme, scheme.Scheme,
		json.SerializerOptions{Yaml: true, Strict: true})
	_, _, err := ser.Decode([]byte("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\nspec: {replicas: 1, replcias: 2}\n"), nil, nil)
	require.ErrorContains(t, err, `unknown field "spec.replcias"`)
	_, _, err = ser.Decode([]byte("apiVersion: v1\nkind: Service\nmetadata: {name: x}\nspec: {ports: [{port: \"http\"}]}\n"), nil, nil)
	require.Error(t, err)
}
