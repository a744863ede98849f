package diff

import (
	"regexp"
	"slices"
	"strings"
)

// ---- redaction ----

const redactedMark = "<redacted>"

// sensitiveKey matches keys (and env names) that name a credential. It
// errs on the side of hiding: a hidden value costs a reviewer a look at
// the file, a printed one leaks in a pull request.
var sensitiveKey = regexp.MustCompile(`(?i)(passw|passphrase|pwd|secret|token|credential|private[-_.]?key|api[-_.]?key|access[-_.]?key|[-_.]key$|^key[-_.]|auth|bearer|cookie|session|salt|signature|htpasswd|keystore|truststore|\.pem$|\.p12$|\.pfx$|\.jks$|dsn$|connection[-_]?string)`)

// refKey matches the keys that name a reference to a secret, not its
// value: secretKeyRef.key, secretRef.name, tls[].secretName, ...
var refKey = regexp.MustCompile(`^(name|key|namespace|kind|apiVersion|optional|path|mountPath|subPath|mode|defaultMode|items)$|Name$`)

// secretValue matches strings that look like secret material wherever
// they appear.
var secretValue = []*regexp.Regexp{
	regexp.MustCompile(`-----BEGIN [A-Z0-9 ]+-----`),                    // PEM
	regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.`),     // JWT
	regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`),                   // AWS access key id
	regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@`), // URL with a password
	regexp.MustCompile(`(?i)(passw(or)?d|pwd|secret|token|api[-_]?key|access[-_]?key|private[-_]?key|credentials?|pass)["']?\s*[:=]\s*["']?[^\s"',]`), // password=... in a text
}

// randomToken matches a long string of base64 or hex characters with
// upper case, lower case and digits: a generated key or token. Digests
// (lower-case hex) and image references (':' '@') do not match.
var randomToken = regexp.MustCompile(`^[A-Za-z0-9+/_-]{32,}={0,2}$`)

func secretLike(v any) bool {
	s, ok := v.(string)
	if !ok {
		return false
	}
	for _, re := range secretValue {
		if re.MatchString(s) {
			return true
		}
	}
	if randomToken.MatchString(s) && strings.ContainsAny(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") &&
		strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyz") && strings.ContainsAny(s, "0123456789") {
		return true
	}
	return false
}

// sensitivePath says whether the value at p of object k is a credential
// by its place: the data of a Secret, a field whose key (or an ancestor's)
// names a credential unless the field names a reference, or the value of
// an env entry whose name does.
func sensitivePath(k Key, p []seg) bool {
	if len(p) == 0 {
		return false
	}
	if k.Group == "" && k.Kind == "Secret" {
		switch p[0].key {
		case "apiVersion", "kind", "type", "immutable":
			return false
		case "metadata":
			return len(p) < 2 || !slices.Contains([]string{"name", "namespace", "labels"}, p[1].key)
		}
		return true
	}
	last := p[len(p)-1]
	if !last.item && last.key == "value" && len(p) >= 2 && p[len(p)-2].item && sensitiveKey.MatchString(p[len(p)-2].name) {
		return true // env[name=DB_PASSWORD].value
	}
	if !last.item && refKey.MatchString(last.key) {
		return false
	}
	for _, s := range p {
		if !s.item && sensitiveKey.MatchString(s.key) {
			return true
		}
	}
	return false
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
		for i, x := range v {
			s := seg{item: true, index: i}
			if named {
				s.name = n[i]
			}
			out[i] = redactTree(k, append(slices.Clip(p), s), x)
		}
		return out
	case bool, nil:
		return v
	}
	if sensitivePath(k, p) || secretLike(v) {
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
