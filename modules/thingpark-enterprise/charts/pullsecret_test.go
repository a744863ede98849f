package charts_test

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/helm"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
)

// TestPullSecretReferences: the image pull Secret is named as the real
// customization samples name it and referenced in the same places (FACTS
// §7; cert-manager's images are public, its block names none): each of
// those values lists reaches the pods it governs (a name put
// in its place shows up in the chart's output), every pod template and the
// operators' custom resources pull with it, and the cluster tier renders
// it as a dockerconfigjson Secret from the profile's reference (a marker).
func TestPullSecretReferences(t *testing.T) {
	l, err := profile.NewLoader(nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := contractPlan(t, l, "7.3.1", "eks", "m")
	src := chartsource.NewFS(os.DirFS("."), "embedded charts")
	render := func(c profile.Component, vals map[string]any) []object.Object {
		t.Helper()
		ch, err := src.Get(c.Chart.Name, c.Chart.Version)
		if err != nil {
			t.Fatal(err)
		}
		objs, err := helm.Render(ch, helm.Options{Release: c.Release, Namespace: c.Namespace, Tier: c.Name, Values: vals, KubeVersion: plan.KubeVersion})
		if err != nil {
			t.Fatalf("%s: %v", c.Chart.Name, err)
		}
		return objs
	}
	for _, c := range plan.Components {
		if c.Account.ClusterAdmin {
			objs := render(c, c.Values)
			var found bool
			for _, o := range objs {
				if o.Kind() == "Secret" && o.Name() == "thingpark-image-pull-secret" {
					found = true
					data, _ := o.Doc["data"].(map[string]any)
					if o.Doc["type"] != "kubernetes.io/dockerconfigjson" || len(data) != 1 || data[".dockerconfigjson"] == nil {
						t.Errorf("cluster tier: pull Secret %v", o.Doc)
					}
				}
			}
			if !found {
				t.Error("the cluster tier renders no Secret thingpark-image-pull-secret")
			}
			continue
		}
		base := render(c, c.Values)
		// Every pod template pulls with the Secret (the PerconaServerMongoDB
		// and Kafka resources too).
		for _, o := range base {
			if strings.HasPrefix(o.Name(), "cert-manager") {
				continue // the sample's cert-manager block names no pull Secret: public images
			}
			for _, path := range [][]string{
				{"spec", "template", "spec", "imagePullSecrets"},
				{"spec", "jobTemplate", "spec", "template", "spec", "imagePullSecrets"},
			} {
				if object.Dig(o.Doc, path[:len(path)-1]...) == nil {
					continue
				}
				b, _ := json.Marshal(object.Dig(o.Doc, path...))
				if string(b) != `[{"name":"thingpark-image-pull-secret"}]` {
					t.Errorf("%s %s: %s = %s, want the pull Secret once", c.Chart.Name, o.ID(), strings.Join(path, "."), b)
				}
			}
			if o.Kind() == "PerconaServerMongoDB" || o.Kind() == "Kafka" {
				b, _ := json.Marshal(o.Doc["spec"])
				if !strings.Contains(string(b), `"imagePullSecrets":[{"name":"thingpark-image-pull-secret"}]`) {
					t.Errorf("%s %s: no pull Secret", c.Chart.Name, o.ID())
				}
			}
		}
		// Each list the values set is read: another name in its place
		// reaches the output.
		for _, path := range [][]string{
			{"global", "imagePullSecrets"},
			{"ingress-nginx", "imagePullSecrets"},
			{"psmdb-operator", "imagePullSecrets"},
			{"strimzi-kafka-operator", "image", "imagePullSecrets"},
			{"mongo-replicaset", "imagePullSecrets"},
			{"kafka-cluster", "imagePullSecrets"},
		} {
			if object.Dig(c.Values, path...) == nil {
				continue
			}
			vals := deepCopy(t, c.Values)
			parent := object.Dig(vals, path[:len(path)-1]...).(map[string]any)
			switch v := parent[path[len(path)-1]].(type) {
			case string:
				parent[path[len(path)-1]] = "other-pull"
			case []any:
				if _, ok := v[0].(string); ok {
					parent[path[len(path)-1]] = []any{"other-pull"}
				} else {
					parent[path[len(path)-1]] = []any{map[string]any{"name": "other-pull"}}
				}
			}
			b, _ := json.Marshal(render(c, vals))
			if !strings.Contains(string(b), `{"name":"other-pull"}`) {
				t.Errorf("%s ignores %s", c.Chart.Name, strings.Join(path, "."))
			}
		}
	}
}
