package profile

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"go.yaml.in/yaml/v3"

	"github.com/tpgen/tpgen/internal/shared"
)

// The values contract (README, "Values contract"): for every release,
// hosting and segment, the values tpgen passes to the four ThingPark charts
// reproduce Actility's files key for key. The expected tree is built here,
// independently of the module's CUE data, from the files themselves
// (../shared/thingpark/reference): the segment's sizing file, the
// hosting's lb and storage files, the priority-class and selectors
// samples, for a profile that makes the samples' choices (dedicated and
// tainted node group "tpe", the default manifest's priority class names).

// contractReleases: each release and the reference folder of its files.
var contractReleases = []struct{ release, dir string }{
	{"7.3.0", "v7.3.1"},
	{"7.3.1", "v7.3.1"},
	{"7.3.6", "v7.3.6"},
	{"8.0.0", "v8.0-main"},
}

// contractHostings: each hosting and its folder of hosting samples ("" for
// generic, which has none: the amazon storage file's keys with generic
// hosting's class names stand for it).
var contractHostings = []struct{ hosting, dir string }{
	{"aks", "azure"},
	{"eks", "amazon"},
	{"generic", ""},
}

// sampleLeftovers are top-level keys of the samples that name no block of
// the 7.3 and 8.0 charts (README, "Values contract"): YAML anchors of the
// selectors sample, components those releases do not have (tp-dx is
// tpdx-tpe, see referenceValues), and the
// selectors sample's top-level acmeSolvers (tpgen sets the solver in
// global.ingress.tls for letsencrypt sites).
var sampleLeftovers = []string{"nodeSelectorKey", "nodeSelectorValue", "nodeSelector", "tolerations", "tp-dx", "node-red", "pum", "acmeSolvers"}

// contractAdditions are the paths tpgen sets beyond the reference files:
// the profile's own settings (FACTS §7 keys), and a priority class and the
// node-group placement for the pods the samples leave out. Anything else tpgen passes is
// a difference.
var contractAdditions = []string{
	"global.dnsHostname", "global.defaultBsSecurity", "global.lora.", "global.installationId",
	"global.imagePullSecrets", "global.ingress.", "global.basicsStation.", "global.outgoingMail.",
	// The pull Secret as the customization samples reference it.
	"ingress-nginx.imagePullSecrets", "psmdb-operator.imagePullSecrets",
	"strimzi-kafka-operator.image.imagePullSecrets", "mongo-replicaset.imagePullSecrets",
	"kafka-cluster.imagePullSecrets",
	"global.oauthFederation.", "global.backup.", "networkPolicy.",
	"ingress-nginx.tcp.", "ingress-nginx.controller.ingressClassResource.enabled",
	"ingress-nginx.controller.service.enableHttp",
	"strimzi-kafka-operator.priorityClassName", "psmdb-operator.priorityClassName",
	"secretGenerator.priorityClassName", "cert-manager.priorityClassName",
	"thingpark-enterprise-controller.priorityClassName",
	"secretGenerator.nodeSelector.", "secretGenerator.tolerations",
	"thingpark-enterprise-controller.nodeSelector.", "thingpark-enterprise-controller.tolerations",
}

func TestValuesContract(t *testing.T) {
	ref := filepath.Join(shared.Dir(t), "thingpark", "reference")
	if _, err := os.Stat(ref); err != nil {
		t.Skipf("SKIPPED: %s is absent: the values contract is not checked", ref)
	}
	l := newTestLoader(t)
	var diffs []string
	for _, r := range contractReleases {
		for _, h := range contractHostings {
			for _, seg := range []string{"s", "m", "l", "xl", "xxl"} {
				site := fmt.Sprintf("%s/%s/%s", r.release, h.hosting, seg)
				want := referenceValues(t, ref, r.dir, h.dir, seg)
				got := tpgenValues(t, l, r.release, h.hosting, seg)
				diffs = append(diffs, compareValues(site, want, got)...)
			}
		}
	}
	if len(diffs) > 0 {
		t.Errorf("tpgen's values differ from Actility's files in %d places:\n%-20s %-70s %-30s %s\n%s",
			len(diffs), "site", "path", "reference", "tpgen", strings.Join(diffs, "\n"))
	}
}

// referenceValues merges Actility's files for one release, hosting and
// segment.
func referenceValues(t *testing.T, ref, rel, host, seg string) map[string]any {
	t.Helper()
	out := map[string]any{}
	sizing := func(s string) string {
		return filepath.Join(ref, rel, "values", "sizing", "values-"+s+"-segment.yaml")
	}
	if seg == "s" || seg == "xxl" {
		// 7.3 and 8.0 ship no S and XXL files: the 7.2 ones, restricted to
		// the key paths of the release's own sizing files.
		shape := map[string]any{}
		for _, s := range []string{"m", "l", "xl"} {
			mergeInto(shape, readYAML(t, sizing(s)))
		}
		old := readYAML(t, filepath.Join(ref, "v7.2.2c", "configs", "reference", "compute", "values-"+seg+"-segment.yaml"))
		mergeInto(old, readYAML(t, filepath.Join(ref, "v7.2.2c", "configs", "reference", "storage", "values-"+seg+"-segment.yaml")))
		if seg == "xxl" && host == "azure" {
			az := readYAML(t, filepath.Join(ref, "v7.2.2c", "configs", "reference", "azure", "values-xxl-segment.yaml"))
			size := az["mongo-replicaset"].(map[string]any)["persistence"].(map[string]any)["size"]
			mergeInto(old, map[string]any{"mongo-replicaset": map[string]any{"persistence": map[string]any{"size": size}}})
		}
		mergeInto(out, restrictTo(old, shape))
	} else {
		mergeInto(out, readYAML(t, sizing(seg)))
	}
	if host != "" {
		for _, f := range []string{"values-lb.yaml", "values-storage.yaml"} {
			mergeInto(out, readYAML(t, filepath.Join(ref, rel, "examples", "hosting", host, f)))
		}
	} else {
		// Generic hosting has no sample: the amazon storage file's keys,
		// with generic hosting's classes thingpark-xfs and thingpark-ext4.
		st := readYAML(t, filepath.Join(ref, rel, "examples", "hosting", "amazon", "values-storage.yaml"))
		mergeInto(out, mapLeaves(st, func(v any) any {
			s, _ := v.(string)
			return "thingpark-" + s[strings.LastIndex(s, "-")+1:]
		}))
	}
	mergeInto(out, readYAML(t, filepath.Join(ref, rel, "examples", "priority-class", "values-default-priority-class.yaml")))
	mergeInto(out, readYAML(t, filepath.Join(ref, rel, "examples", "selectors", "values-selectors.yaml")))
	// The selectors sample names the DX component tp-dx; the sizing and
	// priority-class files (and the charts) name it tpdx-tpe.
	if dx, ok := out["tp-dx"].(map[string]any); ok {
		mergeInto(out, map[string]any{"tpdx-tpe": dx})
	}
	for _, k := range sampleLeftovers {
		delete(out, k)
	}
	return out
}

// tpgenValues is the union of the values tpgen passes to the four
// ThingPark charts for a site that makes the samples' choices.
func tpgenValues(t *testing.T, l *Loader, release, hosting, seg string) map[string]any {
	t.Helper()
	storage := "storage: {}\n"
	backup := "backup: {s3Compat: {url: https://minio.example.net, bucket: tpe-backup, credentials: {secretRef: {name: tpe-minio}}}}\n"
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
gitops: {engine: argocd, repoURL: https://git.example.net/deploy.git}
`, release, hosting, seg) + storage + backup
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"site.yaml": src})
	s, err := l.Load(Source{File: filepath.Join(dir, "site.yaml")})
	if err != nil {
		t.Fatalf("%s/%s/%s: loading: %v", release, hosting, seg, err)
	}
	p, err := l.Plan(s)
	if err != nil {
		t.Fatalf("%s/%s/%s: planning: %v", release, hosting, seg, err)
	}
	out := map[string]any{}
	for _, tier := range p.Components {
		if tier.Account.ClusterAdmin {
			continue // tpgen's cluster-wide chart
		}
		// Round-trip through JSON so numbers compare as JSON numbers.
		mergeInto(out, jsonCopy(t, tier.Values))
	}
	return out
}

// compareValues lists the differences between the reference tree and
// tpgen's, one table row each: missing or different leaves, and leaves
// tpgen adds beyond contractAdditions.
func compareValues(site string, want, got map[string]any) []string {
	w, g := leaves(want, ""), leaves(got, "")
	var rows []string
	row := func(path, ref, tp string) {
		rows = append(rows, fmt.Sprintf("%-20s %-70s %-30s %s", site, path, ref, tp))
	}
	for _, p := range sortedKeys(w) {
		gv, ok := g[p]
		switch {
		case !ok:
			row(p, w[p], "(absent)")
		case gv != w[p]:
			row(p, w[p], gv)
		}
	}
	for _, p := range sortedKeys(g) {
		if _, ok := w[p]; ok || isAddition(p) {
			continue
		}
		row(p, "(absent)", g[p])
	}
	return rows
}

func isAddition(path string) bool {
	for _, a := range contractAdditions {
		if path == a || (strings.HasSuffix(a, ".") && strings.HasPrefix(path, a)) {
			return true
		}
	}
	return false
}

// leaves flattens a tree to path -> JSON of the leaf; lists are leaves.
func leaves(v any, path string) map[string]string {
	out := map[string]string{}
	m, ok := v.(map[string]any)
	if !ok || len(m) == 0 {
		b, _ := json.Marshal(v)
		out[path] = string(b)
		return out
	}
	for k, x := range m {
		p := k
		if path != "" {
			p = path + "." + k
		}
		for lp, lv := range leaves(x, p) {
			out[lp] = lv
		}
	}
	return out
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// mergeInto merges src into dst, maps deeply, src winning on leaves (as
// Helm merges -f files in order).
func mergeInto(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeInto(dm, sm)
				continue
			}
			c := map[string]any{}
			mergeInto(c, sm)
			dst[k] = c
			continue
		}
		dst[k] = v
	}
}

// mapLeaves returns v with f applied to every leaf.
func mapLeaves(v map[string]any, f func(any) any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		if m, ok := x.(map[string]any); ok {
			out[k] = mapLeaves(m, f)
		} else {
			out[k] = f(x)
		}
	}
	return out
}

// restrictTo keeps the leaves of v whose path is a leaf of shape.
func restrictTo(v, shape map[string]any) map[string]any {
	out := map[string]any{}
	for k, x := range v {
		s, ok := shape[k]
		if !ok {
			continue
		}
		xm, xIsMap := x.(map[string]any)
		sm, sIsMap := s.(map[string]any)
		switch {
		case xIsMap && sIsMap:
			if r := restrictTo(xm, sm); len(r) > 0 {
				out[k] = r
			}
		case !xIsMap && !sIsMap:
			out[k] = x
		}
	}
	return out
}

func readYAML(t *testing.T, path string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if v == nil {
		v = map[string]any{}
	}
	return jsonCopy(t, v)
}

// jsonCopy normalises a YAML or plan tree to what JSON decodes (string
// keys, float64 numbers).
func jsonCopy(t *testing.T, v map[string]any) map[string]any {
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

// TestUpgradeRule holds #Upgrade to FACTS §9: one minor at a time, from
// the latest fix of the previous minor; fixes within a minor in any
// forward order; never a downgrade.
func TestUpgradeRule(t *testing.T) {
	l := newTestLoader(t)
	sc, err := l.schemaOf(nil)
	if err != nil {
		t.Fatal(err)
	}
	def := sc.pkg.LookupPath(cue.MakePath(cue.Def("Upgrade")))
	tests := []struct {
		from, to string
		ok       bool
		path     []string
	}{
		{"7.3.0", "7.3.1", true, []string{"7.3.1"}},
		{"7.3.0", "7.3.6", true, []string{"7.3.6"}},
		{"7.3.1", "7.3.1", true, []string{}},
		{"7.3.6", "8.0.0", true, []string{"8.0.0"}},
		{"7.3.1", "8.0.0", false, []string{"7.3.6", "8.0.0"}},
		{"7.3.0", "8.0.0", false, []string{"7.3.6", "8.0.0"}},
		{"8.0.0", "7.3.6", false, []string{}},
		{"7.3.6", "7.3.1", false, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.from+"->"+tc.to, func(t *testing.T) {
			v := def.FillPath(cue.ParsePath("from"), tc.from).FillPath(cue.ParsePath("to"), tc.to)
			var got struct {
				OK   bool     `json:"ok"`
				Path []string `json:"path"`
			}
			if err := v.Decode(&got); err != nil {
				t.Fatalf("evaluating #Upgrade: %v", err)
			}
			if got.OK != tc.ok || !slices.Equal(got.Path, tc.path) {
				t.Errorf("#Upgrade %s -> %s = ok %v, path %v; want ok %v, path %v", tc.from, tc.to, got.OK, got.Path, tc.ok, tc.path)
			}
		})
	}
}

// TestReleaseKubernetesRanges holds each release to its Kubernetes range
// (FACTS §1; 7.3.6 as 7.3.1 until documented).
func TestReleaseKubernetesRanges(t *testing.T) {
	l := newTestLoader(t)
	tests := []struct{ release, kube, wantErr string }{
		{"7.3.0", "1.26", ""},
		{"7.3.0", "1.27", "release 7.3.0 does not support Kubernetes 1.27; it supports 1.24, 1.25, 1.26"},
		{"7.3.1", "1.27", ""},
		{"7.3.6", "1.24", ""},
		{"7.3.6", "1.28", "release 7.3.6 does not support Kubernetes 1.28; it supports 1.24, 1.25, 1.26, 1.27"},
		{"8.0.0", "1.28", ""},
		{"8.0.0", "1.25", "release 8.0.0 does not support Kubernetes 1.25; it supports 1.26, 1.27, 1.28"},
	}
	for _, tc := range tests {
		t.Run(tc.release+"/"+tc.kube, func(t *testing.T) {
			dir := t.TempDir()
			src := variant(t, genericBase, edit{`release: "7.3.1"`, fmt.Sprintf("release: %q", tc.release)}, edit{`kubernetesVersion: "1.24"`, fmt.Sprintf("kubernetesVersion: %q", tc.kube)})
			writeFiles(t, dir, map[string]string{"site.yaml": src})
			_, err := l.Load(Source{File: filepath.Join(dir, "site.yaml")})
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("Load: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Fatalf("Load error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}
