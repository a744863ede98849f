package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/kustomize"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/secretflow"
)

// deliverSecrets turns the Secrets the site's charts rendered from secret
// markers into what the profile's secret workflow needs
// (render/secretflow; README "Secrets charts take by value"). Such a
// Secret without a namespace gets its component's first, as the
// arrangement would give it. sops are the profile's SOPS files as
// readInputs read them (and digested them).
func deliverSecrets(s *profile.Site, p *profile.Plan, objs []object.Object, sops map[string][]byte, lim fsguard.Limit) (out []object.Object, delivered []secretflow.Delivered, err error) {
	ns := map[string]string{}
	for i := range p.Components {
		c := &p.Components[i]
		ns[componentDir(c)] = c.Namespace
	}
	for _, o := range objs {
		if o.GroupKind() == "Secret" && o.Namespace() == "" && ns[o.Tier] != "" {
			o.SetNamespace(ns[o.Tier])
		}
	}
	w := secretflow.Workflow{Kind: p.Secrets.Workflow}
	if st := p.Secrets.Store; st != nil {
		w.Store = secretflow.Store{Kind: st.Kind, Name: st.Name}
	}
	if sp := p.Secrets.SOPS; sp != nil {
		w.SOPS = secretflow.SOPS{Age: sp.Age, PGP: sp.PGP, Files: sp.Files, Read: func(file string) ([]byte, error) {
			if b, ok := sops[file]; ok {
				return b, nil
			}
			return readSOPSFile(s, file, lim) // absent or unreadable: the error, with its hint
		}}
	}
	out, delivered, err = secretflow.Deliver(objs, w)
	if err != nil {
		return nil, nil, fmt.Errorf("delivering the Secrets rendered from secret values (secrets.workflow %s): %w", orDefault(w.Kind, secretflow.PreCreated), err)
	}
	return out, delivered, nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// preCreated lists the Secrets a site leaves to the operator: those its
// charts render from secret markers under the preCreated workflow. The
// tree does not hold them, so validating a written tree renders the
// site's components in memory to learn them (only when some values carry
// markers).
func preCreated(ctx context.Context, s *profile.Site, p *profile.Plan, o Options) ([]secretflow.Delivered, error) {
	if w := p.Secrets.Workflow; w != "" && w != secretflow.PreCreated {
		return nil, nil
	}
	marked := false
	for _, c := range p.Components {
		if secretflow.HasMarkers(c.Values) {
			marked = true
		}
	}
	if !marked {
		return nil, nil
	}
	o = o.forModule(s.Module)
	in, err := readInputs(ctx, s, p, o)
	if err != nil {
		return nil, err
	}
	defer in.close()
	objs, _, _, err := renderComponents(ctx, p, in.graph, in.charts, in.loaded, o)
	if err != nil {
		return nil, err
	}
	if objs, err = kustomize.Apply(objs, kustomize.Options{Overlays: o.Overlays, Components: p.Overlays, SiteOverlay: in.siteOverlay, SiteFiles: in.siteFiles}); err != nil {
		return nil, err
	}
	_, delivered, err := deliverSecrets(s, p, objs, in.sops, o.Limits.file())
	return delivered, err
}

// preCreatedNames are the Secrets of delivered as the validation stage's
// provided Secrets: namespace/name.
func preCreatedNames(delivered []secretflow.Delivered) []string {
	var out []string
	for _, d := range delivered {
		out = append(out, d.Namespace+"/"+d.Name)
	}
	return out
}

// readSOPSFiles reads the SOPS files the profile names (secrets.sops.files)
// before the site renders, for its input digest. A file that cannot be
// read is left out: delivering then reads it again and fails with the
// hint that says how to write it.
func readSOPSFiles(s *profile.Site, p *profile.Plan, lim fsguard.Limit) map[string][]byte {
	sp := p.Secrets.SOPS
	if sp == nil || len(sp.Files) == 0 {
		return nil
	}
	read := map[string][]byte{}
	for _, file := range sp.Files {
		if b, err := readSOPSFile(s, file, lim); err == nil {
			read[file] = b
		}
	}
	return read
}

// readSOPSFile reads file inside the profile's directory only (os.Root: no
// "..", no symbolic link out), as provided.apis crd files.
func readSOPSFile(s *profile.Site, file string, lim fsguard.Limit) ([]byte, error) {
	root, err := os.OpenRoot(filepath.Dir(s.Source.File))
	if err != nil {
		return nil, err
	}
	defer root.Close()
	return fsguard.ReadFile(root, filepath.FromSlash(file), file, lim)
}
