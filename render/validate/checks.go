package validate

// Check describes one check of the stage. IDs are stable: profiles name
// them in waivers, and the README lists them.
type Check struct {
	ID string
	// What it proves, one line.
	What string
	// Severity of its findings.
	Severity Severity
	// Waivable checks are policy: a profile may waive them (policy.waivers).
	// The others are what a cluster would refuse or fail on; a missing
	// reference is declared provided instead (profile provided.*).
	Waivable bool
}

// Checks lists every check, in the order they run.
var Checks = []Check{
	{ID: "kube-schema", Severity: SeverityError,
		What: "a built-in object decodes strictly into its Kubernetes API type (no unknown or duplicate field, no wrong type), has every field the Kubernetes OpenAPI document requires, valid metadata, and a workload selector that selects its own pods"},
	{ID: "api-removed", Severity: SeverityError,
		What: "the apiVersion is still served by the site's kubernetesVersion (e.g. batch/v1beta1 CronJob and policy/v1beta1 PodDisruptionBudget are removed in 1.25, autoscaling/v2beta2 in 1.26)"},
	{ID: "api-unavailable", Severity: SeverityError,
		What: "the apiVersion is already served by the site's kubernetesVersion (e.g. batch/v1 CronJob from 1.21)"},
	{ID: "api-deprecated", Severity: SeverityWarning,
		What: "the apiVersion is not deprecated in the site's kubernetesVersion; the warning names the replacement"},
	{ID: "api-unknown", Severity: SeverityError,
		What: "the kind is a built-in kind, or a custom kind whose CustomResourceDefinition the site renders"},
	{ID: "crd-definition", Severity: SeverityError,
		What: "a CustomResourceDefinition passes kube-apiserver's create validation (structural schema, pruned defaults, CEL rules, names)"},
	{ID: "crd-schema", Severity: SeverityError,
		What: "a custom resource passes kube-apiserver's validation against the structural schema of the site's CRD: no unknown field, types, required fields, formats, enums, list types, x-kubernetes-validations rules"},

	{ID: "ref-priority-class", Severity: SeverityError,
		What: "every priorityClassName names a PriorityClass the site renders or the profile declares provided"},
	{ID: "ref-storage-class", Severity: SeverityError,
		What: "every storageClassName (and a custom resource's declared storage class field) names a StorageClass the site renders or the profile declares provided"},
	{ID: "ref-ingress-class", Severity: SeverityError,
		What: "every ingressClassName names an IngressClass the site renders or the profile declares provided"},
	{ID: "ref-service-account", Severity: SeverityError,
		What: "every serviceAccountName names a ServiceAccount of the namespace (rendered, provided, or default)"},
	{ID: "ref-secret", Severity: SeverityError,
		What: "every Secret a pod, an Ingress or a custom resource references is provided (the profile's secretRefs and provided.secrets) or made at run time by a rendered object (annotation tpgen.dev/creates-secrets)"},
	{ID: "ref-config-map", Severity: SeverityError,
		What: "every ConfigMap a pod references is rendered or provided"},
	{ID: "ref-claim", Severity: SeverityError,
		What: "every claimName of a Pod template names a PersistentVolumeClaim the site renders or one its StatefulSets create (<template>-<statefulset>-<ordinal>, ordinal below replicas)"},
	{ID: "ref-ingress-backend", Severity: SeverityError,
		What: "every Ingress backend names a Service the site renders in its namespace and one of its ports (by name or number)"},
	{ID: "ref-service-selector", Severity: SeverityError,
		What: "every Service selector selects the pods of a workload the site renders"},
	{ID: "ref-pdb-selector", Severity: SeverityError,
		What: "every PodDisruptionBudget selector selects the pods of a workload the site renders"},

	{ID: "pod-resources", Severity: SeverityError, Waivable: true,
		What: "every container of every Pod template requests cpu and memory"},
	{ID: "pod-priority-class", Severity: SeverityError, Waivable: true,
		What: "every Pod template has a priorityClassName among the profile's three"},
	{ID: "image-pinned", Severity: SeverityError, Waivable: true,
		What: "every image has a tag other than latest, or a digest"},
	{ID: "privileged", Severity: SeverityError, Waivable: true,
		What: "no container runs privileged"},
	{ID: "host-path", Severity: SeverityError, Waivable: true,
		What: "no Pod template mounts a hostPath volume"},
	{ID: "host-namespaces", Severity: SeverityError, Waivable: true,
		What: "no Pod template uses hostNetwork, hostPID or hostIPC"},
	{ID: "secret-data", Severity: SeverityError,
		What: "no Secret carries data or stringData: secrets are never committed to Git"},
	{ID: "credential-in-config", Severity: SeverityError,
		What: "no string of any object holds a credential (render/secret): a credential-named key or env entry with a literal value, a private key, a URL with userinfo, an authorization header, a JSON Web Token, or one of these inside an embedded JSON, YAML, properties, INI, env, XML or base64 document"},
	{ID: "load-balancer-ports", Severity: SeverityError, Waivable: true,
		What: "LoadBalancer and NodePort Services expose exactly the ports the plan computes from bsSecurity (FACTS §3), basicsStation and tls.issuer, and nothing else"},
	{ID: "cluster-tier", Severity: SeverityError,
		What: "every cluster-scoped object is in the cluster directory (or a manual component)"},
	{ID: "site-namespace", Severity: SeverityError,
		What: "every namespaced object is in a namespace the plan declares, and every Namespace is one"},
	{ID: "network-policy", Severity: SeverityError, Waivable: true,
		What: "with networkPolicy: true, NetworkPolicies exist and select the pods of every workload"},

	{ID: "waiver-unused", Severity: SeverityWarning,
		What: "every waiver of the profile waives at least one finding"},
}

func lookupCheck(id string) (Check, bool) {
	for _, c := range Checks {
		if c.ID == id {
			return c, true
		}
	}
	return Check{}, false
}

func checkSeverity(id string) Severity {
	if c, ok := lookupCheck(id); ok {
		return c.Severity
	}
	return SeverityError
}

func isWaivable(id string) bool {
	c, ok := lookupCheck(id)
	return ok && c.Waivable
}

// WaivableIDs returns the ids a profile may waive, in check order.
func WaivableIDs() []string {
	var out []string
	for _, c := range Checks {
		if c.Waivable {
			out = append(out, c.ID)
		}
	}
	return out
}
