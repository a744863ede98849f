package render

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"path/filepath"

	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/validate"
)

// validateSite runs the validation stage over the arranged files of one
// site. Files are named as they are (or would be) written: under outDir
// when set, else relative to the output directory.
func validateSite(s *profile.Site, p *profile.Plan, clusterTier string, files []manifest.File, outDir string) ([]validate.Finding, error) {
	items := make([]validate.Item, 0, len(files))
	for _, f := range files {
		if f.Object.Doc == nil {
			continue // a tier's kustomization.yaml
		}
		name := path.Join(s.Name, f.Path)
		if outDir != "" {
			name = filepath.Join(outDir, filepath.FromSlash(name))
		}
		items = append(items, validate.Item{Object: f.Object, File: name})
	}
	opts, err := validateOptions(s, p, clusterTier)
	if err != nil {
		return nil, err
	}
	return validate.Run(items, opts)
}

// validateOptions builds the stage's options from the plan.
func validateOptions(s *profile.Site, p *profile.Plan, clusterTier string) (validate.Options, error) {
	var pol validate.Policy
	if len(p.Checks) > 0 {
		if err := json.Unmarshal(p.Checks, &pol); err != nil {
			return validate.Options{}, fmt.Errorf("decoding the checks of the plan (a schema defect): %w", err)
		}
	}
	return validate.Options{
		Site: s.Name, Profile: s.Source.File, KubeVersion: p.KubeVersion,
		Namespace: p.Namespace, ClusterTier: clusterTier, Policy: pol,
	}, nil
}

// findingsError returns the validation error of a run: every finding of
// every site when one of them is an error, else nil.
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
