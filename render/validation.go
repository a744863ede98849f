package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/validate"
)

// validateSite runs the validation stage over the arranged files of one
// site. Files are named as they are (or would be) written: under outDir
// when set, else relative to the output directory.
func validateSite(s *profile.Site, p *profile.Plan, clusterTier string, files []manifest.File, outDir string, lim fsguard.Limit, preCreated []string) ([]validate.Finding, error) {
	items := make([]validate.Item, 0, len(files))
	for _, f := range files {
		if f.Object.Doc == nil {
			continue // a tier's kustomization.yaml
		}
		name := path.Join(s.Name, f.Path)
		if f.Object.Tier == clusterTier {
			name = f.Path // the cluster directory's, in DIR
		}
		if outDir != "" {
			name = filepath.Join(outDir, filepath.FromSlash(name))
		}
		items = append(items, validate.Item{Object: f.Object, File: name})
	}
	opts, err := validateOptions(s, p, clusterTier, lim, preCreated)
	if err != nil {
		return nil, err
	}
	return validate.Run(items, opts)
}

// validateOptions builds the stage's options from the plan. preCreated
// (namespace/name) are Secrets the operator creates: the secret workflow
// left them out of the tree.
func validateOptions(s *profile.Site, p *profile.Plan, clusterTier string, lim fsguard.Limit, preCreated []string) (validate.Options, error) {
	var pol validate.Policy
	if len(p.Checks) > 0 {
		if err := json.Unmarshal(p.Checks, &pol); err != nil {
			return validate.Options{}, fmt.Errorf("decoding the checks of the plan (a schema defect): %w", err)
		}
	}
	if len(preCreated) > 0 {
		if pol.Provided == nil {
			pol.Provided = map[string][]string{}
		}
		pol.Provided["Secret"] = append(slices.Clone(pol.Provided["Secret"]), preCreated...)
	}
	crds, err := providedCRDs(s, pol.APIs, lim)
	if err != nil {
		return validate.Options{}, err
	}
	var nss []string
	for _, n := range p.Namespaces {
		nss = append(nss, n.Name)
	}
	return validate.Options{
		Site: s.Name, Profile: s.Source.File, KubeVersion: p.KubeVersion,
		Namespace: p.Namespace, Namespaces: nss, ClusterTier: clusterTier, Policy: pol, ProvidedCRDs: crds,
	}, nil
}

// providedCRDs reads the CRD files of the profile's provided APIs,
// relative to the profile and never outside its directory (os.Root: no
// "..", no symbolic link out).
func providedCRDs(s *profile.Site, apis []validate.ProvidedAPI, lim fsguard.Limit) (map[string]map[string]any, error) {
	out := map[string]map[string]any{}
	var root *os.Root
	for i, a := range apis {
		if a.CRD == "" {
			continue
		}
		if root == nil {
			r, err := os.OpenRoot(filepath.Dir(s.Source.File))
			if err != nil {
				return nil, fmt.Errorf("reading provided.apis[%d].crd: %w", i, err)
			}
			defer r.Close()
			root = r
		}
		where := fmt.Sprintf("%s: provided.apis[%d].crd", s.Source.File, i)
		b, err := fsguard.ReadFile(root, filepath.FromSlash(a.CRD), a.CRD, lim)
		if err != nil {
			return nil, fmt.Errorf("%s: %w\nhint: name a CustomResourceDefinition file inside the profile's directory, relative to the profile", where, err)
		}
		docs, err := object.Decode(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", where, a.CRD, err)
		}
		var crd map[string]any
		for _, d := range docs {
			o := object.Object{Doc: d}
			if o.GroupKind() != "CustomResourceDefinition.apiextensions.k8s.io" {
				continue
			}
			g, _ := object.Dig(d, "spec", "group").(string)
			k, _ := object.Dig(d, "spec", "names", "kind").(string)
			if g == a.Group && k == a.Kind {
				crd = d
			}
		}
		if crd == nil {
			return nil, fmt.Errorf("%s: %s holds no CustomResourceDefinition of %s.%s\nhint: give the CRD file of the operator that serves this API", where, a.CRD, a.Kind, a.Group)
		}
		out[a.CRDKey()] = crd
	}
	return out, nil
}

// findingsError returns the validation error of a run: every finding of
// every site when one of them is an error, else nil.
// clusterFindings names the cluster in the findings about the objects of
// a cluster directory (validated with each of its sites) and keeps each
// once, with the first site of the cluster.
func clusterFindings(results []SiteResult, outDir string) {
	seen := map[string]bool{}
	for i := range results {
		kept := results[i].Findings[:0]
		for _, f := range results[i].Findings {
			rel := filepath.ToSlash(f.File)
			if outDir != "" {
				if r, err := filepath.Rel(outDir, f.File); err == nil {
					rel = filepath.ToSlash(r)
				}
			}
			if parts := strings.SplitN(rel, "/", 3); len(parts) == 3 && parts[0] == ClustersDir {
				f.Site = ClustersDir + "/" + parts[1]
				key := strings.Join([]string{f.Site, f.File, f.Path, f.Check, string(f.Severity), f.Message}, "\x00")
				if seen[key] {
					continue
				}
				seen[key] = true
			}
			kept = append(kept, f)
		}
		results[i].Findings = kept
	}
}

func findingsError(sites []SiteResult) error {
	var all []validate.Finding
	for _, s := range sites {
		all = append(all, s.Findings...)
	}
	if validate.Count(all, validate.SeverityError) == 0 {
		return nil
	}
	validate.Sort(all)
	return &validate.Error{Findings: all}
}

// Findings returns the findings of a run that failed validation.
func Findings(err error) ([]validate.Finding, bool) {
	var ve *validate.Error
	if errors.As(err, &ve) {
		return ve.Findings, true
	}
	return nil, false
}
