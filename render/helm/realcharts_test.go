package helm_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"helm.sh/helm/v3/pkg/chart/loader"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/validate"
)

// secretFree are the values with which the charts that generate secrets
// or certificates by default name existing Secrets or given values
// instead (README: "Charts that generate secrets"); every value here is
// what the refusal's hint named.
var secretFree = map[string]string{
	"code-server": "existingSecret: code-server-password\n",
	"grafana":     "admin: {existingSecret: grafana-admin}\n",
	"minio":       "existingSecret: minio-root\n",
	// mlflow 1.7.1 calls its random generator through ternary, which
	// evaluates both branches: no value avoids it (see alwaysRefused).
	"mlflow": "flaskServerSecretKey: given\npostgresql: {auth: {existingSecret: mlflow-postgresql}}\n",
	// jupyterhub has no existing-Secret switch for its hub Secret: given
	// values are the only way, and validation then refuses the Secret's
	// data (secret-data findings naming chart, template and object).
	"jupyterhub": "proxy: {secretToken: test-only}\nhub: {config: {JupyterHub: {cookie_secret: test-only}, CryptKeeper: {keys: [test-only]}}}\n",
	"harbor": `existingSecretAdminPassword: harbor-admin
existingSecretSecretKey: harbor-secret-key
core: {existingSecret: harbor-core, secretName: harbor-core-token, existingXsrfSecret: harbor-xsrf}
registry: {existingSecret: harbor-registry, credentials: {existingSecret: harbor-registry-htpasswd}}
jobservice: {existingSecret: harbor-jobservice}
expose: {tls: {certSource: secret, secret: {secretName: harbor-tls}}}
`,
}

// defaultRefusal is what each of those charts' defaults meet: the template
// and function refused and a value the hint names.
var defaultRefusal = map[string][3]string{
	"code-server": {"templates/secrets.yaml:15:16", "randAlphaNum", "existingSecret"},
	"grafana":     {"templates/_helpers.tpl:136:5", "randAlphaNum", "admin.existingSecret"},
	"minio":       {"templates/_helpers.tpl:200:8", "randAlphaNum", "existingSecret"},
	"mlflow":      {"templates/_helpers.tpl:80:45", "randInt", "called from templates/flask_secret.yaml:2:67"},
	"jupyterhub":  {"templates/hub/_helpers-passwords.tpl:44:16", "randAlphaNum", ""},
	"harbor":      {"templates/registry/registry-secret.yaml:12:171", "randAlphaNum", "registry.existingSecret"},
}

// alwaysRefused are the charts no value renders without a generated
// secret, with the refusal they meet whatever the values.
var alwaysRefused = map[string]string{
	"mlflow": "rendering chart mlflow@1.7.1: templates/_helpers.tpl:80:45: non-deterministic template function \"randInt\" refused (tpgen never renders generated secrets, keys or dates)\n    called from templates/flask_secret.yaml:2:67\n    hint: take the value from values",
}

func readValues(t *testing.T, src string) map[string]any {
	v := map[string]any{}
	require.NoError(t, yaml.Unmarshal([]byte(src), &v))
	return v
}

// TestRealCharts renders every chart of ../shared/helm-repo fetched from a
// loopback Helm repository and from an in-process OCI registry holding the
// same archives, with Kubernetes 1.33 Capabilities, twice (same objects),
// and runs tpgen's validation on the output: it passes or its findings
// name the chart, the template and the object. The charts that generate
// secrets are refused with their defaults, naming the value to set.
func TestRealCharts(t *testing.T) {
	dir := chartrepotest.Dir(t)
	archives := chartrepotest.Archives(t, dir)
	repo := chartrepotest.HTTP(t, dir, "", "")
	reg := chartrepotest.OCI(t, "", "", archives...)
	f := chartfetch.New(chartfetch.Options{AllowHTTP: true})
	require.Len(t, archives, 22)
	for _, a := range archives {
		ch, err := loader.Load(a)
		require.NoError(t, err)
		name, version := ch.Metadata.Name, ch.Metadata.Version
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			fromRepo, err := f.Fetch(ctx, chartfetch.Ref{Source: repo.URL, Name: name, Version: version}, digestOf(t, a), "")
			require.NoError(t, err)
			oci, err := f.Resolve(ctx, chartfetch.Ref{Source: "oci://" + reg.Host() + "/charts", Name: name, Version: version})
			require.NoError(t, err)
			assert.Equal(t, chartfetch.Digest(fromRepo), oci.Digest, "the same archive from both sources")

			values := ""
			if b, err := os.ReadFile(filepath.Join(dir, "values", name+".yaml")); err == nil {
				values = string(b)
			}
			render := func() ([]object.Object, error) {
				ch, err := loader.LoadArchive(strings.NewReader(string(oci.Data)))
				require.NoError(t, err)
				v := values
				if want, ok := defaultRefusal[name]; ok {
					_, err := helm.Render(ch, helm.Options{Release: name, Namespace: "apps", Tier: "apps", KubeVersion: "1.33", Values: readValues(t, v)})
					require.Error(t, err, "defaults must be refused")
					msg := err.Error()
					assert.Contains(t, msg, "rendering chart "+name+"@"+version+": "+want[0]+": non-deterministic template function \""+want[1]+"\" refused")
					assert.Contains(t, msg, want[2])
					ch, err = loader.LoadArchive(strings.NewReader(string(oci.Data)))
					require.NoError(t, err)
					v += secretFree[name]
				}
				return helm.Render(ch, helm.Options{Release: name, Namespace: "apps", Tier: "apps", KubeVersion: "1.33", Values: readValues(t, v)})
			}
			first, err := render()
			if want, ok := alwaysRefused[name]; ok {
				require.Error(t, err)
				assert.Equal(t, want, err.Error())
				return
			}
			require.NoError(t, err)
			second, err := render()
			require.NoError(t, err)
			require.NotEmpty(t, first)
			assert.Equal(t, dump(t, first), dump(t, second), "two renders differ")

			items := make([]validate.Item, len(first))
			for i, o := range first {
				items[i] = validate.Item{Object: o, File: fmt.Sprintf("%s/%s", name, o.Name())}
			}
			findings, err := validate.Run(items, validate.Options{Site: "lab", KubeVersion: "1.33", Namespace: "apps", ClusterTier: "cluster"})
			require.NoError(t, err)
			var errs int
			for _, fd := range findings {
				if fd.Severity != validate.SeverityError {
					continue
				}
				errs++
				assert.NotEmpty(t, fd.Object, fd.String())
				assert.True(t, strings.HasPrefix(fd.Source, "chart "+name+"@"+version+" "), fd.String())
			}
			t.Logf("%s@%s: %d objects, %d error findings", name, version, len(first), errs)
		})
	}
}

func digestOf(t *testing.T, p string) string {
	b, err := os.ReadFile(p)
	require.NoError(t, err)
	return chartfetch.Digest(b)
}

func dump(t *testing.T, objs []object.Object) string {
	var out []string
	for _, o := range objs {
		b, err := yaml.Marshal(o.Doc)
		require.NoError(t, err)
		out = append(out, o.Source+"\n"+string(b))
	}
	slices.Sort(out)
	return strings.Join(out, "---\n")
}
