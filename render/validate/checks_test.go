package validate

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

const (
	dep = "Deployment/tpe/app"
	pdb = "PodDisruptionBudget/tpe/app"
	ing = "Ingress/tpe/app"
	wid = "Widget/tpe/w1"
)

func e(object, path, check, msg string) Finding {
	return Finding{Severity: SeverityError, Object: object, Path: path, Check: check, Message: msg}
}

func w(object, path, check, msg string) Finding {
	return Finding{Severity: SeverityWarning, Object: object, Path: path, Check: check, Message: msg}
}

type checkCase struct {
	name   string
	modify func(t *testing.T, f *fixture)
	want   []Finding
}

// checkCases break the clean fixture once per case; each expects exactly
// the findings listed, with their messages.
var checkCases = []checkCase{
	// kube-schema
	{
		name:   "kube-schema: unknown field",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.replcias", 3) },
		want:   []Finding{e(dep, "spec.replcias", "kube-schema", "unknown field")},
	},
	{
		name:   "kube-schema: wrong type",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, "Service/tpe/app"), "spec.ports.0.port", "http") },
		want:   []Finding{e("Service/tpe/app", "spec.ports.port", "kube-schema", "Invalid value: got string, want int32")},
	},
	{
		name:   "kube-schema: missing required field",
		modify: func(t *testing.T, f *fixture) { del(f.obj(t, dep), "spec.template.spec.containers.0.name") },
		want:   []Finding{e(dep, "spec.template.spec.containers[0].name", "kube-schema", "required field is missing")},
	},
	{
		name: "kube-schema: invalid name",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, "ConfigMap/tpe/app-config"), "metadata.name", "App_Config")
		},
		want: []Finding{
			e("ConfigMap/tpe/App_Config", "metadata.name", "kube-schema", `Invalid value: "App_Config": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`),
			e(dep, "spec.template.spec.containers[0].envFrom[0].configMapRef.name", "ref-config-map", `ConfigMap "app-config" is neither rendered by the site nor provided by the cluster`),
		},
	},
	{
		name:   "kube-schema: selector does not select the template",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.selector.matchLabels.app", "api") },
		want:   []Finding{e(dep, "spec.selector", "kube-schema", "Invalid value: does not select spec.template.metadata.labels")},
	},

	// api-removed, api-unavailable, api-deprecated, api-unknown
	{
		name:   "api-removed: policy/v1beta1 PodDisruptionBudget on 1.27",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, pdb), "apiVersion", "policy/v1beta1") },
		want:   []Finding{e(pdb, "apiVersion", "api-removed", "policy/v1beta1 PodDisruptionBudget was removed in Kubernetes 1.25; the site runs 1.27")},
	},
	{
		name: "api-removed: autoscaling/v2beta2 on 1.26 (a kind client-go no longer knows)",
		modify: func(t *testing.T, f *fixture) {
			f.opts.KubeVersion = "1.26"
			f.add(t, "app", "apiVersion: autoscaling/v2beta2\nkind: HorizontalPodAutoscaler\nmetadata: {name: app, namespace: tpe}\nspec: {maxReplicas: 3, scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app}}\n")
		},
		want: []Finding{e("HorizontalPodAutoscaler/tpe/app", "apiVersion", "api-removed", "autoscaling/v2beta2 HorizontalPodAutoscaler was removed in Kubernetes 1.26; the site runs 1.26")},
	},
	{
		name: "api-removed: batch/v1beta1 CronJob on 1.25",
		modify: func(t *testing.T, f *fixture) {
			f.opts.KubeVersion = "1.25"
			f.add(t, "app", "apiVersion: batch/v1beta1\nkind: CronJob\nmetadata: {name: nightly, namespace: tpe}\n")
		},
		want: []Finding{e("CronJob/tpe/nightly", "apiVersion", "api-removed", "batch/v1beta1 CronJob was removed in Kubernetes 1.25; the site runs 1.25")},
	},
	{
		name: "api-deprecated: policy/v1beta1 PodDisruptionBudget on 1.24 is a warning",
		modify: func(t *testing.T, f *fixture) {
			f.opts.KubeVersion = "1.24"
			set(f.obj(t, pdb), "apiVersion", "policy/v1beta1")
		},
		want: []Finding{w(pdb, "apiVersion", "api-deprecated", "policy/v1beta1 PodDisruptionBudget is deprecated since Kubernetes 1.21 and removed in 1.25")},
	},
	{
		name:   "api-unavailable: policy/v1 PodDisruptionBudget on 1.20",
		modify: func(t *testing.T, f *fixture) { f.opts.KubeVersion = "1.20" },
		want:   []Finding{e(pdb, "apiVersion", "api-unavailable", "policy/v1 PodDisruptionBudget is served from Kubernetes 1.21; the site runs 1.20")},
	},
	{
		name:   "api-unknown: a misspelt built-in kind",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, "ConfigMap/tpe/app-config"), "kind", "ConfigMapp") },
		want: []Finding{
			e("ConfigMapp/tpe/app-config", "kind", "api-unknown", "ConfigMapp is not a kind of apiVersion v1"),
			e(dep, "spec.template.spec.containers[0].envFrom[0].configMapRef.name", "ref-config-map", `ConfigMap "app-config" is neither rendered by the site nor provided by the cluster`),
		},
	},
	{
		name: "api-unknown: a custom kind without its CRD",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g, namespace: tpe}\n")
		},
		want: []Finding{e("Gadget/tpe/g", "kind", "api-unknown", "no CustomResourceDefinition of the site defines Gadget.example.com")},
	},

	// crd-definition, crd-schema
	{
		name: "crd-definition: name not plural.group",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, "CustomResourceDefinition/widgets.example.com"), "spec.names.plural", "gadgets")
		},
		want: []Finding{e("CustomResourceDefinition/widgets.example.com", "metadata.name", "crd-definition", `Invalid value: "widgets.example.com": must be spec.names.plural+"."+spec.group`)},
	},
	{
		name: "crd-definition: not a structural schema",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, "CustomResourceDefinition/widgets.example.com"), "spec.versions.0.schema.openAPIV3Schema.properties.spec.properties.size", map[string]any{})
		},
		want: []Finding{e("CustomResourceDefinition/widgets.example.com", "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[size].type", "crd-definition", "Required value: must not be empty for specified object fields")},
	},
	{
		name:   "crd-schema: wrong type",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, wid), "spec.size", "three") },
		want:   []Finding{e(wid, "spec.size", "crd-schema", `Invalid value: "string": spec.size in body must be of type integer: "string"`)},
	},
	{
		name:   "crd-schema: missing required field",
		modify: func(t *testing.T, f *fixture) { del(f.obj(t, wid), "spec.size") },
		want:   []Finding{e(wid, "spec.size", "crd-schema", "required field is missing")},
	},
	{
		name:   "crd-schema: unknown field",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, wid), "spec.colour", "red") },
		want:   []Finding{e(wid, "spec.colour", "crd-schema", "unknown field (not in the CRD schema)")},
	},
	{
		name:   "crd-schema: value outside the enum",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, wid), "spec.color", "green") },
		want:   []Finding{e(wid, "spec.color", "crd-schema", `Unsupported value: "green": supported values: "red", "blue"`)},
	},
	{
		name:   "crd-schema: x-kubernetes-validations rule",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, wid), "spec.size", 20) },
		want:   []Finding{e(wid, "spec", "crd-schema", "Invalid value: size must be at most 10")},
	},
	{
		name:   "crd-schema: version not served",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, wid), "apiVersion", "example.com/v2") },
		want:   []Finding{e(wid, "apiVersion", "crd-schema", `Unsupported value: "example.com/v2": supported values: "example.com/v1"`)},
	},

	// references
	{
		name:   "ref-priority-class (and pod-priority-class)",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.template.spec.priorityClassName", "pc-hgih") },
		want: []Finding{
			e(dep, "spec.template.spec.priorityClassName", "pod-priority-class", `priorityClassName "pc-hgih" is not one of the profile's priority classes`),
			e(dep, "spec.template.spec.priorityClassName", "ref-priority-class", `PriorityClass "pc-hgih" is neither rendered by the site nor provided by the cluster`),
		},
	},
	{
		name: "ref-storage-class: a claim, a conventional field of a custom resource, a field the plan declares",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data, namespace: tpe}\nspec: {storageClassName: sc-slow, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
			set(f.obj(t, wid), "spec.storageClassName", "sc-fats")
			set(f.obj(t, wid), "spec.disk.class", "sc-dsik")
		},
		want: []Finding{
			e("PersistentVolumeClaim/tpe/data", "spec.storageClassName", "ref-storage-class", `StorageClass "sc-slow" is neither rendered by the site nor provided by the cluster`),
			e(wid, "spec.disk.class", "ref-storage-class", `StorageClass "sc-dsik" is neither rendered by the site nor provided by the cluster`),
			e(wid, "spec.storageClassName", "ref-storage-class", `StorageClass "sc-fats" is neither rendered by the site nor provided by the cluster`),
		},
	},
	{
		name: "ref-claim: a standalone claim, a StatefulSet's claims and a missing one",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: scratch, namespace: tpe}
spec: {accessModes: [ReadWriteOnce], storageClassName: sc-fast, resources: {requests: {storage: 1Gi}}}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: tpe}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      priorityClassName: pc-high
      containers: [{name: db, image: "db:1.0", resources: {requests: {cpu: 1m, memory: 1Mi}}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {accessModes: [ReadWriteOnce], storageClassName: sc-fast, resources: {requests: {storage: 1Gi}}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: db, namespace: tpe}
spec: {podSelector: {matchLabels: {app: db}}, policyTypes: [Ingress]}
`)
			set(f.obj(t, dep), "spec.template.spec.volumes", []any{
				map[string]any{"name": "a", "persistentVolumeClaim": map[string]any{"claimName": "scratch"}},
				map[string]any{"name": "b", "persistentVolumeClaim": map[string]any{"claimName": "data-db-1"}},
				map[string]any{"name": "c", "persistentVolumeClaim": map[string]any{"claimName": "data-db-2"}},
				map[string]any{"name": "d", "persistentVolumeClaim": map[string]any{"claimName": "data"}},
			})
		},
		want: []Finding{
			e(dep, "spec.template.spec.volumes[2].persistentVolumeClaim.claimName", "ref-claim", `PersistentVolumeClaim "data-db-2" is neither rendered by the site nor created by one of its StatefulSets`),
			e(dep, "spec.template.spec.volumes[3].persistentVolumeClaim.claimName", "ref-claim", `PersistentVolumeClaim "data" is neither rendered by the site nor created by one of its StatefulSets`),
		},
	},
	{
		name: "ref-claim: a claim of another namespace",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: scratch, namespace: other}
spec: {accessModes: [ReadWriteOnce], storageClassName: sc-fast, resources: {requests: {storage: 1Gi}}}
`)
			set(f.obj(t, dep), "spec.template.spec.volumes", []any{
				map[string]any{"name": "a", "persistentVolumeClaim": map[string]any{"claimName": "scratch"}},
			})
		},
		want: []Finding{
			e(dep, "spec.template.spec.volumes[0].persistentVolumeClaim.claimName", "ref-claim", `PersistentVolumeClaim "scratch" is neither rendered by the site nor created by one of its StatefulSets`),
			e("PersistentVolumeClaim/other/scratch", "metadata.namespace", "site-namespace", `namespace "other" is not declared by the plan (it declares tpe)`),
		},
	},
	{
		name: "ref-claim: a claim the plan declares provided",
		modify: func(t *testing.T, f *fixture) {
			f.opts.Policy.Provided["PersistentVolumeClaim"] = []string{"by-hand"}
			set(f.obj(t, dep), "spec.template.spec.volumes", []any{
				map[string]any{"name": "a", "persistentVolumeClaim": map[string]any{"claimName": "by-hand"}},
				map[string]any{"name": "b", "persistentVolumeClaim": map[string]any{"claimName": "by-hand-2"}},
			})
		},
		want: []Finding{
			e(dep, "spec.template.spec.volumes[1].persistentVolumeClaim.claimName", "ref-claim", `PersistentVolumeClaim "by-hand-2" is neither rendered by the site nor created by one of its StatefulSets`),
		},
	},
	{
		name: "ref-ingress-backend: unknown Service, port number, port name",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, ing), "spec.rules.0.http.paths", []any{
				map[string]any{"path": "/a", "pathType": "Prefix", "backend": map[string]any{"service": map[string]any{"name": "ap", "port": map[string]any{"number": 80}}}},
				map[string]any{"path": "/b", "pathType": "Prefix", "backend": map[string]any{"service": map[string]any{"name": "app", "port": map[string]any{"number": 8080}}}},
				map[string]any{"path": "/c", "pathType": "Prefix", "backend": map[string]any{"service": map[string]any{"name": "app", "port": map[string]any{"name": "https"}}}},
				map[string]any{"path": "/d", "pathType": "Prefix", "backend": map[string]any{"service": map[string]any{"name": "app", "port": map[string]any{"name": "http"}}}},
			})
			set(f.obj(t, ing), "spec.defaultBackend", map[string]any{"service": map[string]any{"name": "edge", "port": map[string]any{"number": 443}}})
		},
		want: []Finding{
			e(ing, "spec.rules[0].http.paths[0].backend.service.name", "ref-ingress-backend", `Service "ap" is not rendered by the site`),
			e(ing, "spec.rules[0].http.paths[1].backend.service.port.number", "ref-ingress-backend", `Service "app" has no port 8080`),
			e(ing, "spec.rules[0].http.paths[2].backend.service.port.name", "ref-ingress-backend", `Service "app" has no port named "https"`),
		},
	},
	{
		name:   "ref-ingress-class",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, ing), "spec.ingressClassName", "traefik") },
		want:   []Finding{e(ing, "spec.ingressClassName", "ref-ingress-class", `IngressClass "traefik" is neither rendered by the site nor provided by the cluster`)},
	},
	{
		name:   "ref-service-account",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.template.spec.serviceAccountName", "ghost") },
		want:   []Finding{e(dep, "spec.template.spec.serviceAccountName", "ref-service-account", `ServiceAccount "ghost" is neither rendered by the site nor provided by the cluster`)},
	},
	{
		name: "ref-secret: an Ingress TLS Secret and an env Secret",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, ing), "spec.tls.0.secretName", "app-tsl")
			delete(f.obj(t, wid)["metadata"].(map[string]any), "annotations") // nothing creates app-db any more
		},
		want: []Finding{
			e(dep, "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name", "ref-secret", `Secret "app-db" is neither rendered by the site nor provided by the cluster`),
			e(ing, "spec.tls[0].secretName", "ref-secret", `Secret "app-tsl" is neither rendered by the site nor provided by the cluster`),
		},
	},
	{
		name: "ref-config-map",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.envFrom.0.configMapRef.name", "app-cfg")
		},
		want: []Finding{e(dep, "spec.template.spec.containers[0].envFrom[0].configMapRef.name", "ref-config-map", `ConfigMap "app-cfg" is neither rendered by the site nor provided by the cluster`)},
	},
	{
		name:   "ref-service-selector",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, "Service/tpe/app"), "spec.selector.app", "api") },
		want:   []Finding{e("Service/tpe/app", "spec.selector", "ref-service-selector", "selector app=api matches the pods of no workload the site renders")},
	},
	{
		name:   "ref-pdb-selector",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, pdb), "spec.selector.matchLabels.app", "api") },
		want:   []Finding{e(pdb, "spec.selector", "ref-pdb-selector", "selector app=api matches the pods of no workload the site renders")},
	},
	{
		name: "provided objects and the pod labels a StatefulSet adds resolve",
		modify: func(t *testing.T, f *fixture) {
			f.opts.Policy.Provided["StorageClass"] = []string{"platform-ssd"}
			f.add(t, "app", `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: tpe}
spec:
  replicas: 2
  serviceName: db
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      priorityClassName: pc-high
      containers: [{name: db, image: "db:1.2", resources: {requests: {cpu: 1, memory: 1Gi}}}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec: {storageClassName: platform-ssd, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
---
apiVersion: v1
kind: Service
metadata: {name: db-1, namespace: tpe}
spec:
  selector: {app: db, statefulset.kubernetes.io/pod-name: db-1}
  ports: [{port: 5432}]
`)
		},
	},

	// policy
	{
		name: "pod-resources",
		modify: func(t *testing.T, f *fixture) {
			del(f.obj(t, dep), "spec.template.spec.containers.0.resources.requests.memory")
		},
		want: []Finding{e(dep, "spec.template.spec.containers[0].resources.requests", "pod-resources", `container "app" requests no memory`)},
	},
	{
		name: "pod-resources: an init container without requests",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.initContainers", []any{map[string]any{"name": "init", "image": "busybox:1.36"}})
		},
		want: []Finding{e(dep, "spec.template.spec.initContainers[0].resources.requests", "pod-resources", `container "init" requests no cpu and no memory`)},
	},
	{
		name:   "pod-priority-class: none",
		modify: func(t *testing.T, f *fixture) { del(f.obj(t, dep), "spec.template.spec.priorityClassName") },
		want:   []Finding{e(dep, "spec.template.spec.priorityClassName", "pod-priority-class", "no priorityClassName: the pods would run at the cluster's default priority")},
	},
	{
		name: "pod-priority-class: a class the cluster has but the profile does not name",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.priorityClassName", "system-cluster-critical")
		},
		want: []Finding{e(dep, "spec.template.spec.priorityClassName", "pod-priority-class", `priorityClassName "system-cluster-critical" is not one of the profile's priority classes`)},
	},
	{
		name: "image-pinned: no tag (a registry port is not a tag)",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.image", "registry.example.net:5000/team/app")
		},
		want: []Finding{e(dep, "spec.template.spec.containers[0].image", "image-pinned", `image "registry.example.net:5000/team/app" has no tag: it pulls latest`)},
	},
	{
		name: "image-pinned: latest",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.image", "team/app:latest")
		},
		want: []Finding{e(dep, "spec.template.spec.containers[0].image", "image-pinned", `image "team/app:latest" uses the tag latest`)},
	},
	{
		name: "image-pinned: a digest pins",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.image", "team/app@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")
		},
	},
	{
		name: "privileged",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.securityContext", map[string]any{"privileged": true})
		},
		want: []Finding{e(dep, "spec.template.spec.containers[0].securityContext.privileged", "privileged", `container "app" runs privileged: it has every capability of the node`)},
	},
	{
		name: "host-path",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.volumes", []any{map[string]any{"name": "logs", "hostPath": map[string]any{"path": "/var/log"}}})
		},
		want: []Finding{e(dep, "spec.template.spec.volumes[0].hostPath", "host-path", `volume "logs" mounts the node's /var/log`)},
	},
	{
		name:   "host-namespaces",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.template.spec.hostNetwork", true) },
		want:   []Finding{e(dep, "spec.template.spec.hostNetwork", "host-namespaces", "hostNetwork is true: the pods share the node's network namespace")},
	},
	{
		name: "secret-data",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: v1\nkind: Secret\nmetadata: {name: app-db, namespace: tpe}\nstringData: {password: hunter2, user: app}\n")
		},
		want: []Finding{e("Secret/tpe/app-db", "stringData", "secret-data", "the Secret carries 2 value(s) (password, user): they would be committed to Git")},
	},
	{
		// The sops secret workflow: a SOPS-encrypted Secret is no secret
		// data, and its sops block is no unknown field (the GitOps engine
		// decrypts it before the API server sees it).
		name: "secret-data: a SOPS-encrypted Secret passes",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: v1\nkind: Secret\nmetadata: {name: app-db, namespace: tpe}\ndata: {password: 'ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]'}\nstringData: {user: 'ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]'}\nsops: {mac: 'ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]', age: [{recipient: age1x, enc: x}], version: 3.9.0}\n")
		},
	},
	{
		name: "secret-data: one value in clear text in a SOPS file",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: v1\nkind: Secret\nmetadata: {name: app-db, namespace: tpe}\ndata: {password: 'ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]'}\nstringData: {user: app}\nsops: {mac: 'ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]', version: 3.9.0}\n")
		},
		want: []Finding{
			e("Secret/tpe/app-db", "", "kube-schema", "Invalid value: illegal base64 data at input byte 3"),
			e("Secret/tpe/app-db", "data", "secret-data", "the Secret carries 1 value(s) (password): they would be committed to Git"),
			e("Secret/tpe/app-db", "stringData", "secret-data", "the Secret carries 1 value(s) (user): they would be committed to Git"),
		},
	},
	{
		name: "credential-in-config: entries, a config file, a private key, a URL, env values",
		modify: func(t *testing.T, f *fixture) {
			cm := f.obj(t, "ConfigMap/tpe/app-config")
			set(cm, "data.smtpPassword", "hunter2")
			data := cm["data"].(map[string]any)
			data["app.properties"] = "log.level=info\ndb.password=hunter2\n"
			data["tls.key"] = "-----BEGIN EC PRIVATE KEY-----\nMHc...\n-----END EC PRIVATE KEY-----\n"
			set(cm, "data.BROKER", "amqp://tpe:s3cret@broker:5672/")
			set(f.obj(t, dep), "spec.template.spec.containers.0.env.1", map[string]any{"name": "API_TOKEN", "value": "abc123"})
		},
		want: []Finding{
			e("ConfigMap/tpe/app-config", "data[BROKER]", "credential-in-config", "holds a URL with credentials in its userinfo (amqp://<userinfo>@)"),
			e("ConfigMap/tpe/app-config", "data[app.properties]", "credential-in-config", "line 2 sets db.password to a literal value"),
			e("ConfigMap/tpe/app-config", "data[smtpPassword]", "credential-in-config", `"smtpPassword" is named like a credential and holds a literal value`),
			e("ConfigMap/tpe/app-config", "data[tls.key]", "credential-in-config", "holds a private key"),
			e(dep, "spec.template.spec.containers[0].env[1].value", "credential-in-config", `"API_TOKEN" is named like a credential and holds a literal value`),
		},
	},
	{
		// Issue 10: every string of every object, with the detector of
		// render/secret (its own tests hold the forms it finds).
		name: "credential-in-config: short env names, annotations, binaryData, custom resources, embedded JSON",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, dep), "spec.template.spec.containers.0.env.1", map[string]any{"name": "DB_PASS", "value": "hunter2"})
			c := f.obj(t, dep)["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
			c["env"] = append(c["env"].([]any), map[string]any{"name": "MYSQL_PW", "value": "hunter2"})
			set(f.obj(t, dep), "metadata.annotations", map[string]any{"example.com/key": "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----\n"})
			cm := f.obj(t, "ConfigMap/tpe/app-config")
			set(cm, "binaryData", map[string]any{"key.pem": "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUUKLS0tLS1FTkQgUFJJVkFURSBLRVktLS0tLQo="})
			cm["data"].(map[string]any)["settings.json"] = `{"db": {"password": "hunter2"}}`
			c["args"] = []any{"--repo=https://ghp_0123456789abcdef@github.com/o/r.git"}
		},
		want: []Finding{
			e("ConfigMap/tpe/app-config", "binaryData[key.pem]", "credential-in-config", "base64 data: holds a private key"),
			e("ConfigMap/tpe/app-config", "data[settings.json]", "credential-in-config", "line 1 sets password to a literal value"),
			e(dep, "metadata.annotations[example.com/key]", "credential-in-config", "holds a private key"),
			e(dep, "spec.template.spec.containers[0].args[0]", "credential-in-config", "holds a URL with credentials in its userinfo (https://<userinfo>@)"),
			e(dep, "spec.template.spec.containers[0].env[1].value", "credential-in-config", `"DB_PASS" is named like a credential and holds a literal value`),
			e(dep, "spec.template.spec.containers[0].env[2].value", "credential-in-config", `"MYSQL_PW" is named like a credential and holds a literal value`),
		},
	},
	{
		name: "load-balancer-ports: one port too many, one missing",
		modify: func(t *testing.T, f *fixture) {
			f.opts.Policy.Exposure = Exposure{Ports: []int{443, 2022}, Because: "bsSecurity DISABLE"}
			set(f.obj(t, "Service/tpe/edge"), "spec.ports", []any{
				map[string]any{"name": "https", "port": 443},
				map[string]any{"name": "debug", "port": 8080},
			})
		},
		want: []Finding{
			e("Service/tpe/edge", "spec.ports", "load-balancer-ports", "no LoadBalancer Service exposes port 2022; the site opens exactly 443, 2022 for bsSecurity DISABLE"),
			e("Service/tpe/edge", "spec.ports[1].port", "load-balancer-ports", "LoadBalancer Service exposes port 8080; the site opens exactly 443, 2022 for bsSecurity DISABLE"),
		},
	},
	{
		name:   "load-balancer-ports: a NodePort Service exposes too",
		modify: func(t *testing.T, f *fixture) { set(f.obj(t, "Service/tpe/app"), "spec.type", "NodePort") },
		want:   []Finding{e("Service/tpe/app", "spec.ports[0].port", "load-balancer-ports", "NodePort Service exposes port 80; the site opens exactly 443 for the test")},
	},
	{
		name:   "cluster-tier",
		modify: func(t *testing.T, f *fixture) { f.item(t, "StorageClass/sc-fast").Object.Tier = "app" },
		want:   []Finding{e("StorageClass/sc-fast", "", "cluster-tier", "the cluster-scoped StorageClass is in tier app, not in the cluster directory cluster")},
	},
	{
		name:   "cluster-tier: a manual component keeps its cluster-scoped objects",
		modify: func(t *testing.T, f *fixture) { f.item(t, "StorageClass/sc-fast").Object.Tier = "manual/restore" },
	},
	{
		name: "site-namespace: every declared namespace",
		modify: func(t *testing.T, f *fixture) {
			f.opts.Namespaces = []string{"data", "tpe"}
			f.add(t, "app", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leader, namespace: data}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: other, namespace: logs}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: data}\n")
			f.item(t, "Namespace/data").Object.Tier = "cluster"
		},
		want: []Finding{
			e("ConfigMap/logs/other", "metadata.namespace", "site-namespace", `namespace "logs" is not declared by the plan (it declares data, tpe)`),
		},
	},
	{
		name: "site-namespace: an object in another namespace, another Namespace",
		modify: func(t *testing.T, f *fixture) {
			f.add(t, "app", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: leader, namespace: kube-system}\n---\napiVersion: v1\nkind: Namespace\nmetadata: {name: monitoring}\n")
			f.item(t, "Namespace/monitoring").Object.Tier = "cluster"
		},
		want: []Finding{
			e("ConfigMap/kube-system/leader", "metadata.namespace", "site-namespace", `namespace "kube-system" is not declared by the plan (it declares tpe)`),
			e("Namespace/monitoring", "metadata.name", "site-namespace", `the site creates namespace "monitoring", which the plan does not declare (it declares tpe)`),
		},
	},
	{
		name:   "network-policy: none rendered",
		modify: func(t *testing.T, f *fixture) { f.remove(t, "NetworkPolicy/tpe/same-namespace") },
		want:   []Finding{e("", "", "network-policy", "networkPolicy is on but the site renders no NetworkPolicy")},
	},
	{
		name: "network-policy: a workload no policy selects",
		modify: func(t *testing.T, f *fixture) {
			set(f.obj(t, "NetworkPolicy/tpe/same-namespace"), "spec.podSelector", map[string]any{"matchLabels": map[string]any{"app": "api"}})
		},
		want: []Finding{e(dep, "spec.template.metadata.labels", "network-policy", "no NetworkPolicy of the namespace selects the pods of this workload: their ingress is not isolated")},
	},
	{
		name: "network-policy: off, nothing required",
		modify: func(t *testing.T, f *fixture) {
			f.opts.Policy.NetworkPolicy = false
			f.remove(t, "NetworkPolicy/tpe/same-namespace")
		},
	},
}

func TestChecks(t *testing.T) {
	for _, tc := range checkCases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.modify(t, f)
			got, err := Run(f.items, f.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Finding{}, "Site", "File", "Source", "Hint")); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
		})
	}
}

// Every check has a case above that makes it fire.
func TestEveryCheckHasAFailingCase(t *testing.T) {
	fired := map[string]bool{"waiver-unused": true} // TestWaivers
	for _, tc := range checkCases {
		for _, f := range tc.want {
			fired[f.Check] = true
		}
	}
	for _, c := range Checks {
		if !fired[c.ID] {
			t.Errorf("no case of TestChecks makes %s fire", c.ID)
		}
	}
}

func TestCleanSite(t *testing.T) {
	f := newFixture(t)
	got, err := Run(f.items, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 0 {
		t.Errorf("the fixture should pass every check, got:\n%v", got)
	}
}

func TestWaivers(t *testing.T) {
	const reason = "the log shipper reads the node's logs (ticket OPS-12)"
	hostPath := func(t *testing.T, f *fixture) {
		set(f.obj(t, dep), "spec.template.spec.volumes", []any{map[string]any{"name": "logs", "hostPath": map[string]any{"path": "/var/log"}}})
	}
	for _, tc := range []struct {
		name    string
		modify  func(t *testing.T, f *fixture)
		waivers []Waiver
		want    []Finding
	}{
		{
			name:    "a waiver for the object waives its finding, which is kept as waived with the reason",
			modify:  hostPath,
			waivers: []Waiver{{ID: "host-path", Reason: reason, Objects: []string{"Deployment/tpe/app"}}},
			want: []Finding{{Severity: SeverityWaived, Object: dep, Path: "spec.template.spec.volumes[0].hostPath", Check: "host-path",
				Message: `volume "logs" mounts the node's /var/log`, Waiver: reason}},
		},
		{
			name:    "patterns match within one part; no objects means every object",
			modify:  hostPath,
			waivers: []Waiver{{ID: "host-path", Reason: reason, Objects: []string{"Deployment/*/a*"}}, {ID: "pod-resources", Reason: reason}},
			want: []Finding{
				{Severity: SeverityWarning, Path: "policy.waivers[1]", Check: "waiver-unused", Message: "the waiver of pod-resources for any object waives nothing"},
				{Severity: SeverityWaived, Object: dep, Path: "spec.template.spec.volumes[0].hostPath", Check: "host-path",
					Message: `volume "logs" mounts the node's /var/log`, Waiver: reason},
			},
		},
		{
			name:    "a waiver for other objects waives nothing and says so",
			modify:  hostPath,
			waivers: []Waiver{{ID: "host-path", Reason: reason, Objects: []string{"DaemonSet/tpe/app"}}},
			want: []Finding{
				e(dep, "spec.template.spec.volumes[0].hostPath", "host-path", `volume "logs" mounts the node's /var/log`),
				{Severity: SeverityWarning, Path: "policy.waivers[0]", Check: "waiver-unused", Message: "the waiver of host-path for DaemonSet/tpe/app waives nothing"},
			},
		},
		{
			// Issue 10: a waiver would put the secret into Git.
			name: "secrets cannot be waived, nor the tier and namespace of objects",
			modify: func(t *testing.T, f *fixture) {
				f.add(t, "app", "apiVersion: v1\nkind: Secret\nmetadata: {name: app-db, namespace: tpe}\nstringData: {password: hunter2}\n")
				set(f.obj(t, "ConfigMap/tpe/app-config"), "data.DB_PASS", "hunter2")
			},
			waivers: []Waiver{{ID: "secret-data", Reason: reason}, {ID: "credential-in-config", Reason: reason}},
			want: []Finding{
				e("ConfigMap/tpe/app-config", "data[DB_PASS]", "credential-in-config", `"DB_PASS" is named like a credential and holds a literal value`),
				e("Secret/tpe/app-db", "stringData", "secret-data", "the Secret carries 1 value(s) (password): they would be committed to Git"),
				{Severity: SeverityWarning, Path: "policy.waivers[0]", Check: "waiver-unused", Message: "the waiver of secret-data for any object waives nothing"},
				{Severity: SeverityWarning, Path: "policy.waivers[1]", Check: "waiver-unused", Message: "the waiver of credential-in-config for any object waives nothing"},
			},
		},
		{
			name:    "what a cluster would refuse cannot be waived",
			modify:  func(t *testing.T, f *fixture) { set(f.obj(t, dep), "spec.replcias", 3) },
			waivers: []Waiver{{ID: "kube-schema", Reason: reason}},
			want: []Finding{
				e(dep, "spec.replcias", "kube-schema", "unknown field"),
				{Severity: SeverityWarning, Path: "policy.waivers[0]", Check: "waiver-unused", Message: "the waiver of kube-schema for any object waives nothing"},
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			tc.modify(t, f)
			f.opts.Policy.Waivers = tc.waivers
			got, err := Run(f.items, f.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got, cmpopts.IgnoreFields(Finding{}, "Site", "File", "Source", "Hint")); d != "" {
				t.Errorf("findings (-want +got):\n%s", d)
			}
			for _, f := range got {
				if f.Check == "waiver-unused" && f.File != "profiles/s1.yaml" {
					t.Errorf("an unused waiver points at %q, want the profile", f.File)
				}
			}
		})
	}
}

// A finding names the site, object, field, file, source and check, and
// says what to do.
func TestFindingString(t *testing.T) {
	f := newFixture(t)
	set(f.obj(t, dep), "spec.template.spec.containers.0.image", "team/app:latest")
	got, err := Run(f.items, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	want := `s1: Deployment/tpe/app: spec.template.spec.containers[0].image: image "team/app:latest" uses the tag latest [image-pinned]
    app/deployment_app.yaml (test)
    hint: pin a version tag (e.g. repo/name:1.2.3) or a digest (repo/name@sha256:...)`
	if len(got) != 1 {
		t.Fatalf("got %d findings, want 1", len(got))
	}
	if d := cmp.Diff(want, got[0].String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	ve := &Error{Findings: append(got, Finding{Severity: SeverityWarning, Site: "s1", Check: "api-deprecated", Message: "x"})}
	if d := cmp.Diff(want, ve.Error()); d != "" {
		t.Errorf("Error() lists the errors only (-want +got):\n%s", d)
	}
}

func TestRunRefusesABadKubernetesVersion(t *testing.T) {
	f := newFixture(t)
	f.opts.KubeVersion = "latest"
	_, err := Run(f.items, f.opts)
	if err == nil || err.Error() != `validating site s1: kubernetes version "latest": want MAJOR.MINOR` {
		t.Errorf("got %v", err)
	}
}

// A finding about the site as a whole points at its profile.
func TestSiteFindingsPointAtTheProfile(t *testing.T) {
	f := newFixture(t)
	f.remove(t, "NetworkPolicy/tpe/same-namespace")
	got, err := Run(f.items, f.opts)
	if err != nil {
		t.Fatal(err)
	}
	want := `s1: networkPolicy is on but the site renders no NetworkPolicy [network-policy]
    profiles/s1.yaml
    hint: render the charts' NetworkPolicies (networkPolicy.ingress.enabled), or set networkPolicy: false`
	if len(got) != 1 {
		t.Fatalf("got %v", got)
	}
	if d := cmp.Diff(want, got[0].String()); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}
