package render

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/validate"
)

func TestModuleDirectories(t *testing.T) {
	module := fstest.MapFS{
		"manifests/ok/a.yaml":     {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")},
		"manifests/ok/notes.md":   {Data: []byte("not read as objects")},
		"manifests/nokind/a.yaml": {Data: []byte("apiVersion: v1\nmetadata: {name: a}\n")},
		"manifests/empty/a.txt":   {Data: []byte("x")},
		"manifests/big/a.yaml":    {Data: []byte(strings.Repeat("#", 200))},
		"manifests/dup/a.yaml":    {Data: []byte("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n")},
	}
	lim := fsguard.Limit{Max: 120, What: "file size", Raise: "--max-file-size"}
	read := func(dir string) (string, error) {
		files, display, err := readModuleDir(module, dir, lim)
		if err != nil {
			return "", err
		}
		objs, err := manifests(files, display)
		if err != nil {
			return "", err
		}
		var out []string
		for _, o := range objs {
			out = append(out, o.Name()+" "+o.Source)
		}
		return strings.Join(out, ", "), nil
	}
	got, err := read("manifests/ok")
	if err != nil || got != "a manifests manifests/ok/a.yaml, b manifests manifests/ok/a.yaml" {
		t.Errorf("ok: %q %v", got, err)
	}
	for dir, want := range map[string]string{
		"manifests/nokind": "manifests/nokind/a.yaml: a document without apiVersion, kind or metadata.name\nhint: every document of a manifests directory is one Kubernetes object",
		"manifests/empty":  "manifests/empty: no object in its *.yaml and *.yml files",
		"manifests/none":   "directory manifests/none: not in the module\nhint: a component's path names a directory of its module, e.g. manifests/<name>",
		"../outside":       `path "../outside": want a directory inside the module (relative, without ..)`,
		"manifests/big":    "reading directory manifests/big of the module: manifests/big/a.yaml: 200 bytes, over the limit: the file size limit is 120 bytes\nhint: raise it with --max-file-size",
		"manifests/dup":    "reading directory manifests/dup of the module: manifests/dup/a.yaml:3",
	} {
		_, err := read(dir)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", dir, err, want)
		}
	}
}

// TestConvertLegacy: a manifests component's objects on removed API
// versions are converted as `tpgen migrate` converts them, each conversion
// a warning naming the module file; what migrate refuses is an error
// naming the file and the object.
func TestConvertLegacy(t *testing.T) {
	decode := func(t *testing.T, src string) []object.Object {
		t.Helper()
		docs, err := object.Decode([]byte(src))
		if err != nil {
			t.Fatal(err)
		}
		var out []object.Object
		for _, d := range docs {
			out = append(out, object.Object{Doc: d, Source: "manifests manifests/se/influxdb.yaml"})
		}
		return out
	}
	t.Run("converted", func(t *testing.T) {
		objs := decode(t, `apiVersion: apps/v1beta2
kind: StatefulSet
metadata: {name: influxdb, namespace: smartemission}
spec:
  serviceName: influxdb
  selector: {matchLabels: {app: influxdb}}
  template:
    metadata: {labels: {app: influxdb}}
    spec: {containers: [{name: influxdb, image: "influxdb:1.6.1"}]}
---
apiVersion: v1
kind: Service
metadata: {name: influxdb, namespace: smartemission}
spec: {ports: [{port: 8086}]}
`)
		got, err := convertLegacy(objs, "1.33", "se")
		require.NoError(t, err)
		assert.Equal(t, "apps/v1", objs[0].APIVersion())
		require.NotEmpty(t, got)
		for _, f := range got {
			assert.Equal(t, validate.Finding{Severity: validate.SeverityWarning, Object: "StatefulSet/smartemission/influxdb",
				File: "manifests/se/influxdb.yaml", Source: "manifests manifests/se/influxdb.yaml", Check: "api-converted",
				Message: f.Message, Hint: "run `tpgen migrate` once on the module's manifests directory and commit its output"}, f)
		}
		assert.Equal(t, "apps/v1beta2 -> apps/v1 (apps/v1beta2 removed in Kubernetes 1.16)", got[0].Message)
	})
	t.Run("refused", func(t *testing.T) {
		objs := decode(t, `apiVersion: apps/v1beta2
kind: PersistentVolumeClaim
metadata: {name: influxdb-backup}
spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}
`)
		_, err := convertLegacy(objs, "1.33", "se")
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "manifests/se/influxdb.yaml: PersistentVolumeClaim/se/influxdb-backup: apps/v1beta2 cannot hold kind PersistentVolumeClaim"), err.Error())
		assert.Contains(t, err.Error(), "\nhint: ")
	})
	t.Run("current objects untouched", func(t *testing.T) {
		objs := decode(t, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
		got, err := convertLegacy(objs, "1.33", "se")
		require.NoError(t, err)
		assert.Empty(t, got)
	})
}

// TestConvertLegacyKeepsPlacement: an object without a namespace is
// converted as if in the component's namespace and left without one (the
// engine places it); a cluster-scoped one gets none.
func TestConvertLegacyKeepsPlacement(t *testing.T) {
	docs, err := object.Decode([]byte("apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web}\nspec:\n  backend: {serviceName: web, servicePort: 80}\n---\napiVersion: rbac.authorization.k8s.io/v1beta1\nkind: ClusterRole\nmetadata: {name: r}\nrules: []\n"))
	require.NoError(t, err)
	objs := []object.Object{{Doc: docs[0], Source: "manifests m/a.yaml"}, {Doc: docs[1], Source: "manifests m/a.yaml"}}
	got, err := convertLegacy(objs, "1.30", "se")
	require.NoError(t, err)
	assert.Equal(t, "", objs[0].Namespace())
	assert.Equal(t, "networking.k8s.io/v1", objs[0].APIVersion())
	assert.Equal(t, "rbac.authorization.k8s.io/v1", objs[1].APIVersion())
	assert.Equal(t, "Ingress/se/web", got[0].Object)
	assert.Equal(t, "ClusterRole/r", got[len(got)-1].Object)
}
