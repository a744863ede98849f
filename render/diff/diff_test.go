package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"
)

// obj builds an object from YAML.
func obj(t *testing.T, site, tier, src string) Object {
	t.Helper()
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal([]byte(src), &doc))
	o := Object{Site: site, Tier: tier, Doc: doc}
	o.File = site + "/" + tier + "/" + strings.ToLower(o.str("kind")) + "_" + o.str("metadata", "name") + ".yaml"
	return o
}

const lrc = `apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: lrc
  namespace: tpe
  labels: {helm.sh/chart: thingpark-enterprise-1.4.1, app.kubernetes.io/version: 7.3.1}
spec:
  replicas: 2
  template:
    metadata:
      labels: {helm.sh/chart: thingpark-enterprise-1.4.1}
    spec:
      containers:
      - name: lrc
        image: repository.thingpark.com/lrc:7.3.1
        env:
        - {name: MODE, value: MIXED}
        - {name: INSTALLATION_ID, valueFrom: {secretKeyRef: {name: tpe-installation, key: id}}}
        resources: {limits: {memory: 700Mi}}
      - name: sidecar
        image: busybox:1.36
`

func fieldsOf(r *Report) map[string]string {
	out := map[string]string{}
	for _, c := range r.Changes {
		for _, f := range c.Fields {
			out[c.Key.ID()+" "+f.Path] = fmt.Sprintf("%s %s -> %s %v", f.Op, f.Old, f.New, f.Attention)
		}
	}
	return out
}

func TestCompareFields(t *testing.T) {
	old := obj(t, "lyon", "enterprise", lrc)
	tests := []struct {
		name string
		edit func(string) string
		want map[string]string
	}{
		{
			name: "identical",
			edit: func(s string) string { return s },
			want: map[string]string{},
		},
		{
			name: "reordered containers and env are not a change",
			edit: func(s string) string {
				s = strings.Replace(s, "      - name: sidecar\n        image: busybox:1.36\n", "", 1)
				s = strings.Replace(s, "      containers:\n", "      containers:\n      - name: sidecar\n        image: busybox:1.36\n", 1)
				return strings.Replace(s, "        - {name: MODE, value: MIXED}\n        - {name: INSTALLATION_ID, valueFrom: {secretKeyRef: {name: tpe-installation, key: id}}}\n",
					"        - {name: INSTALLATION_ID, valueFrom: {secretKeyRef: {name: tpe-installation, key: id}}}\n        - {name: MODE, value: MIXED}\n", 1)
			},
			want: map[string]string{},
		},
		{
			name: "image, replicas, resources, env by name",
			edit: func(s string) string {
				s = strings.Replace(s, "lrc:7.3.1", "lrc:7.3.3", 1)
				s = strings.Replace(s, "replicas: 2", "replicas: 3", 1)
				s = strings.Replace(s, "memory: 700Mi", "memory: 980Mi", 1)
				return strings.Replace(s, "value: MIXED", "value: DISABLE", 1)
			},
			want: map[string]string{
				"StatefulSet/tpe/lrc spec.replicas":                                                   "changed 2 -> 3 [replicas]",
				"StatefulSet/tpe/lrc spec.template.spec.containers[name=lrc].image":                   `changed "repository.thingpark.com/lrc:7.3.1" -> "repository.thingpark.com/lrc:7.3.3" [image]`,
				"StatefulSet/tpe/lrc spec.template.spec.containers[name=lrc].resources.limits.memory": `changed "700Mi" -> "980Mi" [resources]`,
				"StatefulSet/tpe/lrc spec.template.spec.containers[name=lrc].env[name=MODE].value":    `changed "MIXED" -> "DISABLE" []`,
			},
		},
		{
			name: "added and removed list items and keys",
			edit: func(s string) string {
				s = strings.Replace(s, "      - name: sidecar\n        image: busybox:1.36\n", "      - name: logger\n        image: fluent-bit:3\n", 1)
				return strings.Replace(s, "  replicas: 2\n", "  replicas: 2\n  serviceName: lrc-cluster\n", 1)
			},
			want: map[string]string{
				"StatefulSet/tpe/lrc spec.serviceName":                            `added  -> "lrc-cluster" []`,
				"StatefulSet/tpe/lrc spec.template.spec.containers[name=logger]":  `added  -> {"image":"fluent-bit:3","name":"logger"} [image]`,
				"StatefulSet/tpe/lrc spec.template.spec.containers[name=sidecar]": `removed {"image":"busybox:1.36","name":"sidecar"} ->  [image]`,
			},
		},
		{
			name: "chart and version labels are noise",
			edit: func(s string) string {
				return strings.ReplaceAll(strings.ReplaceAll(s, "thingpark-enterprise-1.4.1", "thingpark-enterprise-1.6.0"), "version: 7.3.1", "version: 7.3.3")
			},
			want: map[string]string{},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			now := obj(t, "lyon", "enterprise", tc.edit(lrc))
			r := Compare([]Object{old}, []Object{now}, Options{})
			if d := cmp.Diff(tc.want, fieldsOf(r)); d != "" {
				t.Errorf("fields (-want +got)\n%s", d)
			}
		})
	}
}

func TestNoiseIsSummarised(t *testing.T) {
	old := obj(t, "lyon", "enterprise", lrc)
	bumped := strings.ReplaceAll(lrc, "thingpark-enterprise-1.4.1", "thingpark-enterprise-1.6.0")
	svc := func(chart string) string {
		return "apiVersion: v1\nkind: Service\nmetadata: {name: lrc, namespace: tpe, labels: {helm.sh/chart: " + chart + "}}\nspec: {ports: [{name: http, port: 80}]}\n"
	}
	r := Compare(
		[]Object{old, obj(t, "lyon", "enterprise", svc("thingpark-enterprise-1.4.1"))},
		[]Object{obj(t, "lyon", "enterprise", bumped), obj(t, "lyon", "enterprise", svc("thingpark-enterprise-1.6.0"))},
		Options{})
	require.Empty(t, r.Changes, "a label bump alone is not a change")
	require.True(t, r.Differs())
	require.Equal(t, []Noise{{Site: "lyon", Label: "helm.sh/chart", Old: "thingpark-enterprise-1.4.1", New: "thingpark-enterprise-1.6.0", Objects: 2}}, r.Noise,
		"one line per label change, objects counted once each")
	require.Equal(t, "unchanged", r.Sites[0].Status)
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, FormatText, 0))
	require.Contains(t, b.String(), `label helm.sh/chart "thingpark-enterprise-1.4.1" -> "thingpark-enterprise-1.6.0" on 2 object(s) (summarised)`)
}

func TestAttention(t *testing.T) {
	tests := []struct {
		name     string
		old, now string // "" means absent
		want     []string
	}{
		{name: "ClusterRole changed", old: "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: op}\nrules: [{apiGroups: [''], resources: [pods], verbs: [get]}]\n",
			now:  "apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: op}\nrules: [{apiGroups: [''], resources: [pods, secrets], verbs: [get]}]\n",
			want: []string{"RBAC", "cluster-scoped"}},
		{name: "Role added", now: "apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: op, namespace: tpe}\n", want: []string{"RBAC"}},
		{name: "CRD removed", old: "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: kafkas.kafka.strimzi.io}\n", want: []string{"CRD", "cluster-scoped"}},
		{name: "StorageClass", old: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: x}\nprovisioner: a\n", now: "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: x}\nprovisioner: b\n", want: []string{"StorageClass", "cluster-scoped", "replace"}},
		{name: "PriorityClass", old: "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: x}\nvalue: 1\n", now: "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: x}\nvalue: 2\n", want: []string{"PriorityClass", "cluster-scoped", "replace"}},
		{name: "StatefulSet claim size", old: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: tpe}\nspec: {volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 5Gi}}}}]}\n",
			now: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: tpe}\nspec: {volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: 10Gi}}}}]}\n", want: []string{"replace", "resources"}},
		{name: "StatefulSet replicas", old: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: tpe}\nspec: {replicas: 1}\n",
			now: "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: tpe}\nspec: {replicas: 3}\n", want: []string{"replicas"}},
		{name: "immutable ConfigMap data", old: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: tpe}\nimmutable: true\ndata: {a: b}\n",
			now: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: tpe}\nimmutable: true\ndata: {a: c}\n", want: []string{"replace"}},
		{name: "Service port opened", old: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe}\nspec: {type: LoadBalancer, ports: [{name: https, port: 443}]}\n",
			now:  "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe}\nspec: {type: LoadBalancer, ports: [{name: https, port: 443}, {name: tcp-2404, port: 2404}]}\n",
			want: []string{"ports"}},
		{name: "load balancer annotation", old: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe}\nspec: {type: LoadBalancer}\n",
			now:  "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe, annotations: {service.beta.kubernetes.io/aws-load-balancer-internal: 'true'}}\nspec: {type: LoadBalancer}\n",
			want: []string{"ports"}},
		{name: "LoadBalancer Service added", now: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe}\nspec: {type: LoadBalancer}\n", want: []string{"ports"}},
		{name: "ClusterIP Service added", now: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe}\nspec: {type: ClusterIP}\n", want: []string{}},
		{name: "Service label changed", old: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe, labels: {a: b}}\nspec: {type: LoadBalancer}\n",
			now: "apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: tpe, labels: {a: c}}\nspec: {type: LoadBalancer}\n", want: []string{}},
		{name: "NetworkPolicy", now: "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: tpe}\n", want: []string{"NetworkPolicy"}},
		{name: "PVC size", old: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: x, namespace: tpe}\nspec: {resources: {requests: {storage: 5Gi}}}\n",
			now: "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: x, namespace: tpe}\nspec: {resources: {requests: {storage: 10Gi}}}\n", want: []string{"resources"}},
		{name: "Strimzi replicas", old: "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: k, namespace: tpe}\nspec: {kafka: {replicas: 2}}\n",
			now: "apiVersion: kafka.strimzi.io/v1beta2\nkind: Kafka\nmetadata: {name: k, namespace: tpe}\nspec: {kafka: {replicas: 3}}\n", want: []string{"replicas"}},
		{name: "ConfigMap data", old: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: tpe}\ndata: {a: b}\n",
			now: "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: tpe}\ndata: {a: c}\n", want: []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var old, now []Object
			if tc.old != "" {
				old = append(old, obj(t, "s", "t", tc.old))
			}
			if tc.now != "" {
				now = append(now, obj(t, "s", "t", tc.now))
			}
			r := Compare(old, now, Options{})
			require.Len(t, r.Changes, 1)
			require.Equal(t, tc.want, r.Changes[0].Attention)
		})
	}
}

func TestSitesAndTiers(t *testing.T) {
	cm := func(name string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: " + name + ", namespace: tpe}\ndata: {a: b}\n"
	}
	old := []Object{obj(t, "gone", "data", cm("x")), obj(t, "kept", "data", cm("x")), obj(t, "kept", "enterprise", cm("y")), obj(t, "kept", "enterprise", cm("moved"))}
	now := []Object{obj(t, "new", "cluster", cm("x")), obj(t, "kept", "data", cm("x")), obj(t, "kept", "enterprise", cm("z")), obj(t, "kept", "data", cm("moved"))}
	r := Compare(old, now, Options{Tiers: []string{"cluster", "data", "enterprise"}})
	var got []string
	for _, s := range r.Sites {
		got = append(got, s.Site+" "+s.Status)
		for _, tr := range s.Tiers {
			got = append(got, fmt.Sprintf("  %s +%d -%d ~%d", tr.Tier, tr.Added, tr.Removed, tr.Changed))
		}
	}
	want := []string{"gone removed", "  data +0 -1 ~0", "kept changed", "  data +0 -0 ~1", "  enterprise +1 -1 ~0", "new added", "  cluster +1 -0 ~0"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	for _, c := range r.Changes {
		if c.Key.Name == "moved" {
			require.Equal(t, "enterprise", c.OldTier)
			require.Equal(t, "data", c.Tier)
		}
	}
	require.Equal(t, Totals{Sites: 3, Added: 2, Removed: 2, Changed: 1}, r.Totals())
}

func TestLineDiff(t *testing.T) {
	got := lineDiff("a\nb\nc\nd\n", "a\nc\nd\ne\n")
	require.Equal(t, []string{"-b", "+e"}, got)
	got = lineDiff("x\n", "y\n")
	require.Equal(t, []string{"-x", "+y"}, got)
}

func TestMultiLineStrings(t *testing.T) {
	cm := func(conf string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: tpe}\ndata:\n  nginx.conf: |\n" + conf
	}
	r := Compare([]Object{obj(t, "s", "t", cm("    worker 1;\n    listen 80;\n"))}, []Object{obj(t, "s", "t", cm("    worker 2;\n    listen 80;\n"))}, Options{})
	require.Len(t, r.Changes, 1)
	f := r.Changes[0].Fields[0]
	require.Equal(t, `data["nginx.conf"]`, f.Path)
	require.Equal(t, "(2 lines)", f.Old)
	require.Equal(t, []string{"-worker 1;", "+worker 2;"}, f.Text)
}

func TestJSONShape(t *testing.T) {
	r := Compare(nil, nil, Options{Old: "a", New: "b"})
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, FormatJSON, 0))
	var got map[string]any
	require.NoError(t, json.Unmarshal(b.Bytes(), &got))
	require.Equal(t, false, got["differences"])
	require.Equal(t, []any{}, got["changes"])
	require.Equal(t, []any{}, got["sites"])
	require.Error(t, r.Write(&b, "yaml", 0))
}

func TestMarkdownIsCappedWithANote(t *testing.T) {
	var old, now []Object
	for i := range 300 {
		src := fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d%03d, namespace: tpe}\nspec: {replicas: 1, template: {spec: {containers: [{name: c, image: 'img:%s'}]}}}\n", i, "1")
		old = append(old, obj(t, "s", "enterprise", src))
		now = append(now, obj(t, "s", "enterprise", strings.Replace(strings.Replace(src, "img:1", "img:2", 1), "replicas: 1", "replicas: 2", 1)))
	}
	r := Compare(old, now, Options{})
	var b bytes.Buffer
	require.NoError(t, r.Write(&b, FormatMarkdown, 8000))
	out := b.String()
	require.LessOrEqual(t, len(out), 8000)
	require.Contains(t, out, "| s | changed | enterprise | 0 | 0 | 300 | ⚠️ image, replicas |", "the summary is complete")
	require.Contains(t, out, "and 250 more", "the attention list is capped")
	require.Regexp(t, `\*\*Cut to fit 8000 bytes:\*\* the details of \d+ object\(s\) were left out`, out)
	require.Contains(t, out, "<details><summary>s: 300 changed, 0 added, 0 removed</summary>")
	require.Equal(t, 1, strings.Count(out, "</details>"))

	b.Reset()
	require.NoError(t, r.Write(&b, FormatMarkdown, 0))
	require.Less(t, len(b.String()), DefaultMarkdownLimit+1)
}

func TestFenceOutgrowsBackticks(t *testing.T) {
	require.Equal(t, "```", fenceFor([]string{"a", "b`c"}))
	require.Equal(t, "`````", fenceFor([]string{"x ```` y"}))
}

func TestUnnamedListItemsMatchByValue(t *testing.T) {
	np := func(ports ...int) string {
		var items []string
		for _, p := range ports {
			items = append(items, fmt.Sprintf("{port: %d, protocol: TCP}", p))
		}
		return "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x, namespace: tpe}\nspec: {ingress: [{ports: [" + strings.Join(items, ", ") + "]}]}\n"
	}
	r := Compare([]Object{obj(t, "s", "t", np(443, 2022, 2404, 3001, 3102))}, []Object{obj(t, "s", "t", np(443, 2022, 3001))}, Options{})
	want := map[string]string{
		"NetworkPolicy/tpe/x spec.ingress[0].ports[2]": `removed {"port":2404,"protocol":"TCP"} ->  []`,
		"NetworkPolicy/tpe/x spec.ingress[0].ports[4]": `removed {"port":3102,"protocol":"TCP"} ->  []`,
	}
	if d := cmp.Diff(want, fieldsOf(r)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
	// As many items went as came: paired in order, field by field.
	r = Compare([]Object{obj(t, "s", "t", np(443, 2404))}, []Object{obj(t, "s", "t", np(443, 3001))}, Options{})
	want = map[string]string{"NetworkPolicy/tpe/x spec.ingress[0].ports[1].port": `changed 2404 -> 3001 []`}
	if d := cmp.Diff(want, fieldsOf(r)); d != "" {
		t.Errorf("(-want +got)\n%s", d)
	}
}

func TestReplaceAndPortMap(t *testing.T) {
	ctrl := "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: ingress, namespace: tpe}\nspec: {template: {spec: {containers: [{name: c, args: [--tcp-services-configmap=$(POD_NAMESPACE)/tcp]}]}}}\n"
	tcp := func(data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: tcp, namespace: tpe}\ndata: {" + data + "}\n"
	}
	other := func(data string) string {
		return "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: tpe}\ndata: {" + data + "}\n"
	}
	old := []Object{obj(t, "s", "t", ctrl), obj(t, "s", "t", tcp(`"2404": "tpe/lrc:2404"`)), obj(t, "s", "t", other(`"2404": "x"`))}
	now := []Object{obj(t, "s", "t", ctrl), obj(t, "s", "t", tcp(`"2404": "tpe/lrc:2404", "3101": "tpe/lrc:22"`)), obj(t, "s", "t", other(`"2404": "x", "3101": "y"`))}
	r := Compare(old, now, Options{})
	require.Len(t, r.Changes, 2)
	got := map[string][]string{}
	for _, c := range r.Changes {
		got[c.Key.ID()] = c.Attention
	}
	require.Equal(t, map[string][]string{"ConfigMap/tpe/tcp": {"ports"}, "ConfigMap/tpe/other": {}}, got)

	// An entry removed closes a port: not flagged.
	r = Compare(now, old, Options{})
	for _, c := range r.Changes {
		require.Empty(t, c.Attention, c.Key.ID())
	}

	// A replacement carries its consequence, printed under the object.
	sts := func(size string) string {
		return "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: db, namespace: tpe}\nspec: {volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: " + size + "}}}}]}\n"
	}
	r = Compare([]Object{obj(t, "s", "t", sts("5Gi"))}, []Object{obj(t, "s", "t", sts("10Gi"))}, Options{})
	require.Len(t, r.Changes, 1)
	require.Equal(t, []Replacement{{Path: "spec.volumeClaimTemplates[name=data].spec.resources.requests.storage",
		Consequence: "the StatefulSet is deleted and created again: its pods restart, its claims are kept at their old size unless expanded"}}, r.Changes[0].Replace)
	var b strings.Builder
	require.NoError(t, r.Write(&b, "text", 0))
	require.Contains(t, b.String(), "  ~ StatefulSet/tpe/db (t) [replace, resources]\n    needs replacement: spec.volumeClaimTemplates[name=data].spec.resources.requests.storage: the StatefulSet is deleted")
}
