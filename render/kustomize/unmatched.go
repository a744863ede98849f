package kustomize

import (
	"bytes"
	"fmt"
	"path/filepath"

	"sigs.k8s.io/kustomize/api/provider"
	"sigs.k8s.io/kustomize/api/resmap"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render/object"
)

// UnmatchedPatch is a patch of the site overlay that changes nothing.
type UnmatchedPatch struct {
	// File is the overlay's kustomization file, Field the patch
	// (patches[0]).
	File, Field string
	Message     string
}

// Unmatched lists the patches of the site overlay whose target: selector
// selects none of objs (the objects the overlays produced): krusty applies
// such a patch to nothing, silently. Each entry names the kustomization
// file, the patch and its target. A patch without a target that names no
// object is an error of Apply already.
func Unmatched(objs []object.Object, siteOverlay string, files map[string][]byte) ([]UnmatchedPatch, error) {
	if siteOverlay == "" {
		return nil, nil
	}
	file, data := "", []byte(nil)
	for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
		if b, ok := files[n]; ok {
			file, data = filepath.Join(siteOverlay, n), b
			break
		}
	}
	if file == "" {
		return nil, nil // Apply reports it
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(data, &k); err != nil {
		return nil, nil // Apply reports it
	}
	var stream bytes.Buffer
	for _, o := range objs {
		b, err := object.MarshalYAML(o.Doc)
		if err != nil {
			return nil, fmt.Errorf("checking the patches of %s: encoding %s: %w", file, o.ID(), err)
		}
		stream.WriteString("---\n")
		stream.Write(b)
	}
	rm, err := resmap.NewFactory(provider.NewDefaultDepProvider().GetResourceFactory()).NewResMapFromBytes(stream.Bytes())
	if err != nil {
		return nil, fmt.Errorf("checking the patches of %s: %w", file, err)
	}
	var out []UnmatchedPatch
	check := func(field string, patches []types.Patch) error {
		for i, p := range patches {
			if p.Target == nil {
				continue
			}
			n, err := selected(rm, *p.Target)
			if err != nil {
				return fmt.Errorf("%s: %s[%d]: target: %w", file, field, i, err)
			}
			if n == 0 {
				t, _ := yaml.Marshal(p.Target)
				msg := fmt.Sprintf("the target {%s} selects no object of the site, so the patch changes nothing", flowYAML(t))
				if p.Target.Namespace != "" {
					msg += " (objects whose chart sets no namespace have none yet when overlays apply: leave namespace out of the target)"
				}
				out = append(out, UnmatchedPatch{File: file, Field: fmt.Sprintf("%s[%d]", field, i), Message: msg})
			}
		}
		return nil
	}
	if err := check("patches", k.Patches); err != nil {
		return nil, err
	}
	if err := check("patchesJson6902", k.PatchesJson6902); err != nil {
		return nil, err
	}
	return out, nil
}

// selected counts the objects s selects.
func selected(rm resmap.ResMap, s types.Selector) (int, error) {
	rs, err := rm.Select(s)
	return len(rs), err
}

// flowYAML is a one-line "k: v, k: v" form of a small YAML map.
func flowYAML(b []byte) string {
	lines := bytes.Split(bytes.TrimSpace(b), []byte("\n"))
	return string(bytes.Join(lines, []byte(", ")))
}
