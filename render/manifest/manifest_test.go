package manifest

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/object"
)

func obj(tier, apiVersion, kind, ns, name string) object.Object {
	meta := map[string]any{"name": name}
	if ns != "" {
		meta["namespace"] = ns
	}
	return object.Object{Tier: tier, Source: "test " + name, Doc: map[string]any{"apiVersion": apiVersion, "kind": kind, "metadata": meta}}
}

func paths(files []File) []string {
	var out []string
	for _, f := range files {
		out = append(out, f.Path)
	}
	return out
}

var opts = Options{Namespace: "tpe", ClusterTier: "cluster", Tiers: []string{"cluster", "data", "app"}, Profile: "site.yaml"}

func TestArrange(t *testing.T) {
	crd := obj("data", "apiextensions.k8s.io/v1", "CustomResourceDefinition", "", "widgets.example.com")
	crd.Doc["spec"] = map[string]any{"group": "example.com", "scope": "Cluster", "names": map[string]any{"kind": "Widget"}}
	overlayAdded := obj("", "v1", "ConfigMap", "", "extra")
	overlayTiered := obj("", "v1", "ConfigMap", "", "tiered")
	overlayTiered.Doc["metadata"].(map[string]any)["annotations"] = map[string]any{TierAnnotation: "data"}
	for _, tc := range []struct {
		name string
		in   []object.Object
		want []string
	}{
		{
			name: "cluster-scoped objects move to the cluster tier, whatever rendered them",
			in:   []object.Object{obj("app", "rbac.authorization.k8s.io/v1", "ClusterRole", "", "r"), obj("app", "v1", "Service", "", "s"), crd, obj("app", "example.com/v1", "Widget", "", "w")},
			want: []string{
				"cluster/customresourcedefinition.apiextensions.k8s.io_widgets.example.com.yaml",
				"cluster/clusterrole.rbac.authorization.k8s.io_r.yaml",
				"cluster/widget.example.com_w.yaml",
				"app/service.core_s.yaml",
				"cluster/kustomization.yaml", "app/kustomization.yaml",
			},
		},
		{
			name: "apply order: kind rank, then name; other namespaces in the file name",
			in:   []object.Object{obj("data", "apps/v1", "Deployment", "", "b"), obj("data", "v1", "ServiceAccount", "", "z"), obj("data", "apps/v1", "Deployment", "", "a"), obj("data", "v1", "ConfigMap", "other", "c")},
			want: []string{"data/serviceaccount.core_z.yaml", "data/configmap.core_other_c.yaml", "data/deployment.apps_a.yaml", "data/deployment.apps_b.yaml", "data/kustomization.yaml"},
		},
		{
			name: "objects an overlay adds go to the last tier, or the tier they name",
			in:   []object.Object{overlayAdded, overlayTiered},
			want: []string{"data/configmap.core_tiered.yaml", "app/configmap.core_extra.yaml", "data/kustomization.yaml", "app/kustomization.yaml"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files, err := Arrange(tc.in, opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, paths(files)); d != "" {
				t.Errorf("paths (-want +got):\n%s", d)
			}
			for _, f := range files {
				if f.Object.Doc != nil && f.Object.Namespace() == "" && f.Object.Tier != "cluster" {
					t.Errorf("%s: namespaced object without namespace", f.Path)
				}
			}
		})
	}
}

// Components (issue 12): each tier its namespace, cluster-admin tiers
// wholly in the cluster directory, manual tiers keep their cluster-scoped
// objects, and the cluster directory's file names always carry the
// namespace.
func TestArrangeComponents(t *testing.T) {
	o := Options{
		TierNamespaces: map[string]string{"db": "data", "web": "apps", "admin": "infra", "manual/restore": "data"},
		ClusterTier:    "clusters/c1", ClusterTiers: []string{"admin"}, KeepTiers: []string{"manual/restore"},
		Tiers: []string{"admin", "db", "web", "manual/restore"}, Profile: "p.yaml",
	}
	in := []object.Object{
		obj("db", "apps/v1", "StatefulSet", "", "db"),
		obj("web", "v1", "ConfigMap", "data", "peer"),
		obj("web", "v1", "Service", "", "web"),
		obj("admin", "v1", "ServiceAccount", "", "operator"),
		obj("admin", "rbac.authorization.k8s.io/v1", "ClusterRole", "", "r"),
		obj("manual/restore", "batch/v1", "Job", "", "restore"),
		obj("manual/restore", "scheduling.k8s.io/v1", "PriorityClass", "", "restore"),
	}
	files, err := Arrange(in, o)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"clusters/c1/serviceaccount.core_infra_operator.yaml",
		"clusters/c1/clusterrole.rbac.authorization.k8s.io_r.yaml",
		"db/statefulset.apps_db.yaml",
		"web/configmap.core_data_peer.yaml",
		"web/service.core_web.yaml",
		"manual/restore/priorityclass.scheduling.k8s.io_restore.yaml",
		"manual/restore/job.batch_restore.yaml",
		"db/kustomization.yaml", "web/kustomization.yaml", "manual/restore/kustomization.yaml",
	}
	if d := cmp.Diff(want, paths(files)); d != "" {
		t.Errorf("paths (-want +got):\n%s", d)
	}
	ns := map[string]string{}
	for _, f := range files {
		if f.Object.Doc != nil {
			ns[f.Path] = f.Object.Namespace()
		}
	}
	if d := cmp.Diff(map[string]string{
		"clusters/c1/serviceaccount.core_infra_operator.yaml":         "infra",
		"clusters/c1/clusterrole.rbac.authorization.k8s.io_r.yaml":    "",
		"db/statefulset.apps_db.yaml":                                 "data",
		"web/configmap.core_data_peer.yaml":                           "data",
		"web/service.core_web.yaml":                                   "apps",
		"manual/restore/priorityclass.scheduling.k8s.io_restore.yaml": "",
		"manual/restore/job.batch_restore.yaml":                       "data",
	}, ns); d != "" {
		t.Errorf("namespaces (-want +got):\n%s", d)
	}
	unit := Unit("clusters/c1", files[:2], "a.yaml, b.yaml", "cluster c1, files in apply order")
	if got := string(unit[2].Data); got != "# Generated by tpgen from a.yaml, b.yaml via cluster c1, files in apply order. Do not edit.\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n- serviceaccount.core_infra_operator.yaml\n- clusterrole.rbac.authorization.k8s.io_r.yaml\n" {
		t.Errorf("cluster kustomization.yaml:\n%s", got)
	}
}

func TestArrangeRefuses(t *testing.T) {
	badTier := obj("", "v1", "ConfigMap", "", "x")
	badTier.Doc["metadata"].(map[string]any)["annotations"] = map[string]any{TierAnnotation: "nope"}
	for _, tc := range []struct {
		name string
		in   []object.Object
		want string
	}{
		{"the same object twice", []object.Object{obj("data", "v1", "Service", "", "s"), obj("app", "v1", "Service", "tpe", "s")}, "Service/tpe/s is rendered twice: by test s and by test s"},
		{"an unknown tier", []object.Object{badTier}, `annotation tpgen.dev/tier: no tier "nope"; tiers are cluster, data, app`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Arrange(tc.in, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func TestFilesHaveHeaderAndSortedKeys(t *testing.T) {
	o := obj("data", "v1", "ConfigMap", "", "c")
	o.Doc["data"] = map[string]any{"b": "2", "a": "1"}
	files, err := Arrange([]object.Object{o}, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Generated by tpgen from site.yaml via test c. Do not edit.\napiVersion: v1\ndata:\n  a: \"1\"\n  b: \"2\"\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: tpe\n"
	if d := cmp.Diff(want, string(files[0].Data)); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
