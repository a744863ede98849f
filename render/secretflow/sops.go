package secretflow

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	yaml "go.yaml.in/yaml/v3"

	"github.com/tpgen/tpgen/render/object"
)

// encValue is a value SOPS encrypted (AES256-GCM, its only cipher).
var encValue = regexp.MustCompile(`^ENC\[AES256_GCM,data:[A-Za-z0-9+/=]*,iv:[A-Za-z0-9+/=]+,tag:[A-Za-z0-9+/=]+,type:[a-z]+\]$`)

// IsEncrypted says whether doc is a SOPS-encrypted Secret: a sops block
// with a MAC, and every value of data and stringData encrypted.
func IsEncrypted(doc map[string]any) bool {
	meta, ok := doc["sops"].(map[string]any)
	if !ok {
		return false
	}
	if mac, _ := meta["mac"].(string); !encValue.MatchString(mac) {
		return false
	}
	n := 0
	for _, f := range []string{"data", "stringData"} {
		m, _ := doc[f].(map[string]any)
		for _, v := range m {
			s, _ := v.(string)
			if !encValue.MatchString(s) {
				return false
			}
			n++
		}
	}
	return n > 0
}

// sopsSecret reads the encrypted file the profile names for the Secret o
// and checks it can stand in for it: a Secret of the same name, namespace
// and type, every value encrypted, for the profile's recipient, holding
// every key the chart's Secret has. Its bytes must survive tpgen's
// rewriting (sorted keys): SOPS authenticates the values in their order.
func sopsSecret(o object.Object, d carrier, s SOPS) (object.Object, error) {
	keys := make([]string, 0, len(d.Keys))
	for _, k := range d.Keys {
		keys = append(keys, k.Key)
	}
	where := fmt.Sprintf("Secret/%s/%s (%s)", d.Namespace, d.Name, d.Source)
	recipient := "--age " + s.Age
	if s.Age == "" {
		recipient = "--pgp " + s.PGP
	}
	hint := fmt.Sprintf("hint: write the Secret %s (namespace %s, keys %s%s) to a file, keys sorted, and encrypt it: `sops --encrypt %s --encrypted-regex '^(data|stringData)$' --in-place FILE`; name it in the profile's secrets.sops.files",
		d.Name, d.Namespace, strings.Join(keys, ", "), typeNote(d.Type), recipient)
	file, ok := s.Files[d.Name]
	if !ok {
		return object.Object{}, fmt.Errorf("%s: the sops workflow needs an encrypted file for this Secret; secrets.sops.files has no entry %q\n%s", where, d.Name, hint)
	}
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%s: secrets.sops.files[%q] %s: %s\n%s", where, d.Name, file, fmt.Sprintf(format, a...), hint)
	}
	if s.Read == nil {
		return object.Object{}, bad("no reader (a defect)")
	}
	b, err := s.Read(file)
	if err != nil {
		return object.Object{}, fmt.Errorf("%s: secrets.sops.files[%q]: %w\n%s", where, d.Name, err, hint)
	}
	docs, err := object.Decode(b)
	if err != nil {
		return object.Object{}, bad("%v", err)
	}
	if len(docs) != 1 {
		return object.Object{}, bad("holds %d documents, want one Secret", len(docs))
	}
	doc := docs[0]
	enc := object.Object{Doc: doc, Tier: o.Tier, Source: "sops file " + file + " (for " + d.Source + ")"}
	if enc.APIVersion() != "v1" || enc.Kind() != "Secret" {
		return object.Object{}, bad("is not a v1 Secret (apiVersion, kind and metadata stay in clear text: encrypt data and stringData only)")
	}
	if enc.Name() != d.Name || enc.Namespace() != d.Namespace {
		return object.Object{}, bad("is Secret %s/%s, want %s/%s (metadata.namespace must be written: SOPS authenticates it)", enc.Namespace(), enc.Name(), d.Namespace, d.Name)
	}
	typ, _ := doc["type"].(string)
	if typ == "Opaque" {
		typ = ""
	}
	if typ != d.Type {
		return object.Object{}, bad("has type %q, the chart's Secret %q", typ, d.Type)
	}
	meta, ok := doc["sops"].(map[string]any)
	if !ok {
		return object.Object{}, bad("is not encrypted (no sops metadata)")
	}
	if !IsEncrypted(doc) {
		var clear []string
		for _, f := range []string{"data", "stringData"} {
			m, _ := doc[f].(map[string]any)
			for _, k := range slices.Sorted(maps.Keys(m)) {
				if v, _ := m[k].(string); !encValue.MatchString(v) {
					clear = append(clear, f+"."+k)
				}
			}
		}
		if len(clear) > 0 {
			return object.Object{}, bad("holds values that are not encrypted: %s (not shown)", strings.Join(clear, ", "))
		}
		return object.Object{}, bad("is not encrypted (no values, or no sops.mac)")
	}
	if !forRecipient(meta, s) {
		return object.Object{}, bad("is not encrypted for the profile's recipient (%s)", strings.TrimPrefix(strings.TrimPrefix(recipient, "--age "), "--pgp "))
	}
	have := map[string]bool{}
	for _, f := range []string{"data", "stringData"} {
		m, _ := doc[f].(map[string]any)
		for k := range m {
			have[k] = true
		}
	}
	var missing []string
	for _, k := range keys {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		return object.Object{}, bad("lacks key(s) %s of the chart's Secret", strings.Join(missing, ", "))
	}
	if p := unsorted(b); p != "" {
		return object.Object{}, bad("keys are not sorted at %s: tpgen writes keys sorted, and SOPS authenticates the values in file order", p)
	}
	return enc, nil
}

func typeNote(t string) string {
	if t == "" {
		return ""
	}
	return ", type " + t
}

// forRecipient says whether the sops metadata lists the profile's age
// recipient or PGP fingerprint.
func forRecipient(meta map[string]any, s SOPS) bool {
	field, list, want := "recipient", "age", s.Age
	if want == "" {
		field, list, want = "fp", "pgp", strings.ToUpper(s.PGP)
	}
	entries, _ := meta[list].([]any)
	for _, e := range entries {
		m, _ := e.(map[string]any)
		got, _ := m[field].(string)
		if list == "pgp" {
			got = strings.ToUpper(got)
		}
		if want != "" && got == want {
			return true
		}
	}
	return false
}

// unsorted returns the path of the first mapping, outside the sops
// metadata, whose keys are not in sorted order, or "".
func unsorted(b []byte) string {
	var n yaml.Node
	if err := yaml.Unmarshal(b, &n); err != nil || len(n.Content) == 0 {
		return ""
	}
	var walk func(n *yaml.Node, path string) string
	walk = func(n *yaml.Node, path string) string {
		switch n.Kind {
		case yaml.MappingNode:
			var prev string
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i].Value
				if path == "" && k == "sops" {
					continue
				}
				if i > 0 && k < prev {
					return join(path, k)
				}
				prev = k
				if p := walk(n.Content[i+1], join(path, k)); p != "" {
					return p
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				if p := walk(c, fmt.Sprintf("%s[%d]", path, i)); p != "" {
					return p
				}
			}
		}
		return ""
	}
	return walk(n.Content[0], "")
}
