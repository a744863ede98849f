package render

import (
	"context"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/secretflow"
	"github.com/tpgen/tpgen/render/validate"
)

// SiteSecrets are the Secrets one site needs before its first sync.
type SiteSecrets struct {
	Site      string                `json:"site"`
	Profile   string                `json:"profile"`
	Namespace string                `json:"namespace"`
	Secrets   []validate.SecretNeed `json:"secrets"`
}

// Secrets renders the profiles in memory and lists, per site, every
// Secret the site needs before its first sync: the profile's secretRefs
// and the Secrets rendered objects reference that the site neither
// renders nor creates (README, "Secrets"). No value is ever read.
func Secrets(ctx context.Context, o Options) ([]SiteSecrets, error) {
	sites, plans, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	ro := o
	ro.WriteOptions, ro.Progress = WriteOptions{}, nil
	res, err := Run(ctx, ro)
	if err != nil {
		return nil, err
	}
	out := make([]SiteSecrets, 0, len(sites))
	for i, s := range sites {
		p := plans[i]
		j := slices.IndexFunc(res.Sites, func(r SiteResult) bool { return r.Name == s.Name })
		if j < 0 {
			continue
		}
		var items []validate.Item
		for _, f := range res.Sites[j].Tree {
			if f.Object.Doc == nil || strings.HasPrefix(f.Path, gitops.Dir+"/") {
				continue
			}
			items = append(items, validate.Item{Object: f.Object, File: path.Join(s.Name, f.Path)})
		}
		for _, f := range res.Sites[j].clusterFiles {
			items = append(items, validate.Item{Object: f.Object, File: f.Path})
		}
		opts, err := validateOptions(s, p, clusterTier(p.Cluster), o.Limits.file(), preCreatedNames(res.Sites[j].Delivered))
		if err != nil {
			return nil, err
		}
		refs, err := profileSecretRefs(s)
		if err != nil {
			return nil, err
		}
		delivered := res.Sites[j].Delivered
		out = append(out, SiteSecrets{Site: s.Name, Profile: filepath.ToSlash(s.Source.File), Namespace: p.Namespace,
			Secrets: withDelivered(validate.NeededSecrets(items, opts, sourceRefsDropped(refs, delivered)), delivered, p.Secrets.Workflow)})
	}
	return out, nil
}

// profileSecretRefs lists the profile's {secretRef: {name, key}} values,
// by path, and its provided.secrets.
func profileSecretRefs(s *profile.Site) ([]validate.ProfileSecretRef, error) {
	var doc map[string]any
	if err := s.Profile.Decode(&doc); err != nil {
		return nil, fmt.Errorf("site %s: decoding the profile: %w", s.Name, err)
	}
	var out []validate.ProfileSecretRef
	var walk func(p string, v any)
	walk = func(p string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for _, k := range slices.Sorted(maps.Keys(v)) {
				q := k
				if p != "" {
					q = p + "." + k
				}
				if r, ok := v[k].(map[string]any); ok && k == "secretRef" {
					name, _ := r["name"].(string)
					key, _ := r["key"].(string)
					if name != "" {
						out = append(out, validate.ProfileSecretRef{Name: name, Key: key, Field: q})
					}
					continue
				}
				walk(q, v[k])
			}
		case []any:
			for i, x := range v {
				walk(fmt.Sprintf("%s[%d]", p, i), x)
			}
		}
	}
	walk("", doc)
	if prov, ok := doc["provided"].(map[string]any); ok {
		names, _ := prov["secrets"].([]any)
		for i, n := range names {
			if name, ok := n.(string); ok {
				out = append(out, validate.ProfileSecretRef{Name: name, Field: fmt.Sprintf("provided.secrets[%d]", i)})
			}
		}
	}
	return out, nil
}

// sourceRefsDropped leaves out the profile's references that feed secret
// markers: the charts render Secrets of their own from them, which the
// secret workflow delivers, so the referenced names are the values'
// origin (a store's entries, the operator's notes), not Secrets the
// cluster needs.
func sourceRefsDropped(refs []validate.ProfileSecretRef, delivered []secretflow.Delivered) []validate.ProfileSecretRef {
	fed := map[string]bool{}
	for _, d := range delivered {
		for _, k := range d.Keys {
			for _, r := range k.Refs {
				fed[r.Name] = true
			}
		}
	}
	var out []validate.ProfileSecretRef
	for _, r := range refs {
		if !fed[r.Name] || strings.HasPrefix(r.Field, "provided.") {
			out = append(out, r)
		}
	}
	return out
}

// withDelivered completes the needs that are Secrets the preCreated
// workflow left to the operator: the chart template that renders each and
// how each of its keys is made. Other workflows deliver them in the tree.
func withDelivered(needs []validate.SecretNeed, delivered []secretflow.Delivered, workflow string) []validate.SecretNeed {
	if workflow != "" && workflow != secretflow.PreCreated {
		return needs
	}
	for _, d := range delivered {
		// Listed when an object uses it and none creates it (an overlay's
		// SealedSecret of that name delivers it).
		i := slices.IndexFunc(needs, func(n validate.SecretNeed) bool { return n.Name == d.Name && n.Namespace == d.Namespace })
		if i < 0 {
			continue
		}
		n := &needs[i]
		n.RenderedBy = d.Source
		n.From = nil
		keys := map[string]bool{}
		for _, k := range n.Keys {
			keys[k] = true
		}
		for _, k := range d.Keys {
			ks := validate.KeySource{Key: k.Key, Composed: k.Composed, Literal: k.Literal}
			for _, r := range k.Refs {
				if !slices.Contains(ks.Refs, r.String()) {
					ks.Refs = append(ks.Refs, r.String())
				}
			}
			n.From = append(n.From, ks)
			keys[k.Key] = true
		}
		n.Keys = slices.Sorted(maps.Keys(keys))
	}
	return needs
}
