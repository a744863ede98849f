package diff

import (
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/secret"
)

// ---- redaction ----

const redactedMark = "<redacted>"

// hide says whether the leaf v at p of object k must not be printed: the
// data of a Secret, or what render/secret.Hide, the detector validation
// uses with the diff's broader rules, calls a credential. A map or a list
// is judged leaf by leaf (redactTree).
func hide(k Key, p []seg, v any) bool {
	switch v.(type) {
	case map[string]any, []any, bool, nil:
		return false
	}
	return secretData(k, p) || secret.Hide(steps(p), v)
}

// secretData says whether p is in the data of a Secret: anything but
// its kind, type and metadata (its name, namespace and labels).
func secretData(k Key, p []seg) bool {
	if len(p) == 0 || k.Group != "" || k.Kind != "Secret" {
		return false
	}
	switch p[0].key {
	case "apiVersion", "kind", "type", "immutable":
		return false
	case "metadata":
		return len(p) < 2 || !slices.Contains([]string{"name", "namespace", "labels"}, p[1].key)
	}
	return true
}

// steps is p as render/secret spells a path.
func steps(p []seg) secret.Path {
	out := make(secret.Path, len(p))
	for i, s := range p {
		out[i] = secret.Step{Key: s.key, Item: s.item, Index: s.index, Name: s.name}
	}
	return out
}

// redactTree returns v (found at p) with every secret-like leaf replaced
// by the redaction mark; v itself is not modified.
func redactTree(k Key, p []seg, v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for key, x := range v {
			out[key] = redactTree(k, append(slices.Clip(p), seg{key: key}), x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		n, named := names(v)
		args := secret.Arguments(v)
		for i, x := range v {
			s := seg{item: true, index: i}
			if named {
				s.name = n[i]
			}
			if slices.Contains(args, i) {
				out[i] = redactedMark // "--password", "hunter2"
				continue
			}
			out[i] = redactTree(k, append(slices.Clip(p), s), x)
		}
		return out
	}
	if hide(k, p, v) {
		return redactedMark
	}
	return v
}

// ---- attention ----

// Attention flags.
const (
	FlagImage         = "image"
	FlagReplicas      = "replicas"
	FlagResources     = "resources"
	FlagPorts         = "ports"
	FlagRBAC          = "RBAC"
	FlagCRD           = "CRD"
	FlagStorageClass  = "StorageClass"
	FlagPriorityClass = "PriorityClass"
	FlagNetworkPolicy = "NetworkPolicy"
	FlagClusterScoped = "cluster-scoped"
	// FlagReplace: a change the API server will not apply in place (see
	// kube.ImmutableChanges); the object must be deleted and created
	// again.
	FlagReplace = "replace"
)

// portMapFlags are the ingress-nginx controller flags that name the
// ConfigMaps of its TCP and UDP port maps (namespace/name): a new entry
// there opens a port on the controller's Service.
var portMapFlags = []string{"--tcp-services-configmap=", "--udp-services-configmap="}

// portMaps are the ConfigMaps the rendered ingress controllers use as TCP
// or UDP port maps ($(POD_NAMESPACE) is the controller's namespace).
func portMaps(objs []Object) map[Key]bool {
	out := map[Key]bool{}
	for _, o := range objs {
		k := KeyOf(o)
		var walk func(v any)
		walk = func(v any) {
			switch v := v.(type) {
			case map[string]any:
				for _, x := range v {
					walk(x)
				}
			case []any:
				for _, x := range v {
					walk(x)
				}
			case string:
				for _, f := range portMapFlags {
					ref, ok := strings.CutPrefix(v, f)
					if !ok {
						continue
					}
					ns, name, ok := strings.Cut(ref, "/")
					if !ok {
						ns, name = k.Namespace, ref
					}
					if ns == "$(POD_NAMESPACE)" {
						ns = k.Namespace
					}
					out[Key{Site: k.Site, Kind: "ConfigMap", Namespace: ns, Name: name}] = true
				}
			}
		}
		if spec, ok := o.Doc["spec"].(map[string]any); ok {
			walk(spec)
		}
	}
	return out
}

// newEntries says whether the data of a ConfigMap gained a key.
func newEntries(old, new map[string]any) bool {
	a, _ := old["data"].(map[string]any)
	b, _ := new["data"].(map[string]any)
	for k := range b {
		if _, ok := a[k]; !ok {
			return true
		}
	}
	return false
}

const rbacGroup = "rbac.authorization.k8s.io"

// kindFlags are the flags an object raises by what it is, whatever
// changed in it.
func kindFlags(k Key, doc map[string]any, op Op) []string {
	var out []string
	switch {
	case k.Group == rbacGroup && slices.Contains([]string{"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}, k.Kind):
		out = append(out, FlagRBAC)
	case k.Group == "apiextensions.k8s.io" && k.Kind == "CustomResourceDefinition":
		out = append(out, FlagCRD)
	case k.Group == "storage.k8s.io" && k.Kind == "StorageClass":
		out = append(out, FlagStorageClass)
	case k.Group == "scheduling.k8s.io" && k.Kind == "PriorityClass":
		out = append(out, FlagPriorityClass)
	case k.Group == "networking.k8s.io" && k.Kind == "NetworkPolicy":
		out = append(out, FlagNetworkPolicy)
	case k.Group == "" && k.Kind == "Service" && op != Changed:
		// A Service that comes or goes with a public face; a changed one
		// is judged by its fields.
		spec, _ := doc["spec"].(map[string]any)
		if t, _ := spec["type"].(string); t == "LoadBalancer" || t == "NodePort" {
			out = append(out, FlagPorts)
		}
	}
	if k.Namespace == "" {
		out = append(out, FlagClusterScoped)
	}
	return sortedSet(out)
}

// treeFlags are the flags of the field at p and, for a map or list that
// comes or goes whole, of every leaf in it.
func treeFlags(k Key, p []seg, vs ...any) []string {
	var out []string
	if f := fieldFlag(k, p); f != "" {
		out = append(out, f)
	}
	var walk func(p []seg, v any)
	walk = func(p []seg, v any) {
		switch v := v.(type) {
		case map[string]any:
			for key, x := range v {
				q := append(slices.Clip(p), seg{key: key})
				if f := fieldFlag(k, q); f != "" {
					out = append(out, f)
				}
				walk(q, x)
			}
		case []any:
			for i, x := range v {
				walk(append(slices.Clip(p), seg{item: true, index: i}), x)
			}
		}
	}
	for _, v := range vs {
		walk(p, v)
	}
	if len(out) == 0 {
		return nil
	}
	return sortedSet(out)
}

// serviceExposure are the Service spec fields that decide what is exposed.
var serviceExposure = []string{"ports", "type", "loadBalancerIP", "loadBalancerSourceRanges", "loadBalancerClass", "externalIPs", "externalTrafficPolicy", "externalName", "allocateLoadBalancerNodePorts"}

// fieldFlag is the flag a changed field raises by its path, or "".
func fieldFlag(k Key, p []seg) string {
	if len(p) == 0 || k.Kind == "CustomResourceDefinition" {
		return "" // a schema's "image" or "replicas" is a property name; the CRD is flagged by kind
	}
	keys := make([]string, 0, len(p))
	for _, s := range p {
		if !s.item {
			keys = append(keys, s.key)
		}
	}
	last := ""
	if !p[len(p)-1].item {
		last = p[len(p)-1].key
	}
	switch {
	case k.Group == "" && k.Kind == "Service" && len(keys) >= 2 && keys[0] == "spec" && slices.Contains(serviceExposure, keys[1]):
		return FlagPorts
	case k.Group == "" && k.Kind == "Service" && len(keys) >= 3 && keys[0] == "metadata" && keys[1] == "annotations" && strings.Contains(keys[2], "load-balancer"):
		return FlagPorts
	case k.Group == "networking.k8s.io" && k.Kind == "Ingress" && len(keys) >= 2 && keys[0] == "spec":
		return FlagPorts
	case slices.Contains(keys, "hostPort") || slices.Contains(keys, "hostNetwork"):
		return FlagPorts
	case last == "image":
		return FlagImage
	case last == "replicas" || last == "replicaCount" || last == "minReplicas" || last == "maxReplicas":
		return FlagReplicas
	}
	if k.Group == rbacGroup {
		return "" // "resources" of a rule are API resources; RBAC is flagged by kind
	}
	for i, key := range keys {
		if key == "resources" && (i == len(keys)-1 || slices.Contains([]string{"requests", "limits", "claims"}, keys[i+1])) {
			return FlagResources
		}
	}
	if (last == "size" || last == "storageSize") && (slices.Contains(keys, "storage") || slices.Contains(keys, "persistence")) {
		return FlagResources // a volume size outside a resources block (Strimzi spec.kafka.storage.size)
	}
	return ""
}
