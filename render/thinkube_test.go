package render_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/internal/chartrepotest"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/chartfetch"
	"github.com/tpgen/tpgen/render/chartlock"
	"github.com/tpgen/tpgen/render/object"
)

// The Thinkube example fleet (examples/thinkube: thinkube-full with every
// service on, Argo CD; thinkube-min with the optional ones off, Flux)
// renders the real upstream charts of ../shared/helm-repo, offline, from a
// chart cache filled with those archives by digest: the digests the
// committed lockfile pins. The charts are big: the fleet is rendered once
// per test binary (sharedThinkube) and the tests read that result.

const thinkubeGolden = "golden-thinkube"

// thinkubeOptions renders examples/thinkube (from the repository root)
// offline from cache.
func thinkubeOptions(cache string, jobs int) render.Options {
	lim := render.DefaultLimits
	return render.Options{
		Paths: []string{"examples/thinkube"}, Jobs: jobs, GitOpsPath: thinkubeGolden, Version: "devel",
		Limits:       lim,
		ChartSources: render.ChartSources{Cache: cache, Offline: true},
	}
}

// thinkubeCache fills a temporary chart cache with the archives of
// ../shared/helm-repo (skipping loudly without it), stored by digest as
// `tpgen charts pull` stores them.
func thinkubeCache(t testing.TB) string {
	t.Helper()
	dir := chartrepotest.Dir(t)
	cache := &chartlock.Cache{Dir: t.TempDir()}
	for _, a := range chartrepotest.Archives(t, dir) {
		b, err := os.ReadFile(a)
		require.NoError(t, err)
		require.NoError(t, cache.Put(chartfetch.Digest(b), b))
	}
	return cache.Dir
}

var thinkube struct {
	once sync.Once
	res  *render.Result
	err  error
}

// sharedThinkube is one rendering of examples/thinkube at -j 4. It
// changes into the repository root for the calling test.
func sharedThinkube(t *testing.T) *render.Result {
	t.Helper()
	if raceEnabled {
		t.Skip("skipped under -race: the real charts render in make test's plain pass (go test -run TestThinkube ./render)")
	}
	t.Chdir("..")
	thinkube.once.Do(func() {
		thinkube.res, thinkube.err = render.Run(context.Background(), thinkubeOptions(thinkubeCache(t), 4))
	})
	require.NoError(t, thinkube.err)
	return thinkube.res
}

// isCRD says a golden file is a CustomResourceDefinition: upstream's bytes,
// kept in golden-thinkube/ as their sha256 only (5 MiB per site).
func isCRD(p string) bool {
	return strings.HasPrefix(filepath.Base(p), "customresourcedefinition.apiextensions.k8s.io_")
}

func digestLine(b []byte) []byte { return fmt.Appendf(nil, "sha256:%x\n", sha256.Sum256(b)) }

// TestThinkubeGolden compares the rendered Thinkube fleet with
// golden-thinkube/ (CRDs by digest); -update rewrites it, deleting stale
// files.
func TestThinkubeGolden(t *testing.T) {
	got := map[string][]byte{}
	for p, b := range treeOf(sharedThinkube(t)) {
		if isCRD(p) {
			got[p+".sha256"] = digestLine(b)
			continue
		}
		got[p] = b
	}
	require.Greater(t, len(got), 500, "both sites rendered")
	matchGolden(t, thinkubeGolden, got, "go test ./render -run TestThinkubeGolden -update")
}

// TestThinkubeDeterministic: -j 1 renders the same bytes as -j 4.
func TestThinkubeDeterministic(t *testing.T) {
	shared := treeOf(sharedThinkube(t))
	res, err := render.Run(context.Background(), thinkubeOptions(thinkubeCache(t), 1))
	require.NoError(t, err)
	got := treeOf(res)
	require.Equal(t, len(shared), len(got))
	for p, b := range shared {
		if !bytes.Equal(b, got[p]) {
			t.Errorf("%s: -j 1 and -j 4 differ", p)
		}
	}
}

// thinkubeOrder is the seed's dependency chain and "used by" lists as
// edges: each "after" component is synced after each of its "before" ones
// (PostgreSQL before Keycloak: the data flow, where the seed's chain puts
// it after; README, Thinkube).
var thinkubeOrder = []struct{ before, after []string }{
	// Ingress and cert-manager before everything: the cluster unit.
	{[]string{"ingress", "ingress-kn", "cert-manager", "tls"}, []string{
		"gpu-operator", "vault", "postgres-operator", "postgres", "minio", "qdrant", "valkey", "keycloak", "harbor",
		"argo-workflows", "argo-cd", "code-server", "prometheus", "grafana", "loki", "pgadmin", "opensearch", "knative", "mlflow"}},
	{[]string{"gpu-operator"}, []string{"vault"}},
	{[]string{"vault"}, []string{"keycloak"}},
	{[]string{"postgres-operator"}, []string{"postgres"}},
	{[]string{"postgres"}, []string{"keycloak", "harbor", "mlflow", "pgadmin", "minio"}},
	// Keycloak before every SSO service.
	{[]string{"keycloak"}, []string{"harbor", "argo-workflows", "argo-cd", "code-server", "grafana", "mlflow"}},
	// MinIO is used by Harbor, MLflow, Argo (JupyterHub: out of scope).
	{[]string{"minio"}, []string{"harbor", "mlflow", "argo-workflows", "qdrant", "valkey"}},
	{[]string{"harbor"}, []string{"argo-workflows", "argo-cd", "code-server"}},
	// Development environments after both branches of the chain.
	{[]string{"argo-workflows", "argo-cd", "qdrant", "valkey"}, []string{"code-server"}},
	// Monitoring and the other services last.
	{[]string{"code-server"}, []string{"prometheus", "grafana", "loki", "pgadmin", "opensearch", "knative", "mlflow"}},
	{[]string{"prometheus", "loki"}, []string{"grafana"}},
}

// clusterUnit are the components applied by the cluster admin before any
// site component (README, Thinkube).
var clusterUnit = []string{"access", "ingress", "ingress-kn", "cert-manager", "tls"}

// TestThinkubeOrder: Argo CD (thinkube-full) and Flux (thinkube-min) sync
// the components in the seed's order; the networking and TLS base and
// the deployer accounts are in the cluster unit.
func TestThinkubeOrder(t *testing.T) {
	files := treeFiles(sharedThinkube(t))
	obj := func(p string) (object.Object, bool) {
		b, ok := files[p]
		if !ok {
			return object.Object{}, false
		}
		return decodeOne(t, b), true
	}
	for _, site := range []string{"thinkube-full", "thinkube-min"} {
		// The base: the IngressClasses, the issuer, cert-manager and the
		// deployer accounts in the cluster directory; no site component.
		unit := under(files, "clusters/"+site)
		for _, f := range []string{
			"ingressclass.networking.k8s.io_nginx.yaml", "ingressclass.networking.k8s.io_nginx-kn.yaml",
			"deployment.apps_cert-manager_cert-manager.yaml", "deployment.apps_ingress_ingress-ingress-nginx-controller.yaml",
			"deployment.apps_ingress-kn_ingress-kn-ingress-nginx-controller.yaml",
			"serviceaccount.core_keycloak_thinkube-deployer.yaml", "rolebinding.rbac.authorization.k8s.io_keycloak_thinkube-deployer.yaml",
		} {
			assert.Contains(t, unit, f, site)
		}
		for _, c := range clusterUnit {
			assert.Empty(t, under(files, site+"/"+c), "%s: %s is in the cluster unit", site, c)
		}
	}
	assert.Contains(t, under(files, "clusters/thinkube-full"), "clusterissuer.cert-manager.io_letsencrypt-production.yaml")
	assert.Contains(t, under(files, "clusters/thinkube-min"), "clusterissuer.cert-manager.io_thinkube-ca.yaml")

	// Argo CD: each component's wave is above its predecessors'.
	wave := map[string]string{}
	for _, p := range under(files, "thinkube-full/gitops") {
		if c, ok := strings.CutPrefix(p, "application.argoproj.io_argocd_thinkube-full-"); ok {
			a, _ := obj("thinkube-full/gitops/" + p)
			wave[strings.TrimSuffix(c, ".yaml")], _ = a.Annotations()["argocd.argoproj.io/sync-wave"].(string)
		}
	}
	assert.Len(t, wave, 19, "every service of thinkube-full but the cluster unit's: %v", wave)
	num := func(c string) int {
		var n int
		_, err := fmt.Sscan(wave[c], &n)
		require.NoError(t, err, "no wave for %s", c)
		return n
	}
	for _, e := range thinkubeOrder {
		for _, a := range e.after {
			for _, b := range e.before {
				if slices.Contains(clusterUnit, b) {
					assert.GreaterOrEqual(t, num(a), 1, "%s syncs after the cluster unit's %s", a, b)
					continue
				}
				assert.Less(t, num(b), num(a), "thinkube-full: %s (wave %s) before %s (wave %s)", b, wave[b], a, wave[a])
			}
		}
	}

	// Flux: each component depends, transitively, on its predecessors
	// that thinkube-min runs; the first ones on the cluster unit.
	deps := map[string][]string{}
	for _, p := range under(files, "thinkube-min/gitops/tiers") {
		if !strings.HasPrefix(p, "kustomization.kustomize.toolkit.fluxcd.io_") {
			continue // tiers/kustomization.yaml
		}
		k, _ := obj("thinkube-min/gitops/tiers/" + p)
		c := strings.TrimPrefix(k.Name(), "thinkube-min-")
		list, _ := k.Doc["spec"].(map[string]any)["dependsOn"].([]any)
		for _, d := range list {
			n := d.(map[string]any)["name"].(string)
			deps[c] = append(deps[c], strings.TrimPrefix(n, "thinkube-min-"))
		}
	}
	assert.Len(t, deps, 10, "the core services of thinkube-min: %v", deps)
	var reaches func(from, to string) bool
	reaches = func(from, to string) bool {
		for _, d := range deps[from] {
			if d == to || reaches(d, to) {
				return true
			}
		}
		return false
	}
	for _, e := range thinkubeOrder {
		for _, a := range e.after {
			if _, on := deps[a]; !on {
				continue
			}
			for _, b := range e.before {
				if slices.Contains(clusterUnit, b) {
					b = "cluster-thinkube-min"
				} else if _, on := deps[b]; !on {
					continue
				}
				assert.True(t, reaches(a, b), "thinkube-min: %s depends on %s (dependsOn %v)", a, b, deps)
			}
		}
	}
	assert.Equal(t, []string{"postgres"}, deps["keycloak"], "reduced: keycloak waits for its database only")
	assert.Equal(t, []string{"cluster-thinkube-min"}, deps["postgres-operator"])
}

// TestThinkubeSecrets: nothing secret reaches the tree (no Secret with
// data, no key or certificate), and every Secret key a pod reads from a
// Secret the site renders is there: the platform's Secrets are not
// shadowed by a chart's own Secret of the same name (harbor renders
// harbor-core, harbor-registry and harbor-jobservice without data).
func TestThinkubeSecrets(t *testing.T) {
	res := sharedThinkube(t)
	for _, s := range res.Sites {
		var objs []object.Object
		for _, f := range s.Tree {
			objs = append(objs, f.Object)
		}
		objs = append(objs, s.ClusterObjects...)
		rendered := map[string]map[string]any{} // ns/name -> data
		for _, o := range objs {
			if o.Kind() == "Secret" {
				d, _ := o.Doc["data"].(map[string]any)
				rendered[o.Namespace()+"/"+o.Name()] = d
				assert.Empty(t, o.Doc["data"], "%s: Secret %s/%s carries data", s.Name, o.Namespace(), o.Name())
				assert.Empty(t, o.Doc["stringData"], "%s: Secret %s/%s carries stringData", s.Name, o.Namespace(), o.Name())
			}
		}
		for _, o := range objs {
			walkSecretKeyRefs(o.Doc, func(name, key string) {
				data, ok := rendered[o.Namespace()+"/"+name]
				if ok {
					_, has := data[key]
					assert.True(t, has, "%s: %s %s/%s reads key %s of Secret %s, which the site renders without it", s.Name, o.Kind(), o.Namespace(), o.Name(), key, name)
				}
			})
		}
	}
	// No generated key or certificate (a PEM block, a tls.key).
	pem := regexp.MustCompile(`-----BEGIN [A-Z ]+-----|(?m)^\s*tls\.(key|crt): \S`)
	for p, b := range treeOf(res) {
		assert.False(t, pem.Match(b), "%s holds a key or certificate: %q", p, pem.Find(b))
	}
}

// walkSecretKeyRefs calls f with the name and key of every secretKeyRef
// in doc.
func walkSecretKeyRefs(doc any, f func(name, key string)) {
	switch v := doc.(type) {
	case map[string]any:
		if r, ok := v["secretKeyRef"].(map[string]any); ok {
			n, _ := r["name"].(string)
			k, _ := r["key"].(string)
			f(n, k)
		}
		for _, x := range v {
			walkSecretKeyRefs(x, f)
		}
	case []any:
		for _, x := range v {
			walkSecretKeyRefs(x, f)
		}
	}
}

// TestThinkubeLockfile: the committed examples/thinkube/tpgen.lock pins
// exactly the charts the two sites use (no network), each by the digest
// of its archive in ../shared/helm-repo.
func TestThinkubeLockfile(t *testing.T) {
	dir := chartrepotest.Dir(t)
	t.Chdir("..")
	o := thinkubeOptions(t.TempDir(), 1)
	file, missing, unused, err := render.LockCheck(context.Background(), o)
	require.NoError(t, err)
	assert.Equal(t, filepath.Join("examples", "thinkube", chartlock.FileName), file)
	assert.Empty(t, missing)
	assert.Empty(t, unused)
	lock, exists, err := chartlock.Read(file)
	require.NoError(t, err)
	require.True(t, exists)
	require.Len(t, lock.Charts, 20)
	for _, e := range lock.Charts {
		b, err := os.ReadFile(filepath.Join(dir, e.Name+"-"+e.Version+".tgz")) // dir is absolute
		require.NoError(t, err, e.Name)
		assert.Equal(t, chartfetch.Digest(b), e.Digest, "%s %s", e.Name, e.Version)
	}
}
