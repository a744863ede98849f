package migrate

import (
	"bytes"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from testdata/legacy and testdata/refused (deletes stale files)")

func mustMigrate(t *testing.T, src string, o Options) *Plan {
	t.Helper()
	p, err := Migrate(src, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func reportText(t *testing.T, r Report) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteReport(&b, "text", r); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return out
}

func planTree(p *Plan) map[string]string {
	out := map[string]string{}
	for _, f := range p.Files {
		out[f.Path] = string(f.Data)
	}
	return out
}

// TestGolden: the 2018-style tree (every removed API of the list, a
// multi-document file, a nested directory, a .yml file, a List, a
// kustomization.yaml; objects an API server accepts), the review kinds
// and APIService (converted, never applied), and the tree of refusals
// migrate to the files and report under testdata/golden (-update rewrites
// them).
func TestGolden(t *testing.T) {
	for _, name := range []string{"legacy", "legacy-reviews", "refused"} {
		t.Run(name, func(t *testing.T) {
			p := mustMigrate(t, filepath.Join("testdata", name), Options{})
			gotReport := reportText(t, p.Report)
			dir := filepath.Join("testdata", "golden", name)
			reportFile := dir + ".report.txt"
			if *update {
				if err := os.RemoveAll(dir); err != nil {
					t.Fatal(err)
				}
				if err := Write(dir, p.Files, false); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(reportFile, []byte(gotReport), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if diff := cmp.Diff(readTree(t, dir), planTree(p)); diff != "" {
				t.Errorf("files (-golden +got):\n%s", diff)
			}
			want, err := os.ReadFile(reportFile)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), gotReport); diff != "" {
				t.Errorf("report (-golden +got):\n%s", diff)
			}
		})
	}
}

// TestConvertedDecodeStrictly: every object written decodes into its
// current API type with no unknown or missing required field, and is on
// an API version the target serves.
func TestConvertedDecodeStrictly(t *testing.T) {
	var all []File
	for _, name := range []string{"legacy", "legacy-reviews"} {
		all = append(all, mustMigrate(t, filepath.Join("testdata", name), Options{}).Files...)
	}
	n := 0
	for _, f := range all {
		if f.Path == Marker {
			continue
		}
		docs, err := object.Decode(f.Data)
		if err != nil || len(docs) != 1 {
			t.Fatalf("%s: %v (%d documents)", f.Path, err, len(docs))
		}
		ob := object.Object{Doc: docs[0]}
		if av, _ := kube.Lifecycle(ob.APIVersion(), ob.Kind(), kube.Newest); av == kube.Removed {
			t.Errorf("%s: %s %s is removed in %s", f.Path, ob.APIVersion(), ob.Kind(), kube.Newest)
		}
		if !kube.Builtin(ob.APIVersion(), ob.Kind()) {
			continue
		}
		n++
		if errs := kube.Check(docs[0]); len(errs) > 0 {
			t.Errorf("%s: %v", f.Path, errs)
		}
	}
	if n < 50 {
		t.Errorf("only %d built-in objects checked", n)
	}
}

// TestFixturesCoverEveryRemovedAPI: the fixtures hold an object of every
// API of the lifecycle table that Kubernetes removed up to the newest
// release, converted (legacy) or refused (refused).
func TestFixturesCoverEveryRemovedAPI(t *testing.T) {
	seen := map[string][]string{}
	for _, name := range []string{"legacy", "legacy-reviews", "refused"} {
		p := mustMigrate(t, filepath.Join("testdata", name), Options{})
		for _, e := range p.Report.Objects {
			kind, _, _ := strings.Cut(e.Object, "/")
			seen[e.From+" "+kind] = append(seen[e.From+" "+kind], e.Status)
		}
	}
	for _, a := range kube.APIs() {
		if a.Removed.IsZero() || kube.Newest.Before(a.Removed) {
			continue
		}
		st, ok := seen[a.GroupVersion+" "+a.Kind]
		switch {
		case !ok:
			t.Errorf("no fixture for %s %s", a.GroupVersion, a.Kind)
		case hasSuccessor(a) && !slices.Contains(st, Converted):
			t.Errorf("%s %s: %s, want converted", a.GroupVersion, a.Kind, st)
		}
	}
}

func hasSuccessor(a kube.API) bool {
	_, ok := successor(a, a.Kind, kube.Newest)
	return ok
}

// TestIdempotent: migrating the output again gives the same bytes, no
// warning, and every object unchanged.
func TestIdempotent(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out")
	p := mustMigrate(t, filepath.Join("testdata", "legacy"), Options{})
	if err := Write(dst, p.Files, false); err != nil {
		t.Fatal(err)
	}
	again := mustMigrate(t, dst, Options{})
	if diff := cmp.Diff(planTree(p), planTree(again)); diff != "" {
		t.Errorf("second run (-first +second):\n%s", diff)
	}
	if len(again.Report.Warnings) != 0 || len(again.Report.Refused) != 0 {
		t.Errorf("second run: warnings %v, refused %v", again.Report.Warnings, again.Report.Refused)
	}
	for _, e := range again.Report.Objects {
		if e.Status != Unchanged {
			t.Errorf("second run: %s %s", e.Object, e.Status)
		}
	}
	if c, u, _ := again.Report.Counts(); c != 0 || u != len(p.Files)-1 {
		t.Errorf("second run: %d converted, %d unchanged; want 0 and %d", c, u, len(p.Files)-1)
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const deploymentV1beta1 = `apiVersion: extensions/v1beta1
kind: Deployment
metadata: {name: web, namespace: se}
spec:
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.15}]
`

// TestRefusals: each class of refusal names file:line, the object, what
// is wrong and what to do, and the object is not written.
func TestRefusals(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Message
	}{
		{"CRD without schema", "# 2018\n---\napiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: as.example.org}\nspec: {group: example.org, version: v1, names: {kind: A, plural: as}}\n",
			Message{File: "f.yaml", Line: 3, Object: "CustomResourceDefinition/as.example.org", Message: "version v1 has no schema: apiextensions.k8s.io/v1 requires a structural one, and tpgen will not invent it", Hint: crdHint}},
		{"CRD with a schema that is not structural", "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: as.example.org}\nspec:\n  group: example.org\n  version: v1\n  names: {kind: A, plural: as}\n  validation: {openAPIV3Schema: {type: object, properties: {spec: {properties: {a: {type: string}}}}}}\n",
			Message{File: "f.yaml", Line: 1, Object: "CustomResourceDefinition/as.example.org", Message: "version v1: the schema is not structural: openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields", Hint: crdHint}},
		{"PodSecurityPolicy", "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n",
			Message{File: "f.yaml", Line: 1, Object: "PodSecurityPolicy/p", Message: "policy/v1beta1 PodSecurityPolicy is removed in Kubernetes 1.25 and has no successor", Hint: "use Pod Security Admission: label the namespaces pod-security.kubernetes.io/enforce (privileged, baseline or restricted), and remove the policy and its RBAC"}},
		{"group that no longer exists", "apiVersion: certmanager.k8s.io/v1alpha1\nkind: Certificate\nmetadata: {name: c, namespace: se}\n",
			Message{File: "f.yaml", Line: 1, Object: "Certificate/se/c", Message: "API group certmanager.k8s.io no longer exists: Certificate custom resources cannot be converted automatically", Hint: "migrate it by hand to " + goneGroups["certmanager.k8s.io"] + ", or remove it"}},
		{"kind its group/version never held", "apiVersion: apps/v1beta2\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: se}\n",
			Message{File: "f.yaml", Line: 1, Object: "PersistentVolumeClaim/se/data", Message: "apps/v1beta2 cannot hold kind PersistentVolumeClaim: Kubernetes never served PersistentVolumeClaim there", Hint: "Kubernetes serves PersistentVolumeClaim as apiVersion v1: write that, after checking the object is the one meant"}},
		{"unparsable YAML", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n# broken\napiVersion: v1\nkind: ConfigMap\n  name: x\n",
			Message{File: "f.yaml", Line: 8, Message: "unparsable YAML: mapping values are not allowed in this context", Hint: "fix the YAML; migrate reads plain manifests, not templates"}},
		{"object without apiVersion", "kind: ConfigMap\ndata: {a: b}\n",
			Message{File: "f.yaml", Line: 1, Message: "not a Kubernetes object: no apiVersion or no kind", Hint: "give the document both, or move it out of SRC"}},
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: a-}\n",
			Message{File: "f.yaml", Line: 1, Object: "ConfigMap/", Message: `metadata.name "": not a name migrate can write as a file`, Hint: "give the object a plain metadata.name (generateName needs kubectl create, not a GitOps tree)"}},
		{"converted object not strict", strings.Replace(deploymentV1beta1, "spec:\n", "spec:\n  paused: yes\n  replica: 2\n", 1),
			Message{File: "f.yaml", Line: 1, Object: "Deployment/se/web", Message: "converted to apps/v1 it does not pass strict decoding: spec.replica: Forbidden: unknown field", Hint: "fix the source object (the field is unknown or wrong in the new version too), then run migrate again"}},
		{"workload without selector or labels", "apiVersion: apps/v1beta1\nkind: StatefulSet\nmetadata: {name: s, namespace: se}\nspec: {template: {spec: {containers: []}}}\n",
			Message{File: "f.yaml", Line: 1, Object: "StatefulSet/se/s", Message: "no spec.selector and no pod template labels to default it from (apps/v1 requires a selector)", Hint: "give spec.template.metadata.labels and select them with spec.selector.matchLabels"}},
		{"webhook with side effects", "apiVersion: admissionregistration.k8s.io/v1beta1\nkind: MutatingWebhookConfiguration\nmetadata: {name: m}\nwebhooks:\n- {name: m.example.org, sideEffects: Some, clientConfig: {url: 'https://m.example.org'}}\n",
			Message{File: "f.yaml", Line: 1, Object: "MutatingWebhookConfiguration/m", Message: "webhooks[0] m.example.org: sideEffects Some: admissionregistration.k8s.io/v1 accepts only None and NoneOnDryRun", Hint: "make the webhook skip dry-run requests (or have no side effects) and set sideEffects NoneOnDryRun (or None)"}},
		{"alias bomb", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  a: &a [x, x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n  e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n  f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n",
			Message{File: "f.yaml", Line: 1, Message: "aliases expand the document by more than 100000 nodes", Hint: "write the values out instead of repeating them through anchors and aliases (*name)"}},
		{"duplicate key", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nkind: Secret\n",
			Message{File: "f.yaml", Line: 4, Message: `duplicate key "kind" (first at line 2)`, Hint: "a key appears once in a mapping (YAML spec); remove one"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeFiles(t, map[string]string{"f.yaml": tt.src})
			p := mustMigrate(t, dir, Options{})
			if diff := cmp.Diff([]Message{tt.want}, p.Report.Refused); diff != "" {
				t.Errorf("refused (-want +got):\n%s", diff)
			}
			for _, f := range p.Files {
				if f.Path != Marker && strings.Contains(f.Path, strings.ToLower(strings.SplitN(tt.want.Object+"/", "/", 2)[0])+".") && tt.want.Object != "" {
					t.Errorf("refused object written: %s", f.Path)
				}
			}
		})
	}
}

// TestSkipped: YAML that is not meant as an object (no apiVersion and no
// kind, not a mapping) is skipped with a warning, as are Kustomize files;
// a deprecated API with no removal planned is kept without a word.
func TestSkipped(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"values.yaml":        "replicas: 2\n---\n- a\n- b\n",
		"kustomization.yaml": "resources: [a.yaml]\n",
		"a.yaml":             "apiVersion: v1\nkind: Endpoints\nmetadata: {name: pg, namespace: se}\nsubsets: [{addresses: [{ip: 10.0.0.5}], ports: [{port: 5432}]}]\n",
	})
	p := mustMigrate(t, dir, Options{})
	var got []string
	for _, w := range p.Report.Warnings {
		got = append(got, w.String())
	}
	want := []string{
		"kustomization.yaml: skipped: a Kustomize configuration, not a Kubernetes object",
		"values.yaml:1: skipped: not a Kubernetes object (no apiVersion, no kind)",
		"values.yaml:3: skipped: not a Kubernetes object (not a mapping)",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	if len(p.Report.Refused) != 0 || len(p.Files) != 2 || p.Files[0].Path != "se/endpoints.core_pg.yaml" {
		t.Errorf("refused %v, files %v", p.Report.Refused, p.Files)
	}
}

// TestDuplicateObjects: two source objects that would take the same file
// are both refused, each naming the other.
func TestDuplicateObjects(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"a.yaml":     deploymentV1beta1,
		"sub/b.yaml": strings.Replace(deploymentV1beta1, "extensions/v1beta1", "apps/v1beta2", 1),
	})
	p := mustMigrate(t, dir, Options{})
	want := []Message{
		{File: "a.yaml", Line: 1, Object: "Deployment/se/web", Message: "the same object as sub/b.yaml:1 (both would be written to se/deployment.apps_web.yaml)", Hint: "keep one of the two in SRC"},
		{File: "sub/b.yaml", Line: 1, Object: "Deployment/se/web", Message: "the same object as a.yaml:1 (both would be written to se/deployment.apps_web.yaml)", Hint: "keep one of the two in SRC"},
	}
	if diff := cmp.Diff(want, p.Report.Refused); diff != "" {
		t.Errorf("refused (-want +got):\n%s", diff)
	}
	if len(p.Files) != 1 || len(p.Report.Warnings) != 0 {
		t.Errorf("files %v, warnings %v: want only the marker and no warning", p.Files, p.Report.Warnings)
	}
}

// TestTargetVersion: only what the target removed is converted; what it
// deprecates is converted when it serves the successor, else kept with a
// warning; a successor the target removed too is skipped for the next.
func TestTargetVersion(t *testing.T) {
	src := map[string]string{
		"cron.yaml":    "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: c, namespace: se}\nspec: {schedule: '* * * * *', jobTemplate: {spec: {template: {spec: {containers: [{name: a, image: a}], restartPolicy: Never}}}}}\n",
		"ingress.yaml": "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: i, namespace: se}\nspec: {backend: {serviceName: web, servicePort: 80}}\n",
		"psp.yaml":     "apiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\nspec: {privileged: false, seLinux: {rule: RunAsAny}, runAsUser: {rule: RunAsAny}, supplementalGroups: {rule: RunAsAny}, fsGroup: {rule: RunAsAny}}\n",
		"flow.yaml":    "apiVersion: flowcontrol.apiserver.k8s.io/v1beta1\nkind: FlowSchema\nmetadata: {name: f}\nspec: {priorityLevelConfiguration: {name: p}}\n",
		"deploy.yaml":  deploymentV1beta1,
	}
	tests := []struct {
		target string
		want   map[string]string // object -> apiVersion written
		warn   []string          // substrings, one a warning, in order
	}{
		{"1.16", map[string]string{"CronJob/se/c": "batch/v1beta1", "Ingress/se/i": "extensions/v1beta1", "PodSecurityPolicy/p": "policy/v1beta1", "FlowSchema/f": "flowcontrol.apiserver.k8s.io/v1beta1", "Deployment/se/web": "apps/v1"},
			[]string{"deploy.yaml:1: Deployment/se/web: extensions/v1beta1 -> apps/v1 (extensions/v1beta1 removed in Kubernetes 1.16)", "Deployment/se/web: spec.selector set", "Deployment/se/web: written out", "ingress.yaml:1: Ingress/se/i: extensions/v1beta1 Ingress is deprecated since 1.14 and removed in 1.22; kept: the target 1.16 serves no replacement"}},
		{"1.21", map[string]string{"CronJob/se/c": "batch/v1", "Ingress/se/i": "networking.k8s.io/v1", "PodSecurityPolicy/p": "policy/v1beta1", "FlowSchema/f": "flowcontrol.apiserver.k8s.io/v1beta1", "Deployment/se/web": "apps/v1"},
			[]string{"cron.yaml:1: CronJob/se/c: batch/v1beta1 -> batch/v1 (batch/v1beta1 deprecated since 1.21, removed in 1.25; batch/v1 is served by the target 1.21)"}},
		{"1.27", map[string]string{"CronJob/se/c": "batch/v1", "Ingress/se/i": "networking.k8s.io/v1", "Deployment/se/web": "apps/v1", "FlowSchema/f": "flowcontrol.apiserver.k8s.io/v1beta3"}, nil},
		{"1.33", map[string]string{"CronJob/se/c": "batch/v1", "Ingress/se/i": "networking.k8s.io/v1", "Deployment/se/web": "apps/v1", "FlowSchema/f": "flowcontrol.apiserver.k8s.io/v1"}, nil},
	}
	dir := writeFiles(t, src)
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			r, err := kube.ParseRelease(tt.target)
			if err != nil {
				t.Fatal(err)
			}
			p := mustMigrate(t, dir, Options{Target: r})
			got := map[string]string{}
			for _, e := range p.Report.Objects {
				if e.Status != Refused {
					got[e.Object] = e.To
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("written (-want +got):\n%s", diff)
			}
			var warns []string
			for _, w := range p.Report.Warnings {
				warns = append(warns, w.String())
			}
			for _, w := range tt.warn {
				if !slices.ContainsFunc(warns, func(s string) bool { return strings.Contains(s, w) }) {
					t.Errorf("no warning %q in\n%s", w, strings.Join(warns, "\n"))
				}
			}
			if p.Report.Target != tt.target {
				t.Errorf("target %s, want %s", p.Report.Target, tt.target)
			}
		})
	}
}

// TestHostileInputs: a link leaving SRC, a link to a directory, a named
// pipe and a file over the limit stop the run with an error naming the
// file; files that are not YAML and hidden ones are not read.
func TestHostileInputs(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret.yaml"), []byte("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
		lim   int64
		want  string
	}{
		{"link out of SRC", func(t *testing.T, dir string) {
			must(t, os.Symlink(filepath.Join(outside, "secret.yaml"), filepath.Join(dir, "s.yaml")))
		}, 0, "s.yaml: resolves outside its input root"},
		{"link to a directory out of SRC", func(t *testing.T, dir string) {
			must(t, os.Symlink(outside, filepath.Join(dir, "more")))
		}, 0, "more: resolves outside its input root"},
		{"link to a directory", func(t *testing.T, dir string) {
			must(t, os.Mkdir(filepath.Join(dir, "sub"), 0o755))
			must(t, os.Symlink("sub", filepath.Join(dir, "more")))
		}, 0, "more: a symbolic link to a directory"},
		{"named pipe", func(t *testing.T, dir string) {
			must(t, mkfifo(filepath.Join(dir, "p.yaml")))
		}, 0, "p.yaml: not a regular file (a named pipe)"},
		{"oversize", func(t *testing.T, dir string) {
			must(t, os.WriteFile(filepath.Join(dir, "big.yaml"), bytes.Repeat([]byte("# x\n"), 100), 0o644))
		}, 64, "big.yaml: 400 bytes, over the limit: the file size limit is 64 bytes\nhint: raise it with --max-file-size"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			_, err := Migrate(dir, Options{MaxFileSize: tt.lim})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
		})
	}
	t.Run("not YAML, hidden", func(t *testing.T) {
		dir := writeFiles(t, map[string]string{"README.md": "x: [", ".git/config.yaml": "x: [", "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: se}\n"})
		must(t, mkfifo(filepath.Join(dir, "pipe")))
		p := mustMigrate(t, dir, Options{})
		if len(p.Report.Refused) != 0 || len(p.Files) != 2 || p.Files[0].Path != "se/configmap.core_a.yaml" {
			t.Errorf("refused %v, files %v", p.Report.Refused, p.Files)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func mkfifo(p string) error { return syscall.Mkfifo(p, 0o644) }

// TestConvert: one object converts in place with the warnings Migrate
// gives; a refusal leaves it as it was.
func TestConvert(t *testing.T) {
	docs, err := object.Decode([]byte(deploymentV1beta1))
	must(t, err)
	warns, err := Convert(docs[0], kube.Release{})
	must(t, err)
	if docs[0]["apiVersion"] != "apps/v1" || len(warns) != 3 || warns[0] != "extensions/v1beta1 -> apps/v1 (extensions/v1beta1 removed in Kubernetes 1.16)" {
		t.Errorf("got %v, warnings %q", docs[0]["apiVersion"], warns)
	}
	psp := map[string]any{"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": map[string]any{"name": "p"}}
	before := object.DeepCopy(psp)
	_, err = Convert(psp, kube.Release{})
	if err == nil || !strings.HasPrefix(err.Error(), "policy/v1beta1 PodSecurityPolicy is removed in Kubernetes 1.25 and has no successor\nhint: use Pod Security Admission") {
		t.Errorf("got %v", err)
	}
	if diff := cmp.Diff(before, psp); diff != "" {
		t.Errorf("refused object changed:\n%s", diff)
	}
}

// TestCRDRootType: a v1beta1 schema whose root has no type is converted
// with type: object there (what every custom resource is); a nested node
// without a type still makes it refused.
func TestCRDRootType(t *testing.T) {
	dir := writeFiles(t, map[string]string{"crd.yaml": "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: as.example.org}\nspec:\n  group: example.org\n  version: v1\n  names: {kind: A, plural: as}\n  preserveUnknownFields: false\n  validation: {openAPIV3Schema: {properties: {spec: {type: object, properties: {a: {type: string}}}}}}\n"})
	p := mustMigrate(t, dir, Options{})
	if len(p.Report.Refused) != 0 || len(p.Files) != 2 {
		t.Fatalf("refused %v", p.Report.Refused)
	}
	want := "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: as.example.org\nspec:\n  group: example.org\n  names:\n    kind: A\n    plural: as\n  scope: Namespaced\n  versions:\n  - name: v1\n    schema:\n      openAPIV3Schema:\n        properties:\n          spec:\n            properties:\n              a:\n                type: string\n            type: object\n        type: object\n    served: true\n    storage: true\n"
	if diff := cmp.Diff(want, string(p.Files[0].Data)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := p.Report.Warnings[len(p.Report.Warnings)-1].Message; got != "type: object written at the schema root (a custom resource is always an object)" {
		t.Errorf("last warning %q", got)
	}
}
