package helm

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // TZ=America/Bogota on any machine (TestRuntimeDatesAllowed)

	"github.com/google/go-cmp/cmp"

	"helm.sh/helm/v3/pkg/chart"
)

func testChart(templates map[string]string) *chart.Chart {
	c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: "demo", Version: "1.0.0"}}
	for name, src := range templates {
		c.Templates = append(c.Templates, &chart.File{Name: "templates/" + name, Data: []byte(src)})
	}
	return c
}

func TestRender(t *testing.T) {
	c := testChart(map[string]string{
		"cm.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: {{ .Release.Name }}-cm}
data:
  kube: "{{ .Capabilities.KubeVersion.Minor }}"
  widgets: "{{ .Capabilities.APIVersions.Has "example.com/v1/Widget" }}"
  lookup: "{{ len (lookup "v1" "Secret" "ns" "x") }}"
  replicas: {{ .Values.replicas }}
`,
		"test.yaml": `apiVersion: v1
kind: Pod
metadata: {name: t, annotations: {helm.sh/hook: test}}
`,
		"NOTES.txt": "hello",
	})
	objs, err := Render(c, Options{Release: "r", Namespace: "ns", Tier: "t", KubeVersion: "1.27",
		APIVersions: []string{"example.com/v1", "example.com/v1/Widget"}, Values: map[string]any{"replicas": 1000000}})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 1 {
		t.Fatalf("want the ConfigMap only (test hooks dropped), got %d objects", len(objs))
	}
	data := objs[0].Doc["data"].(map[string]any)
	for k, want := range map[string]string{"kube": "27", "widgets": "true", "lookup": "0"} {
		if data[k] != want {
			t.Errorf("%s = %v, want %s", k, data[k], want)
		}
	}
	if got := data["replicas"]; got == nil || got.(interface{ String() string }).String() != "1000000" {
		t.Errorf("numbers must stay exact, got %v", got)
	}
	if objs[0].Source != "chart demo@1.0.0 templates/cm.yaml" || objs[0].Tier != "t" {
		t.Errorf("provenance: %q %q", objs[0].Source, objs[0].Tier)
	}
}

func TestRenderRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, tpl, want string
	}{
		{"time", "{{ now }}", `templates/x.yaml:1:3: non-deterministic template function "now"`},
		{"random in a pipeline", "a: {{ if true }}{{ randAlphaNum 8 | quote }}{{ end }}", `non-deterministic template function "randAlphaNum"`},
		{"fresh keys", "{{ $ca := genCA \"x\" 365 }}", `"genCA"`},
		{"syntax", "a: {{ .Values.x ", "templates/x.yaml:1"},
		{"not an object", "- a\n- b\n", "not a mapping"},
		{"no name", "apiVersion: v1\nkind: ConfigMap\n", "needs apiVersion, kind and metadata.name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(testChart(map[string]string{"x.yaml": tc.tpl}), Options{Release: "r", Namespace: "ns", KubeVersion: "1.27"})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "rendering chart demo@1.0.0") {
				t.Errorf("the error must name the chart: %v", err)
			}
		})
	}
}

// Functions refused when they run: text that reaches tpl at run time
// (a literal, a value, a chart file, a string built by printf) is never
// seen by the static check.
func TestRuntimeRefusal(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tpl    string
		values map[string]any
		files  map[string]string
		want   string
	}{
		{name: "tpl of a literal", tpl: `a: {{ tpl "{{ randAlphaNum 12 }}" . }}`, want: `"randAlphaNum" refused`},
		{name: "tpl of a value", tpl: `a: {{ tpl .Values.x . | quote }}`, values: map[string]any{"x": "{{ uuidv4 }}"}, want: `"uuidv4" refused`},
		{name: "tpl of a nested value", tpl: `a: {{ tpl (toYaml .Values.cfg) . | quote }}`, values: map[string]any{"cfg": map[string]any{"k": "{{ now | date \"2006\" }}"}}, want: `"now" refused`},
		{name: "tpl of a built string", tpl: `a: {{ tpl (printf "{{ %s 1 9 }}" "randInt") . }}`, want: `"randInt" refused`},
		{name: "tpl of a chart file", tpl: `a: {{ tpl (.Files.Get "files/ca.tpl") . | quote }}`, files: map[string]string{"files/ca.tpl": `{{ (genCA "x" 365).Cert }}`}, want: `"genCA" refused`},
		{name: "tpl inside tpl", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ tpl "{{ shuffle \"abc\" }}" . }}`}, want: `"shuffle" refused`},
		{name: "date of nothing is now", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ date "2006" .Values.missing }}`}, want: `"date" refused`},
		{name: "dateInZone of a string", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ dateInZone "2006" "2024-01-01" "UTC" }}`}, want: `"dateInZone" refused`},
		{name: "age of a date", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ toDate "2006-01-02" "2024-01-01" | durationRound }}`}, want: `"durationRound" refused`},
		{name: "bcrypt salt", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ htpasswd "u" "p" }}`}, want: `"htpasswd" refused`},
		{name: "random IV", tpl: `a: {{ tpl .Values.x . }}`, values: map[string]any{"x": `{{ encryptAES "k" "p" }}`}, want: `"encryptAES" refused`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testChart(map[string]string{"x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  " + tc.tpl + "\n"})
			for n, d := range tc.files {
				c.Files = append(c.Files, &chart.File{Name: n, Data: []byte(d)})
			}
			_, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27", Values: tc.values})
			if err == nil {
				t.Fatal("rendered, want a refusal")
			}
			for _, want := range []string{"rendering chart demo@1.0.0: templates/x.yaml:", "non-deterministic template function " + tc.want, "hint: "} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error lacks %q:\n%v", want, err)
				}
			}
		})
	}
}

// Date functions given a date stay available: only the clock is refused,
// and the machine's time zone does not change the output.
func TestRuntimeDatesAllowed(t *testing.T) {
	// The machine's zone is five hours west of UTC: in a process of its
	// own started with TZ (time.Local is read once, and writing it here
	// would race with every timer of the test binary).
	if os.Getenv("TPGEN_TEST_TZ_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestRuntimeDatesAllowed$", "-test.count=1")
		cmd.Env = append(os.Environ(), "TPGEN_TEST_TZ_CHILD=1", "TZ=America/Bogota")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("in a process at TZ=America/Bogota: %v\n%s", err, out)
		}
		return
	}
	if _, off := time.Now().Zone(); off != -5*3600 {
		t.Fatalf("the zone is %d s from UTC, want -18000: TZ was not applied", off)
	}
	c := testChart(map[string]string{"x.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
data:
  year: {{ tpl "{{ dateInZone \"2006\" 0 \"UTC\" }}" . | quote }}
  parsed: {{ dateInZone "01" (toDate "2006-01-02" "2024-03-01") "UTC" | quote }}
  round: {{ durationRound "90m" | quote }}
  date: {{ date "2006-01-02T15" 0 | quote }}
  html: {{ htmlDate 0 | quote }}
  local: {{ dateInZone "15" 0 "Local" | quote }}
  toDate: {{ toDate "2006-01-02" "2024-03-01" | unixEpoch | quote }}
  must: {{ mustToDate "2006-01-02" "2024-03-01" | date "2006-01-02T15" | quote }}
`})
	objs, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27"})
	if err != nil {
		t.Fatal(err)
	}
	got := objs[0].Doc["data"]
	want := map[string]any{"year": "1970", "parsed": "03", "round": "1h", "date": "1970-01-01T00", "html": "1970-01-01",
		"local": "00", "toDate": "1709251200", "must": "2024-03-01T00"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("data (-want +got):\n%s", diff)
	}
}

func TestRenderRefusesMissingDependencies(t *testing.T) {
	sub := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: "common", Version: "2.0.0",
		Dependencies: []*chart.Dependency{{Name: "deep", Version: "0.1.0", Repository: "oci://registry.example.com/charts"}}}}
	c := testChart(map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n"})
	c.Metadata.Dependencies = []*chart.Dependency{
		{Name: "common", Version: "2.0.0", Repository: "https://charts.example.com"},
		{Name: "redis", Version: "18.1.0", Repository: "https://charts.example.com", Condition: "redis.enabled"},
	}
	c.AddDependency(sub)
	_, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27"})
	want := "rendering chart demo@1.0.0: " +
		"Chart.yaml: dependency redis 18.1.0 (https://charts.example.com) is not vendored in charts/\n" +
		"charts/common/Chart.yaml: dependency deep 0.1.0 (oci://registry.example.com/charts) is not vendored in charts/common/charts/\n" +
		"hint: vendor the dependencies into the chart with `helm dependency build` (render never downloads charts)"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	sub.Metadata.Dependencies = nil
	c.Metadata.Dependencies = c.Metadata.Dependencies[:1]
	if _, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27"}); err != nil {
		t.Fatalf("vendored dependencies: %v", err)
	}
}

// keys and values list a dict in the same order every run (sorted by
// key), where sprig follows Go's random map order.
func TestMapOrderIsStable(t *testing.T) {
	c := testChart(map[string]string{"x.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: x}
data:
  keys: {{ keys .Values.m .Values.n | join "," | quote }}
  values: {{ values .Values.m | join "," | quote }}
  tpl: {{ tpl "{{ keys .Values.m | join \"\" }}" . | quote }}
`})
	m, n := map[string]any{}, map[string]any{"z": 1, "y": 2}
	var keys, vals []string
	for i := range 26 {
		k := string(rune('a' + i))
		m[k] = strings.ToUpper(k)
		keys, vals = append(keys, k), append(vals, strings.ToUpper(k))
	}
	want := map[string]any{"keys": strings.Join(keys, ",") + ",y,z", "values": strings.Join(vals, ","), "tpl": strings.Join(keys, "")}
	for range 5 {
		objs, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27", Values: map[string]any{"m": m, "n": n}})
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(want, objs[0].Doc["data"]); d != "" {
			t.Fatalf("data (-want +got):\n%s", d)
		}
	}
}

func TestDocuments(t *testing.T) {
	for _, tt := range []struct {
		src     string
		n       int
		largest int64
	}{
		{"", 0, 0},
		{"# only a comment\n", 0, 0},
		{"a: 1\n", 1, 5},
		{"---\na: 1\n---\n# c\n---\nbb: 22\n", 2, 8},
		{"a: 1\n--- # doc\nb: 2\n", 2, 6},
		{"a: |\n  ---x\n", 1, 12}, // indented: not a separator
	} {
		n, l := documents(tt.src)
		if n != tt.n || l != tt.largest {
			t.Errorf("documents(%q) = %d, %d; want %d, %d", tt.src, n, l, tt.n, tt.largest)
		}
	}
}

// TestBoundBeforeParsing: a chart's output is measured before it is parsed,
// so a chart emitting 100k objects or a huge value is stopped after its
// template run (issue 10, item 4).
func TestBoundBeforeParsing(t *testing.T) {
	c := testChart(map[string]string{
		"many.yaml": `{{ range until 100000 }}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm-{{ . }}}
{{ end }}`,
		"big.yaml": `apiVersion: v1
kind: ConfigMap
metadata: {name: big}
data: {v: "{{ repeat 20000000 "x" }}"}
`,
	})
	errStop := errors.New("over")
	var docs int
	var bytes, largest int64
	_, err := Render(c, Options{Release: "r", Namespace: "ns", Tier: "t", KubeVersion: "1.27",
		Bound: func(d int, b, l int64) error {
			docs, bytes, largest = d, b, l
			return errStop
		}})
	if !errors.Is(err, errStop) || !strings.Contains(err.Error(), "rendering chart demo@1.0.0") {
		t.Fatalf("want the bound's error naming the chart, got %v", err)
	}
	if docs != 100001 || largest < 20000000 || bytes < largest {
		t.Errorf("docs %d, bytes %d, largest %d: want 100001 documents, the largest over 20 MB", docs, bytes, largest)
	}
}

// TestTemplateRunBounded: a template run that never ends or grows a value
// without end stops at its limit with an error naming the flag, and a
// cancelled context stops it at once (issue 10, item 4 and 8).
func TestTemplateRunBounded(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name, tpl string
		o         Options
		want      string
	}{
		// Long enough to hit the limits, finite so that the abandoned
		// goroutine ends by itself in the test binary.
		{"time", `{{ range until 5000 }}{{ range until 5000 }}{{ end }}{{ end }}`,
			Options{Time: 100 * time.Millisecond}, "template run stopped: it took longer than --max-eval-time 100ms\nhint: "},
		{"memory", `{{ $s := "xxxxxxxx" }}{{ range until 24 }}{{ $s = print $s $s }}{{ end }}{{ len $s }}`,
			Options{Memory: 16 << 20}, "template run stopped: it grew the heap by more than --max-eval-memory 16Mi\nhint: "},
		{"cancelled", `{{ range until 5000 }}{{ range until 5000 }}{{ end }}{{ end }}`,
			Options{Context: cancelled}, "rendering chart demo@1.0.0: context canceled"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := tc.o
			o.Release, o.Namespace, o.Tier, o.KubeVersion = "r", "ns", "t", "1.27"
			// The error says the bound stopped the run (a run left to
			// finish would succeed); no wall-clock assertion.
			_, err := Render(testChart(map[string]string{"loop.yaml": tc.tpl}), o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
		})
	}
}

// Subcharts are processed as helm install and template process them: a
// condition or tag the values turn off drops the subchart, an alias renames
// it (a defect: every vendored subchart rendered, loki's disabled minio
// included).
func TestRenderProcessesDependencies(t *testing.T) {
	sub := func(name string) *chart.Chart {
		c := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: name, Version: "1.0.0"}}
		c.Templates = []*chart.File{{Name: "templates/cm.yaml", Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Chart.Name }}-{{ .Values.x }}}\n")}}
		c.Values = map[string]any{"x": "default"}
		return c
	}
	c := testChart(nil)
	c.Metadata.Dependencies = []*chart.Dependency{
		{Name: "off", Version: "1.0.0", Condition: "off.enabled"},
		{Name: "on", Version: "1.0.0", Condition: "on.enabled"},
		{Name: "tagged", Version: "1.0.0", Tags: []string{"extras"}},
		{Name: "aliased", Version: "1.0.0", Alias: "second"},
	}
	for _, n := range []string{"off", "on", "tagged", "aliased"} {
		c.AddDependency(sub(n))
	}
	c.Values = map[string]any{"off": map[string]any{"enabled": false}, "tags": map[string]any{"extras": false}}
	objs, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27",
		Values: map[string]any{"on": map[string]any{"enabled": true, "x": "set"}, "second": map[string]any{"x": "aliased"}}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objs {
		names = append(names, o.Name())
	}
	slices.Sort(names)
	if want := []string{"on-set", "second-aliased"}; !slices.Equal(names, want) {
		t.Errorf("got objects %v, want %v", names, want)
	}
}

// Documents are split as Helm splits them: a "---" line followed by text
// (a comment left there by a trimming action, as cert-manager's rbac.yaml
// renders "---# Permission to approve...") is a separator (a defect: the
// comment stuck to the separator and the stream failed to parse).
func TestDecodeSplitsAsHelm(t *testing.T) {
	c := testChart(map[string]string{"x.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n{{- if true -}}\n# a comment\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n{{- end }}\n---\n\n"})
	objs, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27"})
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[0].Name() != "a" || objs[1].Name() != "b" {
		t.Fatalf("got %d objects: %v", len(objs), objs)
	}
}

// A refused call is reported where it is, with the include chain that
// reached it and the values its enclosing conditions read (through a
// variable too), a subchart's under its name; a branch the values skip is
// not refused.
func TestRefusalNamesTheValues(t *testing.T) {
	sub := &chart.Chart{Metadata: &chart.Metadata{APIVersion: "v2", Name: "db", Version: "1.0.0"}}
	sub.Templates = []*chart.File{
		{Name: "templates/_helpers.tpl", Data: []byte("{{- define \"db.password\" -}}\n{{- $given := .Values.auth.password -}}\n{{- if not $given -}}\n{{ randAlphaNum 12 }}\n{{- else -}}\n{{ $given }}\n{{- end -}}\n{{- end -}}\n")},
		{Name: "templates/secret.yaml", Data: []byte("{{- if not .Values.auth.existingSecret }}\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: db}\ndata:\n  p: {{ include \"db.password\" . }}\n{{- end }}\n")},
	}
	c := testChart(map[string]string{"cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  {{- if and .Values.generate (not .Values.global.existing) }}\n  k: {{ genCA \"x\" 3 }}\n  {{- end }}\n"})
	sub.Values = map[string]any{"auth": map[string]any{"existingSecret": "", "password": ""}}
	c.Values = map[string]any{"generate": false, "global": map[string]any{"existing": false}}
	c.Metadata.Dependencies = []*chart.Dependency{{Name: "db", Version: "1.0.0"}}
	c.AddDependency(sub)
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   string
	}{
		{"top chart", map[string]any{"generate": true, "db": map[string]any{"auth": map[string]any{"existingSecret": "s"}}},
			"rendering chart demo@1.0.0: templates/cm.yaml:6:8: non-deterministic template function \"genCA\" refused (tpgen never renders generated secrets, keys or dates)\n" +
				"    hint: reference a Secret made outside the chart (e.g. by cert-manager)\n" +
				"    hint: the call runs because of these values; set the one that makes the chart use an existing Secret or a given value (see the chart's values.yaml): generate, global.existing"},
		{"subchart through an include", nil,
			"rendering chart demo@1.0.0: charts/db/templates/_helpers.tpl:4:3: non-deterministic template function \"randAlphaNum\" refused (tpgen never renders generated secrets, keys or dates)\n" +
				"    called from charts/db/templates/secret.yaml:6:8\n" +
				"    hint: take the value from values or a Secret reference\n" +
				"    hint: the call runs because of these values; set the one that makes the chart use an existing Secret or a given value (see the chart's values.yaml): db.auth.existingSecret, db.auth.password"},
		{"every branch skipped", map[string]any{"db": map[string]any{"auth": map[string]any{"existingSecret": "s"}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render(c, Options{Release: "r", Namespace: "ns", KubeVersion: "1.27", Values: tc.values})
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || err.Error() != tc.want {
				t.Fatalf("got  %v\nwant %s", err, tc.want)
			}
		})
	}
}
