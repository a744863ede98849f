package secretflow

import (
	"encoding/base64"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/object"
)

// The secret workflows a site chooses (profile secrets.workflow).
const (
	PreCreated      = "preCreated"
	ExternalSecrets = "externalSecrets"
	SOPSWorkflow    = "sops"
)

// Workflow says what a Secret that carries markers becomes.
type Workflow struct {
	// Kind is PreCreated (default), ExternalSecrets or SOPSWorkflow.
	Kind string
	// Store is the External Secrets store (ExternalSecrets).
	Store Store
	// SOPS gives the recipient and the encrypted files (SOPSWorkflow).
	SOPS SOPS
}

// Store names an External Secrets Operator SecretStore or
// ClusterSecretStore.
type Store struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// SOPS is the encrypted-Secret workflow: the recipient files must be
// encrypted for (an age public key or a PGP fingerprint), and per Secret
// name the file that replaces it.
type SOPS struct {
	Age   string
	PGP   string
	Files map[string]string
	// Read returns a file of Files (the caller confines it to the
	// profile's input root).
	Read func(file string) ([]byte, error)
}

// ESOAPIVersion is the External Secrets Operator API tpgen renders.
const ESOAPIVersion = "external-secrets.io/v1beta1"

// Delivered is a Secret a chart rendered from markers, as the workflow
// delivers it: for PreCreated, one the operator creates before the first
// sync. It never holds a value.
type Delivered struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Source is the chart and template that rendered it.
	Source string `json:"source"`
	// Type is the Secret's type ("" for Opaque).
	Type string `json:"type,omitempty"`
	Keys []Key  `json:"keys"`
}

// Key is one key of a Delivered Secret.
type Key struct {
	Key string `json:"key"`
	// Refs are the profile's references whose values make it.
	Refs []Ref `json:"refs,omitempty"`
	// Composed: the chart embeds the values in a larger text (a URL, a
	// file), so the operator provides the whole value.
	Composed bool `json:"composed,omitempty"`
	// Literal: no secret in it; the chart's own text (not shown).
	Literal bool `json:"literal,omitempty"`
}

// Deliver turns every Secret of objs that carries a marker into what w
// needs, and returns the objects (in their order) and the Secrets it
// turned. A marker anywhere else is a *MisuseError; a SOPS file that is
// missing or not what the Secret needs is an error naming it.
func Deliver(objs []object.Object, w Workflow) ([]object.Object, []Delivered, error) {
	if ms := Misplaced(objs); len(ms) > 0 {
		return nil, nil, &MisuseError{Misuses: ms}
	}
	out := make([]object.Object, 0, len(objs))
	var done []Delivered
	var errs []string
	for _, o := range objs {
		d, ok := carried(o)
		if !ok {
			out = append(out, o)
			continue
		}
		done = append(done, d.Delivered)
		switch w.Kind {
		case "", PreCreated:
			// Removed from the tree: the operator creates it.
		case ExternalSecrets:
			out = append(out, externalSecret(o, d, w.Store))
		case SOPSWorkflow:
			enc, err := sopsSecret(o, d, w.SOPS)
			if err != nil {
				errs = append(errs, err.Error())
				continue
			}
			out = append(out, enc)
		default:
			return nil, nil, fmt.Errorf("unknown secret workflow %q: want %s, %s or %s", w.Kind, PreCreated, ExternalSecrets, SOPSWorkflow)
		}
	}
	if len(errs) > 0 {
		slices.Sort(errs)
		return nil, nil, fmt.Errorf("%s", strings.Join(errs, "\n"))
	}
	return out, done, nil
}

// carrier is a Secret with markers: its keys' texts, decoded.
type carrier struct {
	Delivered
	text map[string]string
}

// carried returns the Secret's keys when o is a Secret with a marker in
// its data or stringData.
func carried(o object.Object) (carrier, bool) {
	if o.GroupKind() != "Secret" {
		return carrier{}, false
	}
	text := map[string]string{}
	if data, ok := o.Doc["data"].(map[string]any); ok {
		for k, v := range data {
			s, _ := v.(string)
			b, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				b = []byte(s)
			}
			text[k] = string(b)
		}
	}
	if sd, ok := o.Doc["stringData"].(map[string]any); ok {
		for k, v := range sd {
			s, _ := v.(string)
			text[k] = s // stringData wins over data, as in the API server
		}
	}
	has := false
	for _, s := range text {
		if len(Refs(s)) > 0 {
			has = true
		}
	}
	if !has {
		return carrier{}, false
	}
	typ, _ := o.Doc["type"].(string)
	if typ == "Opaque" {
		typ = ""
	}
	d := Delivered{Name: o.Name(), Namespace: o.Namespace(), Source: o.Source, Type: typ}
	for _, k := range slices.Sorted(maps.Keys(text)) {
		parts := Split(text[k])
		key := Key{Key: k}
		for _, p := range parts {
			if p.Ref != nil {
				key.Refs = append(key.Refs, *p.Ref)
			}
		}
		key.Literal = len(key.Refs) == 0
		key.Composed = len(key.Refs) > 0 && !(len(parts) == 1)
		d.Keys = append(d.Keys, key)
	}
	return carrier{Delivered: d, text: text}, true
}

// externalSecret is the ExternalSecret that makes the Secret o from the
// store: one data entry per reference (remoteRef key = the Secret the
// profile names, property = its key); a key that embeds references in a
// larger text, or that holds none, becomes a template entry. Labels,
// annotations and type are kept on the ExternalSecret and on the Secret
// it creates.
func externalSecret(o object.Object, d carrier, store Store) object.Object {
	meta := map[string]any{"name": d.Name}
	if d.Namespace != "" {
		meta["namespace"] = d.Namespace
	}
	om, _ := o.Doc["metadata"].(map[string]any)
	tmeta := map[string]any{}
	for _, k := range []string{"labels", "annotations"} {
		if v, ok := om[k].(map[string]any); ok && len(v) > 0 {
			meta[k] = maps.Clone(v)
			tmeta[k] = maps.Clone(v)
		}
	}
	templated := false
	for _, k := range d.Keys {
		if k.Composed || k.Literal {
			templated = true
		}
	}
	var data []any
	template := map[string]any{}
	if templated {
		// Every distinct reference once, named NAME_KEY ('_' is in no
		// Secret name: the id is unique), read by the template.
		seen := map[Ref]bool{}
		var refs []Ref
		tdata := map[string]any{}
		for _, k := range d.Keys {
			var b strings.Builder
			for _, p := range Split(d.text[k.Key]) {
				if p.Ref == nil {
					// Literal text: a Go template action would be
					// interpreted, so "{{" is written as an action.
					b.WriteString(strings.ReplaceAll(p.Text, "{{", `{{ "{{" }}`))
					continue
				}
				fmt.Fprintf(&b, "{{ index . %q }}", refID(*p.Ref))
				if !seen[*p.Ref] {
					seen[*p.Ref] = true
					refs = append(refs, *p.Ref)
				}
			}
			tdata[k.Key] = b.String()
		}
		slices.SortFunc(refs, func(a, b Ref) int { return strings.Compare(refID(a), refID(b)) })
		for _, r := range refs {
			data = append(data, map[string]any{"secretKey": refID(r), "remoteRef": map[string]any{"key": r.Name, "property": r.Key}})
		}
		template["data"] = tdata
	} else {
		for _, k := range d.Keys {
			r := k.Refs[0]
			data = append(data, map[string]any{"secretKey": k.Key, "remoteRef": map[string]any{"key": r.Name, "property": r.Key}})
		}
	}
	if d.Type != "" {
		template["type"] = d.Type
	}
	if len(tmeta) > 0 {
		template["metadata"] = tmeta
	}
	target := map[string]any{"name": d.Name, "creationPolicy": "Owner"}
	if len(template) > 0 {
		template["engineVersion"] = "v2"
		target["template"] = template
	}
	return object.Object{
		Tier:    o.Tier,
		Source:  o.Source,
		Patched: o.Patched,
		Doc: map[string]any{
			"apiVersion": ESOAPIVersion,
			"kind":       "ExternalSecret",
			"metadata":   meta,
			"spec": map[string]any{
				"refreshInterval": "1h",
				"secretStoreRef":  map[string]any{"kind": store.Kind, "name": store.Name},
				"target":          target,
				"data":            data,
			},
		},
	}
}

func refID(r Ref) string { return r.Name + "_" + r.Key }
