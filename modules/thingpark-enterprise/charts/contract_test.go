package charts_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/profile"
)

// TestChartsReadEveryValue holds tpgen's charts to the values contract
// (README, "Values contract"): they accept exactly the values tpgen
// computes from Actility's files, so every key tpgen passes must change
// what the chart renders. For every release x hosting x segment, each chart
// renders with the plan's values; then every leaf of those values is
// changed in turn (a string suffixed, a number incremented, a boolean
// flipped, a list grown by its first element) and the chart rendered
// again: a leaf whose change leaves the output identical is a key the
// chart ignores. A leaf is tried once per chart, in the first site that
// passes it.
func TestChartsReadEveryValue(t *testing.T) {
	if testing.Short() {
		t.Skip("SKIPPED in -short: renders each chart once per values leaf")
	}
	if raceEnabled {
		// Pure rendering (no goroutines of its own), seven minutes under
		// the race detector on two cores: make test runs it in its
		// second, race-free pass.
		t.Skip("SKIPPED under -race: make test runs it without the race detector")
	}
	l, err := profile.NewLoader(nil)
	if err != nil {
		t.Fatal(err)
	}
	src := chartsource.NewFS(os.DirFS("."), "embedded charts")
	tried := map[string]bool{} // chart + path
	var ignored []string
	for _, release := range []string{"7.3.0", "7.3.1", "7.3.6", "8.0.0"} {
		for _, hosting := range []string{"aks", "eks", "generic"} {
			for _, seg := range []string{"s", "m", "l", "xl", "xxl"} {
				site := release + "/" + hosting + "/" + seg
				plan := contractPlan(t, l, release, hosting, seg)
				for _, tier := range plan.Components {
					if tier.Account.ClusterAdmin || tier.Chart == nil {
						continue // tpgen's cluster-wide chart
					}
					ch, err := src.Get(tier.Chart.Name, tier.Chart.Version)
					if err != nil {
						t.Fatal(err)
					}
					render := func(vals map[string]any) (string, error) {
						objs, err := helm.Render(ch, helm.Options{Release: tier.Release, Namespace: tier.Namespace, Tier: tier.Name, Values: vals, KubeVersion: plan.KubeVersion})
						if err != nil {
							return "", err
						}
						b, err := json.Marshal(objs)
						return string(b), err
					}
					base, err := render(tier.Values)
					if err != nil {
						t.Errorf("%s: chart %s does not render with tpgen's values: %v", site, tier.Chart.Name, err)
						continue
					}
					for _, path := range leafPaths(tier.Values, nil) {
						key := tier.Chart.Name + " " + strings.Join(path, ".")
						if tried[key] {
							continue
						}
						tried[key] = true
						vals := deepCopy(t, tier.Values)
						mutate(vals, path)
						out, err := render(vals)
						read := err != nil || out != base
						_, excepted := notModelled[key]
						switch {
						case !read && !excepted:
							ignored = append(ignored, fmt.Sprintf("%-20s %-36s %s", site, tier.Chart.Name, strings.Join(path, ".")))
						case read && excepted:
							t.Errorf("%s: chart %s now reads %s: remove it from notModelled", site, tier.Chart.Name, strings.Join(path, "."))
						}
					}
				}
			}
		}
	}
	if len(ignored) > 0 {
		sort.Strings(ignored)
		t.Errorf("tpgen's charts ignore %d keys tpgen passes (first site that passes each):\n%-20s %-36s %s\n%s",
			len(ignored), "site", "chart", "path", strings.Join(ignored, "\n"))
	}
}

// notModelled: keys tpgen passes (Actility's files set them) that tpgen's
// look-alike charts have nothing to apply to, each with the reason. The
// real charts read them.
var notModelled = map[string]string{
	"thingpark-application-controllers ingress-nginx.controller.admissionWebhooks.patch.tolerations": "tpgen's ingress-nginx runs without the admission webhook, so there is no patch Job to place",
}

// pullSecretLists: image pull Secret lists are read (TestPullSecretReferences),
// but the mutation here appends a copy of the first entry, which a pod
// spec takes once (tpc.pullSecrets): the output cannot change.
var pullSecretLists = []string{
	"thingpark-application-controllers ingress-nginx.imagePullSecrets",
	"thingpark-data global.imagePullSecrets",
	"thingpark-data kafka-cluster.imagePullSecrets",
	"thingpark-data mongo-replicaset.imagePullSecrets",
	"thingpark-data-controllers global.imagePullSecrets",
	"thingpark-data-controllers psmdb-operator.imagePullSecrets",
	"thingpark-enterprise global.imagePullSecrets",
}

func init() {
	for _, k := range pullSecretLists {
		notModelled[k] = "a list of pull Secrets: the mutation duplicates an entry, which a pod spec takes once; TestPullSecretReferences checks the lists are read"
	}
}

// contractPlan plans a site that makes the choices of Actility's samples
// (the profile of render/profile's TestValuesContract).
func contractPlan(t *testing.T, l *profile.Loader, release, hosting, seg string) *profile.Plan {
	t.Helper()
	storage := "storage: {}\n"
	if hosting == "generic" {
		storage = "storage: {provisioner: rbd.csi.ceph.com}\n"
	}
	src := fmt.Sprintf(`name: contract
release: %q
kubernetesVersion: "1.26"
hosting: %s
segment: %s
dnsHostname: tpe.example.net
bsSecurity: IPSEC_X509
lora: {ismBand: [eu868], netId: "000001"}
installationId: {secretRef: {name: tpe-installation, key: id}}
priorityClasses:
  dataPath: {name: thingpark-data-path}
  data: {name: thingpark-data}
  others: {name: thingpark-other}
nodeGroup: {dedicated: true, taint: true, name: tpe}
tls: {issuer: selfSigned}
backup: {s3Compat: {url: https://minio.example.net, bucket: tpe-backup, credentials: {secretRef: {name: tpe-minio}}}}
gitops: {engine: argocd, repoURL: https://git.example.net/deploy.git}
`, release, hosting, seg) + storage
	f := filepath.Join(t.TempDir(), "site.yaml")
	if err := os.WriteFile(f, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := l.Load(profile.Source{File: f})
	if err != nil {
		t.Fatalf("%s/%s/%s: %v", release, hosting, seg, err)
	}
	p, err := l.Plan(s)
	if err != nil {
		t.Fatalf("%s/%s/%s: %v", release, hosting, seg, err)
	}
	return p
}

// leafPaths lists the paths of the leaves of v, sorted; lists are leaves.
func leafPaths(v map[string]any, prefix []string) [][]string {
	var out [][]string
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := append(append([]string{}, prefix...), k)
		if m, ok := v[k].(map[string]any); ok && len(m) > 0 {
			out = append(out, leafPaths(m, p)...)
			continue
		}
		out = append(out, p)
	}
	return out
}

// mutate changes the leaf at path so that a chart that reads it renders
// something else.
func mutate(v map[string]any, path []string) {
	for _, k := range path[:len(path)-1] {
		v = v[k].(map[string]any)
	}
	k := path[len(path)-1]
	switch x := v[k].(type) {
	case string:
		v[k] = x + "0"
	case float64:
		v[k] = x + 1
	case int:
		v[k] = x + 1
	case int64:
		v[k] = x + 1
	case bool:
		v[k] = !x
	case []any:
		if len(x) > 0 {
			v[k] = append(append([]any{}, x...), x[0])
		}
	}
}

func deepCopy(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestStorageClassesAreActilitys renders the cluster tier of each release
// and hosting and compares its StorageClasses with Actility's
// examples/storage/storage-class-*.yaml: same names, provisioner,
// parameter keys and values, reclaim policy, binding mode and expansion
// (FACTS §4: a different parameter key is a different class for a cluster
// set up from those files).
func TestStorageClassesAreActilitys(t *testing.T) {
	ref := filepath.Join(shared.Dir(t), "thingpark", "reference")
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("SKIPPED: %s is absent: StorageClasses are not compared", ref)
	}
	l, err := profile.NewLoader(nil)
	if err != nil {
		t.Fatal(err)
	}
	src := chartsource.NewFS(os.DirFS("."), "embedded charts")
	for _, r := range []struct{ release, dir string }{{"7.3.0", "v7.3.1"}, {"7.3.1", "v7.3.1"}, {"7.3.6", "v7.3.6"}, {"8.0.0", "v8.0-main"}} {
		for _, h := range []struct{ hosting, file string }{{"aks", "storage-class-azure.yaml"}, {"eks", "storage-class-amazon.yaml"}} {
			t.Run(r.release+"/"+h.hosting, func(t *testing.T) {
				want := map[string]map[string]any{}
				data, err := os.ReadFile(filepath.Join(ref, r.dir, "examples", "storage", h.file))
				if err != nil {
					t.Fatal(err)
				}
				dec := yaml.NewDecoder(strings.NewReader(string(data)))
				for {
					var o map[string]any
					if err := dec.Decode(&o); err != nil {
						break
					}
					name := o["metadata"].(map[string]any)["name"].(string)
					delete(o, "metadata")
					want[name] = o
				}
				plan := contractPlan(t, l, r.release, h.hosting, "m")
				got := map[string]map[string]any{}
				for _, tier := range plan.Components {
					if !tier.Account.ClusterAdmin || tier.Chart == nil {
						continue // the StorageClasses are tpgen's cluster-wide chart's
					}
					ch, err := src.Get(tier.Chart.Name, tier.Chart.Version)
					if err != nil {
						t.Fatal(err)
					}
					objs, err := helm.Render(ch, helm.Options{Release: tier.Release, Namespace: tier.Namespace, Tier: tier.Name, Values: tier.Values, KubeVersion: plan.KubeVersion})
					if err != nil {
						t.Fatal(err)
					}
					for _, o := range objs {
						if o.Kind() != "StorageClass" {
							continue
						}
						m := map[string]any{}
						for k, v := range o.Doc {
							m[k] = v
						}
						name := m["metadata"].(map[string]any)["name"].(string)
						delete(m, "metadata")
						got[name] = m
					}
				}
				if diff := cmp.Diff(jsonNormal(t, want), jsonNormal(t, got)); diff != "" {
					t.Errorf("StorageClasses of %s on %s differ from %s (-reference +tpgen):\n%s", r.release, h.hosting, h.file, diff)
				}
			})
		}
	}
}

func jsonNormal(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// notInManifest: images tpgen's charts run that no container manifest
// lists, with the reason.
var notInManifest = map[string]string{
	"docker.io/bitnami/kubectl:1.27.4":                 "tpgen's secret generator (the real chart's own generator is not public)",
	"quay.io/jetstack/cert-manager-acmesolver:v1.12.0": "the ACME http01 solver cert-manager starts; the 7.3.1 manifest lists cert-manager-ctl instead",
}

// TestImagesAreTheReleases renders tpgen's charts for a site of each
// release (each chart at the release's version: its stand-in served with
// the release as appVersion) and checks that every container image of
// thingpark-enterprise is a reference of that release's
// container-manifest.txt (7.3.0 runs 7.3.1's: there is no 7.3.0
// manifest). The other charts' images (the operators, databases,
// ingress-nginx, cert-manager and db-manager) are 7.3.1's in every
// release, as are the CRDs of the cluster tier (README, "Values
// contract"): they are checked against 7.3.1's manifest.
func TestImagesAreTheReleases(t *testing.T) {
	ref := filepath.Join(shared.Dir(t), "thingpark", "reference")
	l, err := profile.NewLoader(nil)
	if err != nil {
		t.Fatal(err)
	}
	src := chartsource.NewFS(os.DirFS("."), "embedded charts")
	for _, r := range []struct{ release, dir string }{{"7.3.0", "v7.3.1"}, {"7.3.1", "v7.3.1"}, {"7.3.6", "v7.3.6"}, {"8.0.0", "v8.0-main"}} {
		t.Run(r.release, func(t *testing.T) {
			read := func(dir string) map[string]bool {
				data, err := os.ReadFile(filepath.Join(ref, dir, "container-manifest.txt"))
				if err != nil {
					t.Skipf("SKIPPED: %v: images are not compared", err)
				}
				m := map[string]bool{}
				for _, line := range strings.Fields(string(data)) {
					m[line] = true
				}
				return m
			}
			own, thirdParty := read(r.dir), read("v7.3.1")
			plan := contractPlan(t, l, r.release, "eks", "xl")
			var bad []string
			for _, tier := range plan.Components {
				ch, err := src.Get(tier.Chart.Name, tier.Chart.Version)
				if err != nil {
					t.Fatal(err)
				}
				objs, err := helm.Render(ch, helm.Options{Release: tier.Release, Namespace: tier.Namespace, Tier: tier.Name, Values: tier.Values, KubeVersion: plan.KubeVersion})
				if err != nil {
					t.Fatal(err)
				}
				manifest := thirdParty
				if tier.Chart.Name == "thingpark-enterprise" {
					manifest = own
				}
				for _, o := range objs {
					for _, img := range imagesOf(o.Doc) {
						if !manifest[img] && notInManifest[img] == "" {
							bad = append(bad, fmt.Sprintf("%s %s/%s: %s", tier.Chart.Name, o.Kind(), o.Name(), img))
						}
					}
				}
			}
			if len(bad) > 0 {
				sort.Strings(bad)
				t.Errorf("images not in the %s container manifest (%s):\n%s", r.release, r.dir, strings.Join(bad, "\n"))
			}
		})
	}
}

// imagesOf finds every "image" string field in an object.
func imagesOf(v any) []string {
	var out []string
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "image" {
				out = append(out, s)
				continue
			}
			out = append(out, imagesOf(e)...)
		}
	case []any:
		for _, e := range x {
			out = append(out, imagesOf(e)...)
		}
	}
	return out
}

// TestImageTablesAreTheManifests checks every release's image table of
// thingpark-enterprise (images/<appVersion>.yaml) against that release's
// container-manifest.txt: each reference is one the manifest lists.
func TestImageTablesAreTheManifests(t *testing.T) {
	ref := filepath.Join(shared.Dir(t), "thingpark", "reference")
	for _, r := range []struct{ release, dir string }{{"7.3.1", "v7.3.1"}, {"7.3.6", "v7.3.6"}, {"8.0.0", "v8.0-main"}} {
		t.Run(r.release, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(ref, r.dir, "container-manifest.txt"))
			if err != nil {
				t.Skipf("SKIPPED: %v", err)
			}
			manifest := map[string]bool{}
			for _, line := range strings.Fields(string(data)) {
				manifest[line] = true
			}
			b, err := os.ReadFile(filepath.Join("thingpark-enterprise", "images", r.release+".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			var table map[string]string
			if err := yaml.Unmarshal(b, &table); err != nil {
				t.Fatal(err)
			}
			for name, img := range table {
				if !manifest["repository.thingpark.com/"+img] {
					t.Errorf("images/%s.yaml: %s: %s is not in %s/container-manifest.txt", r.release, name, img, r.dir)
				}
			}
		})
	}
}
