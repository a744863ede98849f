package validate

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// ProfileSecretRef is a secretRef of the profile: {secretRef: {name, key}}
// at Field (a profile path).
type ProfileSecretRef struct {
	Name, Key, Field string
}

// SecretNeed is a Secret a site needs before its first sync: referenced by
// the profile or by a rendered object, and neither rendered by the site
// nor created by an object it renders. It never carries a value.
type SecretNeed struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Keys are the keys the consumers read, sorted; empty when they are
	// not known (a consumer that reads every key, an operator field).
	Keys []string    `json:"keys"`
	Uses []SecretUse `json:"uses"`
	// RenderedBy is the chart template that renders the Secret from the
	// profile's references (secret markers), when the preCreated secret
	// workflow left it to the operator; From says how each key is made.
	RenderedBy string      `json:"renderedBy,omitempty"`
	From       []KeySource `json:"from,omitempty"`
}

// KeySource is how the operator makes one key of a Secret a chart renders
// from the profile's references: the value of the references (Secret/key),
// alone or, Composed, inside a text of the chart's (a URL, a file: the
// operator writes the whole value); Literal: the chart's own text, no
// secret in it (not shown).
type KeySource struct {
	Key      string   `json:"key"`
	Refs     []string `json:"refs,omitempty"`
	Composed bool     `json:"composed,omitempty"`
	Literal  bool     `json:"literal,omitempty"`
}

// SecretUse is one reference to a needed Secret.
type SecretUse struct {
	// Object is Kind/namespace/name of the consumer; "" for the profile.
	Object string `json:"object,omitempty"`
	// Field is the referencing field (a profile path for the profile).
	Field string `json:"field"`
	// File is the consumer's file, or the profile.
	File string `json:"file,omitempty"`
	// Key is the key this use reads, "" for every key or unknown.
	Key string `json:"key,omitempty"`
}

// secretCreators are kinds that create a Secret named by a field of their
// own (or by their name) at run time: the Secret is delivered, not needed.
var secretCreators = map[string][]string{
	"ExternalSecret.external-secrets.io": {"spec", "target", "name"},
	"SealedSecret.bitnami.com":           {"spec", "template", "metadata", "name"},
	"Certificate.cert-manager.io":        {"spec", "secretName"},
}

// createdSecrets names the Secrets o creates at run time: its
// tpgen.dev/creates-secrets annotation, or the Secret of a secret
// delivery kind (External Secrets, Sealed Secrets, cert-manager).
func createdSecrets(o object.Object) []string {
	var out []string
	if v, ok := o.Annotations()[CreatesSecretsAnnotation].(string); ok {
		for _, n := range strings.Split(v, ",") {
			if n = strings.TrimSpace(n); n != "" {
				out = append(out, n)
			}
		}
	}
	if p, ok := secretCreators[o.GroupKind()]; ok {
		n, _ := object.Dig(o.Doc, p...).(string)
		if n == "" && o.Kind() != "Certificate" {
			n = o.Name()
		}
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

// NeededSecrets lists the Secrets the objects and the profile (its
// secretRefs) reference that the site does not render or create, with the
// keys each consumer reads.
func NeededSecrets(items []Item, o Options, profile []ProfileSecretRef) []SecretNeed {
	s := newSite(items, o, mustRelease(o.KubeVersion))
	made := map[string]bool{}
	for _, it := range items {
		ns := it.Object.Namespace()
		if ns == "" {
			ns = o.Namespace
		}
		if it.Object.GroupKind() == "Secret" {
			made[ns+"/"+it.Object.Name()] = true
		}
		for _, n := range createdSecrets(it.Object) {
			made[ns+"/"+n] = true
		}
	}
	byKey := map[string]*SecretNeed{}
	add := func(ns, name string, u SecretUse) {
		k := ns + "/" + name
		n := byKey[k]
		if n == nil {
			n = &SecretNeed{Name: name, Namespace: ns, Keys: []string{}}
			byKey[k] = n
		}
		n.Uses = append(n.Uses, u)
		if u.Key != "" && !slices.Contains(n.Keys, u.Key) {
			n.Keys = append(n.Keys, u.Key)
		}
	}
	for _, r := range profile {
		if !made[o.Namespace+"/"+r.Name] { // delivered by an object of the site
			add(o.Namespace, r.Name, SecretUse{Field: r.Field, File: o.Profile, Key: r.Key})
		}
	}
	for i := range items {
		it := &items[i]
		ns := it.Object.Namespace()
		if ns == "" {
			ns = o.Namespace
		}
		for _, r := range s.refsOf(it.Object) {
			if r.kind != "Secret" || r.name == "" || made[ns+"/"+r.name] {
				continue
			}
			for _, k := range secretKeys(it.Object, r.path) {
				add(ns, r.name, SecretUse{Object: it.Object.ID(), Field: r.path.String(), File: it.File, Key: k})
			}
		}
	}
	out := make([]SecretNeed, 0, len(byKey))
	for _, n := range byKey {
		slices.Sort(n.Keys)
		slices.SortFunc(n.Uses, func(a, b SecretUse) int {
			return cmp.Or(cmp.Compare(a.Object, b.Object), cmp.Compare(a.Field, b.Field), cmp.Compare(a.Key, b.Key))
		})
		n.Uses = slices.Compact(n.Uses)
		out = append(out, *n)
	}
	slices.SortFunc(out, func(a, b SecretNeed) int {
		return cmp.Or(cmp.Compare(a.Namespace, b.Namespace), cmp.Compare(a.Name, b.Name))
	})
	return out
}

func mustRelease(v string) kube.Release {
	r, _ := kube.ParseRelease(v) // the caller validated the site
	return r
}

// secretKeys are the keys the reference at p reads ("" for every key or
// unknown): secretKeyRef.key, a secret volume's items[].key, the keys of
// an image pull Secret and of a TLS Secret.
func secretKeys(o object.Object, p *field.Path) []string {
	s := p.String()
	parent := dig(o.Doc, strings.TrimSuffix(strings.TrimSuffix(s, ".name"), ".secretName"))
	switch {
	case strings.HasSuffix(s, "secretKeyRef.name"):
		if k, ok := object.Dig(parent, "key").(string); ok {
			return []string{k}
		}
	case strings.HasSuffix(s, ".secret.secretName") || strings.Contains(s, ".projected.sources"):
		items, _ := object.Dig(parent, "items").([]any)
		var keys []string
		for _, it := range items {
			if k, ok := object.Dig(it, "key").(string); ok {
				keys = append(keys, k)
			}
		}
		if len(keys) > 0 {
			return keys
		}
	case strings.Contains(s, "imagePullSecrets["):
		return []string{".dockerconfigjson"}
	case o.GroupKind() == "Ingress.networking.k8s.io" && strings.HasSuffix(s, ".secretName"):
		return []string{"tls.crt", "tls.key"}
	}
	return []string{""}
}

var pathStep = regexp.MustCompile(`([^.\[\]]+)|\[(\d+)\]`)

// dig follows a field path (a.b[0].c) through doc.
func dig(doc map[string]any, p string) any {
	var v any = doc
	for _, m := range pathStep.FindAllStringSubmatch(p, -1) {
		if m[2] != "" {
			l, _ := v.([]any)
			i, _ := strconv.Atoi(m[2])
			if i >= len(l) {
				return nil
			}
			v = l[i]
			continue
		}
		mm, _ := v.(map[string]any)
		v = mm[m[1]]
	}
	return v
}
