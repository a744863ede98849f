package helm

import (
	"strings"
	"testing"

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
