package kustomize

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/tpgen/tpgen/render/object"
)

// tripwire makes any network connection or program start observable: a
// loopback HTTP server that counts requests, every proxy variable pointing
// at it, and a PATH holding only fake git, kustomize, helm and sh that
// record being run.
type tripwire struct {
	srv      *httptest.Server
	requests atomic.Int64
	log      string
}

func newTripwire(t *testing.T) *tripwire {
	tw := &tripwire{}
	tw.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw.requests.Add(1)
		// Serve something krusty would accept, so a fetch is not hidden
		// behind a parse error.
		fmt.Fprint(w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched, namespace: tpe}\n")
	}))
	t.Cleanup(tw.srv.Close)
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		t.Setenv(v, tw.srv.URL)
	}
	t.Setenv("NO_PROXY", "")
	t.Setenv("no_proxy", "")
	bin := t.TempDir()
	tw.log = filepath.Join(t.TempDir(), "exec.log")
	for _, prog := range []string{"git", "kustomize", "helm", "sh", "ssh"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\nexit 1\n", prog, tw.log)
		if err := os.WriteFile(filepath.Join(bin, prog), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("PATH", bin)
	t.Setenv("GIT_SSH_COMMAND", filepath.Join(bin, "ssh"))
	return tw
}

// reset forgets what earlier subtests triggered.
func (tw *tripwire) reset() {
	tw.requests.Store(0)
	os.Remove(tw.log)
}

// assertUntouched fails the test if anything was contacted or run.
func (tw *tripwire) assertUntouched(t *testing.T) {
	t.Helper()
	if n := tw.requests.Load(); n > 0 {
		t.Errorf("%d network request(s) reached the loopback server", n)
	}
	if b, err := os.ReadFile(tw.log); err == nil {
		t.Errorf("programs were run:\n%s", b)
	}
}

func writeOverlay(t *testing.T, files map[string]string) string {
	dir := filepath.Join(t.TempDir(), "site-overlay")
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const kHead = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"

func TestApplyRefusesRemoteAndPrograms(t *testing.T) {
	tw := newTripwire(t)
	local := tw.srv.URL // a URL krusty can reach without a proxy
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // in the error, besides the overlay's name
	}{
		{name: "http resource on loopback", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- " + local + "/cm.yaml\n"},
			want: []string{`kustomization.yaml: resources entry "` + local + `/cm.yaml" is remote`, "hint: vendor it"}},
		{name: "https resource through the proxy", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- https://example.com/cm.yaml\n"},
			want: []string{`resources entry "https://example.com/cm.yaml" is remote`}},
		{name: "github shorthand", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- github.com/org/repo//deploy?ref=v1.0.0\n"},
			want: []string{`resources entry "github.com/org/repo//deploy?ref=v1.0.0" is remote`}},
		{name: "github https", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- https://github.com/org/repo//deploy?ref=v1\n"},
			want: []string{`"https://github.com/org/repo//deploy?ref=v1" is remote`}},
		{name: "go-getter git::", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- git::https://example.com/org/repo.git//deploy\n"},
			want: []string{`"git::https://example.com/org/repo.git//deploy" is remote`}},
		{name: "ssh", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- ssh://git@example.com/org/repo.git\n"},
			want: []string{`"ssh://git@example.com/org/repo.git" is remote`}},
		{name: "scp style", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- git@github.com:org/repo.git//deploy\n"},
			want: []string{`"git@github.com:org/repo.git//deploy" is remote`}},
		{name: "file scheme git", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- file:///tmp/repo.git\n"},
			want: []string{`"file:///tmp/repo.git" is remote`}},
		{name: "remote component", files: map[string]string{"kustomization.yaml": kHead + "components:\n- HTTPS://GitHub.com/org/repo//comp\n"},
			want: []string{`components entry "HTTPS://GitHub.com/org/repo//comp" is remote`}},
		{name: "remote base in a nested kustomization", files: map[string]string{
			"kustomization.yaml":     kHead + "resources:\n- sub\n",
			"sub/kustomization.yaml": "resources:\n- github.com:org/repo\n"},
			want: []string{`site-overlay/sub/kustomization.yaml: resources entry "github.com:org/repo" is remote`}},
		{name: "bases", files: map[string]string{"kustomization.yaml": "bases:\n- " + local + "/base\n"},
			want: []string{`bases entry "` + local + `/base" is remote`}},
		{name: "remote patch, generator file, openapi, crds, configurations, replacements", files: map[string]string{"kustomization.yaml": kHead +
			"patches:\n- path: " + local + "/p.yaml\n" +
			"patchesStrategicMerge:\n- " + local + "/psm.yaml\n" +
			"configMapGenerator:\n- name: g\n  files:\n  - key=" + local + "/f\n  envs:\n  - " + local + "/e\n" +
			"secretGenerator:\n- name: s\n  env: " + local + "/se\n" +
			"openapi:\n  path: " + local + "/schema.json\n" +
			"crds:\n- " + local + "/crd.yaml\n" +
			"configurations:\n- " + local + "/conf.yaml\n" +
			"replacements:\n- path: " + local + "/r.yaml\n"},
			want: []string{`patches entry "` + local + `/p.yaml" is remote`, `patchesStrategicMerge entry "` + local + `/psm.yaml" is remote`,
				`configMapGenerator entry "` + local + `/f" is remote`, `configMapGenerator entry "` + local + `/e" is remote`,
				`secretGenerator entry "` + local + `/se" is remote`, `openapi.path entry "` + local + `/schema.json" is remote`,
				`crds entry "` + local + `/crd.yaml" is remote`, `configurations entry "` + local + `/conf.yaml" is remote`,
				`replacements entry "` + local + `/r.yaml" is remote`}},
		{name: "remote transformer", files: map[string]string{"kustomization.yaml": kHead + "transformers:\n- " + local + "/t.yaml\n"},
			want: []string{`transformers entry "` + local + `/t.yaml" is remote`}},
		{name: "helmCharts", files: map[string]string{"kustomization.yaml": "helmCharts:\n- name: redis\n  repo: " + local + "\n  version: 1.0.0\n"},
			want: []string{"helmCharts/helmGlobals: kustomize would run the helm program"}},
		{name: "helmGlobals", files: map[string]string{"kustomization.yaml": "helmGlobals:\n  chartHome: charts\n"},
			want: []string{"helmCharts/helmGlobals"}},
		{name: "exec function inline", files: map[string]string{"kustomization.yaml": kHead + `transformers:
- |
  apiVersion: example.com/v1
  kind: Pwn
  metadata:
    name: pwn
    annotations:
      config.kubernetes.io/function: |
        exec:
          path: /bin/sh
`}, want: []string{`transformers (inline): Pwn "pwn" (apiVersion "example.com/v1") is a plugin`}},
		{name: "container function in a file", files: map[string]string{
			"kustomization.yaml": kHead + "generators:\n- gen.yaml\n",
			"gen.yaml":           "apiVersion: example.com/v1\nkind: Gen\nmetadata:\n  name: g\n  annotations:\n    config.k8s.io/function: |\n      container:\n        image: evil\n"},
			want: []string{`site-overlay/gen.yaml: generators: Gen "g" (apiVersion "example.com/v1") is a plugin`,
				`site-overlay/gen.yaml: Gen "g" declares a KRM function (annotation config.k8s.io/function)`}},
		{name: "plugin through a generator directory", files: map[string]string{
			"kustomization.yaml":      kHead + "validators:\n- plug\n",
			"plug/kustomization.yaml": "resources:\n- v.yaml\n",
			"plug/v.yaml":             "apiVersion: example.com/v1\nkind: Check\nmetadata: {name: c}\n"},
			want: []string{`site-overlay/plug/v.yaml: resources: Check "c" (apiVersion "example.com/v1") is a plugin`}},
		{name: "function annotation on a resource", files: map[string]string{
			"kustomization.yaml": kHead + "resources:\n- fn.yaml\n",
			"fn.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fn\n  annotations: {config.kubernetes.io/function: 'exec: {path: /bin/sh}'}\n"},
			want: []string{`site-overlay/fn.yaml: ConfigMap "fn" declares a KRM function`}},
		{name: "function annotation in a file that is not plain objects", files: map[string]string{
			"kustomization.yaml": kHead + "resources:\n- fn.yaml\n",
			"fn.yaml":            "- a list\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fn\n  annotations: {config.k8s.io/function: 'exec: {path: /bin/sh}'}\n"},
			want: []string{`site-overlay/fn.yaml: mentions the KRM function annotation config.k8s.io/function`}},
		{name: "builtin kind with a function annotation, inline", files: map[string]string{"kustomization.yaml": kHead + `generators:
- |
  apiVersion: builtin
  kind: ConfigMapGenerator
  metadata:
    name: g
    annotations:
      config.kubernetes.io/function: "container: {image: evil}"
`}, want: []string{`site-overlay/kustomization.yaml: ConfigMapGenerator "g" declares a KRM function (annotation config.kubernetes.io/function)`}},
		{name: "inline patch with a key twice", files: map[string]string{"kustomization.yaml": kHead +
			"patches:\n- patch: |\n    apiVersion: apps/v1\n    kind: Deployment\n    metadata: {name: a}\n    spec: {replicas: 2, replicas: 2}\n"},
			want: []string{`site-overlay/kustomization.yaml: patches[0].patch:4:21: duplicate key "replicas" (first at line 4) (a key appears once`}},
		{name: "inline patches with billion laughs", files: map[string]string{"kustomization.yaml": kHead +
			"patchesJson6902:\n- target: {kind: Deployment, name: a}\n  patch: |\n" + indent(laughs, "    ") +
			"patchesStrategicMerge:\n- |\n" + indent("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"+laughs, "  ")},
			want: []string{`site-overlay/kustomization.yaml: patchesJson6902[0].patch:1:1: aliases expand the document by more than 100000 nodes`,
				`site-overlay/kustomization.yaml: patchesStrategicMerge[0]:1:1: aliases expand the document by more than 100000 nodes`}},
		{name: "a path leaving the overlay", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- ../../etc\n"},
			want: []string{`resources entry "../../etc" leaves the overlay directory`}},
		{name: "a host-like path that is not there", files: map[string]string{"kustomization.yaml": kHead + "resources:\n- gitlab.com/org/repo//x?ref=v1\n"},
			want: []string{`resources entry "gitlab.com/org/repo//x?ref=v1" names nothing in the overlay directory`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tw.reset()
			site := writeOverlay(t, tc.files)
			_, err := Apply([]object.Object{deployment("a")}, Options{SiteOverlay: site})
			tw.assertUntouched(t)
			if err == nil {
				t.Fatal("applied, want a refusal")
			}
			msg := err.Error()
			for _, want := range append([]string{"site overlay " + site + ": refused"}, tc.want...) {
				if !strings.Contains(msg, want) {
					t.Errorf("error lacks %q:\n%s", want, msg)
				}
			}
		})
	}
}

// A local overlay with nested kustomizations and builtin plugins still
// applies.
func TestApplyLocalBuiltins(t *testing.T) {
	tw := newTripwire(t)
	site := writeOverlay(t, map[string]string{
		"kustomization.yaml":     kHead + "resources:\n- sub\ntransformers:\n- labels.yaml\n",
		"sub/kustomization.yaml": "resources:\n- cm.yaml\n",
		"sub/cm.yaml":            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: local, namespace: tpe}\n",
		"labels.yaml":            "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: l}\nlabels: {zone: a}\nfieldSpecs:\n- path: metadata/labels\n  create: true\n",
	})
	out, err := Apply([]object.Object{deployment("a")}, Options{SiteOverlay: site})
	tw.assertUntouched(t)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range out {
		got = append(got, fmt.Sprintf("%s/%s zone=%v", o.Kind(), o.Name(), o.Doc["metadata"].(map[string]any)["labels"]))
	}
	want := "Deployment/a zone=map[zone:a] ConfigMap/local zone=map[zone:a]"
	if strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}

// laughs is a YAML "billion laughs": 9^9 nodes once its aliases expand.
var laughs = func() string {
	s := "a0: &a0 [x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i < 9; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		s += fmt.Sprintf("a%d: &a%d [%s]\n", i, i, strings.Repeat(p+", ", 8)+p)
	}
	return s
}()

func indent(s, by string) string {
	return by + strings.ReplaceAll(strings.TrimSuffix(s, "\n"), "\n", "\n"+by) + "\n"
}
