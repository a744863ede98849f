package migrate

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// refusal is why one object is not written, and what to do.
type refusal struct{ msg, hint string }

func refuse(hint, format string, args ...any) *refusal {
	return &refusal{msg: fmt.Sprintf(format, args...), hint: hint}
}

// converter changes doc in place from the group/version from to the one
// already set in doc["apiVersion"], and says what it changed beyond the
// apiVersion.
type converter func(doc map[string]any, from string) ([]string, *refusal)

// converters are the kinds whose schema changed between the removed
// version and its replacement. Every other kind of the lifecycle table
// with a group/version replacement keeps its shape (same fields, same
// defaults) and only changes apiVersion.
var converters = map[string]converter{
	"Deployment":                     workload("Deployment"),
	"DaemonSet":                      workload("DaemonSet"),
	"ReplicaSet":                     workload("ReplicaSet"),
	"StatefulSet":                    workload("StatefulSet"),
	"Ingress":                        ingress,
	"HorizontalPodAutoscaler":        hpa,
	"PodDisruptionBudget":            pdb,
	"RoleBinding":                    rbacSubjects,
	"ClusterRoleBinding":             rbacSubjects,
	"MutatingWebhookConfiguration":   webhooks,
	"ValidatingWebhookConfiguration": webhooks,
	"CustomResourceDefinition":       crdToV1,
	"EndpointSlice":                  endpointSlice,
	"RuntimeClass":                   runtimeClass,
	"PriorityLevelConfiguration":     priorityLevel,
	"CertificateSigningRequest":      csr,
	"SubjectAccessReview":            accessReviewGroups,
	"LocalSubjectAccessReview":       accessReviewGroups,
}

// sameShape are the kinds whose replacement has the same fields and
// defaults as every removed version tpgen knows of them.
var sameShape = map[string]bool{
	"PriorityClass": true, "StorageClass": true, "ClusterRole": true, "Role": true,
	"NetworkPolicy": true, "CronJob": true, "CSIDriver": true, "CSINode": true,
	"VolumeAttachment": true, "Lease": true, "Event": true, "FlowSchema": true,
	"IngressClass": true, "ControllerRevision": true, "CSIStorageCapacity": true,
	"APIService": true, "TokenReview": true, "SelfSubjectAccessReview": true,
	"SelfSubjectRulesReview": true,
}

// Helpers over decoded documents.

func mapOf(v any) map[string]any { m, _ := v.(map[string]any); return m }

func listOf(v any) []any { l, _ := v.([]any); return l }

// child returns m[k] as a map, creating it when absent.
func child(m map[string]any, k string) map[string]any {
	if c, ok := m[k].(map[string]any); ok {
		return c
	}
	c := map[string]any{}
	m[k] = c
	return c
}

func num(n int64) json.Number { return json.Number(fmt.Sprint(n)) }

// setDefault sets m[k] to v when it is absent, and reports whether it did.
func setDefault(m map[string]any, k string, v any) bool {
	if _, ok := m[k]; ok {
		return false
	}
	m[k] = v
	return true
}

const maxInt32 = 1<<31 - 1

// workload converts Deployment, DaemonSet, ReplicaSet and StatefulSet from
// extensions/v1beta1, apps/v1beta1 and apps/v1beta2 to apps/v1.
func workload(kind string) converter {
	return func(doc map[string]any, from string) ([]string, *refusal) {
		spec := mapOf(doc["spec"])
		if spec == nil {
			return nil, refuse("write the object's spec; an object without one was never valid", "no spec")
		}
		var notes []string
		if spec["selector"] == nil {
			labels := mapOf(mapOf(mapOf(spec["template"])["metadata"])["labels"])
			if len(labels) == 0 {
				return nil, refuse("give spec.template.metadata.labels and select them with spec.selector.matchLabels",
					"no spec.selector and no pod template labels to default it from (apps/v1 requires a selector)")
			}
			spec["selector"] = map[string]any{"matchLabels": maps.Clone(labels)}
			how := "as " + from + " defaulted it"
			if from == "apps/v1beta2" {
				how = "apps/v1beta2 already required it"
			}
			notes = append(notes, "spec.selector set to the pod template labels ("+how+"; apps/v1 requires it and never changes it)")
		}
		var defaults []string
		switch kind {
		case "Deployment":
			if _, ok := spec["rollbackTo"]; ok {
				delete(spec, "rollbackTo")
				notes = append(notes, "spec.rollbackTo dropped (apps/v1 has no rollback field; use kubectl rollout undo)")
			}
			var history, surge, unavailable any
			switch from {
			case "extensions/v1beta1":
				history, surge, unavailable = num(maxInt32), num(1), num(1)
				if setDefault(spec, "progressDeadlineSeconds", num(maxInt32)) {
					defaults = append(defaults, "spec.progressDeadlineSeconds 2147483647 (no deadline)")
				}
			case "apps/v1beta1":
				history = num(2)
			}
			if history != nil && setDefault(spec, "revisionHistoryLimit", history) {
				defaults = append(defaults, fmt.Sprintf("spec.revisionHistoryLimit %v", history))
			}
			if surge != nil {
				st := mapOf(spec["strategy"])
				if t, _ := st["type"].(string); t == "" || t == "RollingUpdate" {
					st = child(spec, "strategy")
					setDefault(st, "type", "RollingUpdate")
					ru := child(st, "rollingUpdate")
					if setDefault(ru, "maxSurge", surge) {
						defaults = append(defaults, "spec.strategy.rollingUpdate.maxSurge 1")
					}
					if setDefault(ru, "maxUnavailable", unavailable) {
						defaults = append(defaults, "spec.strategy.rollingUpdate.maxUnavailable 1")
					}
				}
			}
		case "DaemonSet":
			if _, ok := spec["templateGeneration"]; ok {
				delete(spec, "templateGeneration")
				notes = append(notes, "spec.templateGeneration dropped (apps/v1 tracks revisions itself)")
			}
			if from == "extensions/v1beta1" && onDelete(spec) {
				defaults = append(defaults, "spec.updateStrategy.type OnDelete")
			}
		case "StatefulSet":
			if from == "apps/v1beta1" && onDelete(spec) {
				defaults = append(defaults, "spec.updateStrategy.type OnDelete")
			}
		}
		if len(defaults) > 0 {
			notes = append(notes, "written out the "+from+" defaults apps/v1 changed: "+strings.Join(defaults, ", "))
		}
		return notes, nil
	}
}

// onDelete makes the OnDelete update strategy of the old versions explicit
// when none is given.
func onDelete(spec map[string]any) bool {
	us := child(spec, "updateStrategy")
	return setDefault(us, "type", "OnDelete")
}

// ingress converts extensions/v1beta1 and networking.k8s.io/v1beta1 to
// networking.k8s.io/v1.
func ingress(doc map[string]any, _ string) ([]string, *refusal) {
	spec := child(doc, "spec")
	var notes []string
	var bad *refusal
	conv := func(at string, b any) any {
		m := mapOf(b)
		if m == nil || bad != nil {
			return b
		}
		name, hasName := m["serviceName"]
		port, hasPort := m["servicePort"]
		if !hasName && !hasPort {
			return b // a resource backend keeps its shape
		}
		delete(m, "serviceName")
		delete(m, "servicePort")
		svc := map[string]any{"name": name}
		switch p := port.(type) {
		case json.Number:
			svc["port"] = map[string]any{"number": p}
		case string:
			if n, err := strconv.Atoi(p); err == nil && isDigits(p) {
				svc["port"] = map[string]any{"number": num(int64(n))}
				notes = append(notes, fmt.Sprintf("%s.servicePort %q, a string of digits (never a valid port name), written as port number %d", at, p, n))
			} else {
				svc["port"] = map[string]any{"name": p}
			}
		default:
			bad = refuse("give servicePort as a port number or a port name", "%s.servicePort: want a number or a name, got %v", at, port)
		}
		m["service"] = svc
		return m
	}
	if b, ok := spec["backend"]; ok {
		delete(spec, "backend")
		spec["defaultBackend"] = conv("spec.backend", b)
		notes = append(notes, "spec.backend moved to spec.defaultBackend")
	}
	pathType := false
	for i, r := range listOf(spec["rules"]) {
		for j, p := range listOf(mapOf(mapOf(r)["http"])["paths"]) {
			pm := mapOf(p)
			if pm == nil {
				continue
			}
			pm["backend"] = conv(fmt.Sprintf("spec.rules[%d].http.paths[%d].backend", i, j), pm["backend"])
			if setDefault(pm, "pathType", "ImplementationSpecific") {
				pathType = true
			}
		}
	}
	if bad != nil {
		return nil, bad
	}
	notes = append(notes, "backends serviceName/servicePort written as service.name/service.port.number|name")
	if pathType {
		notes = append(notes, "pathType ImplementationSpecific made explicit (the old versions' default)")
	}
	const classAnn = "kubernetes.io/ingress.class"
	ann := mapOf(mapOf(doc["metadata"])["annotations"])
	if class, ok := ann[classAnn].(string); ok {
		cur, has := spec["ingressClassName"].(string)
		switch {
		case has && cur != class:
			return nil, refuse("keep one of the two: networking.k8s.io/v1 refuses both on one Ingress",
				"annotation %s %q and spec.ingressClassName %q disagree", classAnn, class, cur)
		default:
			spec["ingressClassName"] = class
			delete(ann, classAnn)
			if len(ann) == 0 {
				delete(mapOf(doc["metadata"]), "annotations")
			}
			notes = append(notes, fmt.Sprintf("annotation %s moved to spec.ingressClassName %q (an IngressClass of that name must exist)", classAnn, class))
		}
	}
	return notes, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// hpa converts autoscaling/v2beta1 metrics to the autoscaling/v2 shape
// (v2beta2 already has it).
func hpa(doc map[string]any, from string) ([]string, *refusal) {
	if from != "autoscaling/v2beta1" {
		return nil, nil
	}
	spec := mapOf(doc["spec"])
	ms := listOf(spec["metrics"])
	for i, m := range ms {
		mm := mapOf(m)
		t, _ := mm["type"].(string)
		at := fmt.Sprintf("spec.metrics[%d]", i)
		src := mapOf(mm[lowerFirst(t)])
		if src == nil {
			return nil, refuse("give each metric the block its type names", "%s: type %q without its %s block", at, t, lowerFirst(t))
		}
		out := map[string]any{}
		target := map[string]any{}
		switch t {
		case "Resource":
			out["name"] = src["name"]
			if v, ok := src["targetAverageUtilization"]; ok {
				target["type"], target["averageUtilization"] = "Utilization", v
			} else if v, ok := src["targetAverageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", v
			}
		case "Pods":
			out["metric"] = metricID(src["metricName"], src["selector"])
			if v, ok := src["targetAverageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", v
			}
		case "Object":
			out["metric"] = metricID(src["metricName"], src["selector"])
			out["describedObject"] = src["target"]
			if v, ok := src["averageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", v
			} else if v, ok := src["targetValue"]; ok {
				target["type"], target["value"] = "Value", v
			}
		case "External":
			out["metric"] = metricID(src["metricName"], src["metricSelector"])
			if v, ok := src["targetAverageValue"]; ok {
				target["type"], target["averageValue"] = "AverageValue", v
			} else if v, ok := src["targetValue"]; ok {
				target["type"], target["value"] = "Value", v
			}
		default:
			return nil, refuse("use a metric type autoscaling/v2beta1 defines: Resource, Pods, Object or External", "%s: metric type %q", at, t)
		}
		if len(target) == 0 {
			return nil, refuse("give the metric its target (targetAverageUtilization, targetAverageValue or targetValue)", "%s: %s metric without a target", at, t)
		}
		out["target"] = target
		mm[lowerFirst(t)] = out
	}
	if len(ms) == 0 {
		return nil, nil
	}
	return []string{"spec.metrics written in the autoscaling/v2 shape (metric {name, selector}, target {type, value|averageValue|averageUtilization})"}, nil
}

func metricID(name, selector any) map[string]any {
	m := map[string]any{"name": name}
	if selector != nil {
		m["selector"] = selector
	}
	return m
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// matchNone is the selector Kubernetes gives a policy/v1beta1
// PodDisruptionBudget with an empty selector when it is read as policy/v1:
// it selects no pod, as the empty one did in v1beta1 (in v1 an empty
// selector selects every pod of the namespace).
func matchNone() map[string]any {
	return map[string]any{"matchExpressions": []any{map[string]any{
		"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "Exists",
	}}}
}

func pdb(doc map[string]any, _ string) ([]string, *refusal) {
	spec := mapOf(doc["spec"])
	sel, ok := spec["selector"]
	if !ok || sel == nil {
		return nil, nil
	}
	m := mapOf(sel)
	if len(mapOf(m["matchLabels"])) == 0 && len(listOf(m["matchExpressions"])) == 0 {
		spec["selector"] = matchNone()
		return []string{"the empty spec.selector selected no pod in policy/v1beta1 but selects every pod in policy/v1: written as a selector that matches none, as Kubernetes does; give it a real selector or delete the budget"}, nil
	}
	return nil, nil
}

// rbacSubjects turns the v1alpha1 subjects' apiVersion into apiGroup.
func rbacSubjects(doc map[string]any, _ string) ([]string, *refusal) {
	changed := false
	for _, s := range listOf(doc["subjects"]) {
		sm := mapOf(s)
		if _, ok := sm["apiVersion"]; !ok {
			continue
		}
		delete(sm, "apiVersion")
		changed = true
		if k, _ := sm["kind"].(string); k == "User" || k == "Group" {
			sm["apiGroup"] = "rbac.authorization.k8s.io"
		}
	}
	if changed {
		return []string{"subjects[].apiVersion written as apiGroup"}, nil
	}
	return nil, nil
}

// webhooks makes the admissionregistration.k8s.io/v1beta1 defaults that v1
// changed explicit.
func webhooks(doc map[string]any, _ string) ([]string, *refusal) {
	var set []string
	add := func(s string) {
		if !slices.Contains(set, s) {
			set = append(set, s)
		}
	}
	for i, w := range listOf(doc["webhooks"]) {
		wm := mapOf(w)
		if wm == nil {
			continue
		}
		switch se, _ := wm["sideEffects"].(string); se {
		case "":
			wm["sideEffects"] = "None"
			add("sideEffects None (v1beta1 assumed Unknown, which v1 refuses: check the webhook has no side effects, or make it skip dry-run requests and say NoneOnDryRun)")
		case "Unknown", "Some":
			name, _ := wm["name"].(string)
			return nil, refuse("make the webhook skip dry-run requests (or have no side effects) and set sideEffects NoneOnDryRun (or None)",
				"webhooks[%d] %s: sideEffects %s: admissionregistration.k8s.io/v1 accepts only None and NoneOnDryRun", i, name, se)
		}
		if setDefault(wm, "admissionReviewVersions", []any{"v1beta1"}) {
			add("admissionReviewVersions [v1beta1]")
		}
		if setDefault(wm, "failurePolicy", "Ignore") {
			add("failurePolicy Ignore")
		}
		if setDefault(wm, "matchPolicy", "Exact") {
			add("matchPolicy Exact")
		}
		if setDefault(wm, "timeoutSeconds", num(30)) {
			add("timeoutSeconds 30")
		}
	}
	if len(set) == 0 {
		return nil, nil
	}
	return []string{"written out the v1beta1 defaults v1 changed: " + strings.Join(set, ", ")}, nil
}

// endpointSlice moves discovery.k8s.io/v1beta1 topology to v1's nodeName,
// zone and deprecatedTopology.
func endpointSlice(doc map[string]any, _ string) ([]string, *refusal) {
	changed := false
	for _, e := range listOf(doc["endpoints"]) {
		em := mapOf(e)
		topo := mapOf(em["topology"])
		if _, ok := em["topology"]; !ok {
			continue
		}
		delete(em, "topology")
		changed = true
		rest := map[string]any{}
		for k, v := range topo {
			switch {
			case k == "kubernetes.io/hostname" && em["nodeName"] == nil:
				em["nodeName"] = v
			case k == "topology.kubernetes.io/zone" && em["zone"] == nil:
				em["zone"] = v
			default:
				rest[k] = v
			}
		}
		if len(rest) > 0 {
			em["deprecatedTopology"] = rest
		}
	}
	if changed {
		return []string{"endpoints[].topology written as nodeName, zone and deprecatedTopology"}, nil
	}
	return nil, nil
}

// runtimeClass lifts node.k8s.io/v1alpha1's spec up to the object (v1beta1
// already has v1's shape).
func runtimeClass(doc map[string]any, from string) ([]string, *refusal) {
	if from != "node.k8s.io/v1alpha1" {
		return nil, nil
	}
	spec, ok := doc["spec"].(map[string]any)
	if !ok {
		return nil, nil
	}
	delete(doc, "spec")
	for k, v := range spec {
		switch k {
		case "runtimeHandler":
			doc["handler"] = v
		case "overhead", "scheduling":
			doc[k] = v
		default:
			return nil, refuse("remove the field: node.k8s.io/v1alpha1 never had it", "spec.%s: unknown field", k)
		}
	}
	return []string{"spec.runtimeHandler, spec.overhead and spec.scheduling written as handler, overhead and scheduling"}, nil
}

// priorityLevel renames v1beta1/v1beta2's assuredConcurrencyShares.
func priorityLevel(doc map[string]any, from string) ([]string, *refusal) {
	lim := mapOf(mapOf(doc["spec"])["limited"])
	v, ok := lim["assuredConcurrencyShares"]
	if !ok {
		return nil, nil
	}
	delete(lim, "assuredConcurrencyShares")
	lim["nominalConcurrencyShares"] = v
	return []string{"spec.limited.assuredConcurrencyShares written as nominalConcurrencyShares"}, nil
}

// csr makes certificates.k8s.io/v1beta1's defaults explicit; a request
// without a signer cannot be made in v1.
func csr(doc map[string]any, _ string) ([]string, *refusal) {
	spec := child(doc, "spec")
	if s, _ := spec["signerName"].(string); s == "" || s == "kubernetes.io/legacy-unknown" {
		return nil, refuse("set spec.signerName (kubernetes.io/kube-apiserver-client, kubernetes.io/kubelet-serving, or your signer's)",
			"no spec.signerName certificates.k8s.io/v1 accepts (v1beta1 defaulted it, to kubernetes.io/legacy-unknown when it could not tell)")
	}
	if setDefault(spec, "usages", []any{"digital signature", "key encipherment"}) {
		return []string{"written out the v1beta1 default spec.usages [digital signature, key encipherment]"}, nil
	}
	return nil, nil
}

// accessReviewGroups renames authorization.k8s.io/v1beta1's spec.group.
func accessReviewGroups(doc map[string]any, _ string) ([]string, *refusal) {
	spec := mapOf(doc["spec"])
	v, ok := spec["group"]
	if !ok {
		return nil, nil
	}
	delete(spec, "group")
	spec["groups"] = v
	return []string{"spec.group written as spec.groups"}, nil
}
