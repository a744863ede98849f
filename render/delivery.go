package render

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/kustomize"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/secretflow"
)

// deliverSecrets turns the Secrets the site's charts rendered from secret
// markers into what the profile's secret workflow needs
// (render/secretflow; README "Secrets charts take by value"). Such a
// Secret without a namespace gets its component's first, as the
// arrangement would give it. sops are the encrypted files read, for the
// input digest.
func deliverSecrets(s *profile.Site, p *profile.Plan, objs []object.Object, lim fsguard.Limit) (out []object.Object, delivered []secretflow.Delivered, sops *loadedChart, err error) {
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
		read := map[string][]byte{}
		w.SOPS = secretflow.SOPS{Age: sp.Age, PGP: sp.PGP, Files: sp.Files, Read: func(file string) ([]byte, error) {
			// Inside the profile's directory only (os.Root: no "..", no
			// symbolic link out), as provided.apis crd files.
			root, err := os.OpenRoot(filepath.Dir(s.Source.File))
			if err != nil {
				return nil, err
			}
			defer root.Close()
			b, err := fsguard.ReadFile(root, filepath.FromSlash(file), file, lim)
			if err == nil {
				read[file] = b
			}
			return b, err
		}}
		defer func() {
			if len(read) > 0 {
				sops = &loadedChart{name: "sops files", files: read}
			}
		}()
	}
	out, delivered, err = secretflow.Deliver(objs, w)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("delivering the Secrets rendered from secret values (secrets.workflow %s): %w", orDefault(w.Kind, secretflow.PreCreated), err)
	}
	return out, delivered, sops, nil
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
	dir := filepath.Dir(s.Source.File)
	g, err := p.Graph(s.Source.File)
	if err != nil {
		return nil, err
	}
	charts := siteCharts{base: o.Charts, site: s}
	if p.ChartsDir != "" {
		root, err := fsguard.OpenDir(dir, p.ChartsDir, "charts.path")
		if err != nil {
			return nil, err
		}
		defer root.Close()
		charts.root, charts.dir = root, chartsource.NewRoot(root, "chart directory "+filepath.Join(dir, p.ChartsDir), o.Limits.file())
	}
	objs, _, _, err := renderComponents(ctx, p, g, charts, o)
	if err != nil {
		return nil, err
	}
	siteOverlay := ""
	var siteFiles map[string][]byte
	if p.SiteOverlay != "" {
		siteOverlay = filepath.Join(dir, p.SiteOverlay)
		if siteFiles, err = readOverlay(dir, p.SiteOverlay, o.Limits.file()); err != nil {
			return nil, err
		}
	}
	if objs, err = kustomize.Apply(objs, kustomize.Options{Overlays: o.Overlays, Components: p.Overlays, SiteOverlay: siteOverlay, SiteFiles: siteFiles}); err != nil {
		return nil, err
	}
	_, delivered, _, err := deliverSecrets(s, p, objs, o.Limits.file())
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
