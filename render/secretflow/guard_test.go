package secretflow_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/secretflow"
)

func mustMarker(t *testing.T, name, key string) string {
	t.Helper()
	m, err := secretflow.Marker(name, key)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// renderLeaky renders testdata/leaky with the given misuses through Guard.
func renderLeaky(t *testing.T, leak ...string) ([]object.Object, error) {
	t.Helper()
	ch, err := loader.LoadDir("testdata/leaky")
	if err != nil {
		t.Fatal(err)
	}
	l := make([]any, len(leak))
	for i, s := range leak {
		l[i] = s
	}
	values := map[string]any{"password": mustMarker(t, "db-creds", "password"), "leak": l}
	return secretflow.Guard(values, func(v map[string]any) ([]object.Object, error) {
		return helm.Render(ch, helm.Options{Release: "r", Namespace: "apps", Tier: "app", Values: v, KubeVersion: "1.30"})
	})
}

func TestGuardReportsEveryMisuse(t *testing.T) {
	const (
		direct  = "a secret marker outside a Secret's data (the value would be committed to Git or the object would hold the marker's text)"
		derived = "derived from a secret value (it changes with the value: a checksum, an encoding, a transformation), so tpgen cannot render it without the value"
	)
	for _, tc := range []struct {
		name string
		leak []string
		want []string
	}{
		{name: "clean", leak: nil, want: nil},
		{name: "configMap", leak: []string{"configMap"}, want: []string{
			"chart leaky@0.1.0 templates/configmap.yaml: ConfigMap/app: data[\"db.properties\"]: " + direct,
		}},
		{name: "env", leak: []string{"env"}, want: []string{
			"chart leaky@0.1.0 templates/deployment.yaml: Deployment/app: spec.template.spec.containers[0].env[1].value: " + direct,
		}},
		{name: "label", leak: []string{"label"}, want: []string{
			"chart leaky@0.1.0 templates/deployment.yaml: Deployment/app: spec.template.metadata.labels.pw: " + direct,
		}},
		{name: "checksum", leak: []string{"checksum"}, want: []string{
			"chart leaky@0.1.0 templates/deployment.yaml: Deployment/app: spec.template.metadata.annotations.checksum/secret: " + derived,
		}},
		{name: "encoded in a ConfigMap", leak: []string{"b64ConfigMap"}, want: []string{
			"chart leaky@0.1.0 templates/configmap.yaml: ConfigMap/app: data.token: " + derived,
		}},
		{name: "truncated", leak: []string{"trunc"}, want: []string{
			"chart leaky@0.1.0 templates/deployment.yaml: Deployment/app: spec.template.metadata.annotations.hint: " + derived,
		}},
		{name: "branch on the value", leak: []string{"branch"}, want: []string{
			"chart leaky@0.1.0 templates/deployment.yaml: Deployment/app: spec.template.spec.containers[0].env: " + derived,
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, err := renderLeaky(t, tc.leak...)
			if tc.want == nil {
				if err != nil {
					t.Fatal(err)
				}
				if len(objs) != 2 {
					t.Fatalf("got %d objects, want 2", len(objs))
				}
				return
			}
			var me *secretflow.MisuseError
			if !errors.As(err, &me) {
				t.Fatalf("want a MisuseError, got %v", err)
			}
			var got []string
			for _, m := range me.Misuses {
				got = append(got, m.String())
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("misuses (-want +got):\n%s", diff)
			}
			if !strings.Contains(err.Error(), "\nhint: ") {
				t.Errorf("no hint in %q", err)
			}
		})
	}
}

func TestMarkerSplit(t *testing.T) {
	m := mustMarker(t, "tpe-smtp", "password")
	if m != "((tpgen-secret:tpe-smtp/password))" {
		t.Fatalf("marker %q", m)
	}
	got := secretflow.Split("smtp://user:" + m + "@host.example:465/" + m + "x")
	want := []secretflow.Part{
		{Text: "smtp://user:"}, {Ref: &secretflow.Ref{Name: "tpe-smtp", Key: "password"}},
		{Text: "@host.example:465/"}, {Ref: &secretflow.Ref{Name: "tpe-smtp", Key: "password"}}, {Text: "x"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Split (-want +got):\n%s", diff)
	}
	for _, bad := range [][2]string{{"Upper", "k"}, {"a_b", "k"}, {"a", "k/x"}, {"a", ""}, {"a", "k)"}} {
		if _, err := secretflow.Marker(bad[0], bad[1]); err == nil {
			t.Errorf("Marker(%q, %q): want an error", bad[0], bad[1])
		}
	}
}

func TestMisplacedFindsAnySpelling(t *testing.T) {
	for _, s := range []string{"x((tpgen-secret:a/b))", "~~TPGEN-SECRET:a/b~~", "Tpgen-Secret", "pre tpgen-secret"} {
		objs := []object.Object{{Source: "s", Doc: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{"k": s}}}}
		if ms := secretflow.Misplaced(objs); len(ms) != 1 || ms[0].Field != "data.k" {
			t.Errorf("%q: %v", s, ms)
		}
	}
	objs := []object.Object{{Doc: map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": "c"}, "data": map[string]any{"k": "tpgen-secre", "t": "tpgen secret"}}}}
	if ms := secretflow.Misplaced(objs); len(ms) != 0 {
		t.Errorf("false positives: %v", ms)
	}
}
