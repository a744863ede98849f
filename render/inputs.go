package render

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/profile"
)

// inputs digests everything a site's tree is made from: tpgen's version,
// the profile and its fleet defaults, the plan (which holds what the CUE
// schema computed), every chart and overlay file used. Two renders with the
// same digest produce the same tree.
// charts are the site's charts in tier order, as loaded for rendering.
// siteFiles are the site overlay's files, as read for rendering.
func inputs(s *profile.Site, p *profile.Plan, charts []loadedChart, siteFiles map[string][]byte, o Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "tpgen %s\n", o.Version)
	for _, f := range append([]string{s.Source.File}, s.Source.Defaults...) {
		b, err := profile.ReadSource(s.Source.Root, f, o.Limits.profile())
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s %d\n", filepath.ToSlash(f), len(b))
		h.Write(b)
	}
	plan, err := json.Marshal(p)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(h, "plan %d\n", len(plan))
	h.Write(plan)
	for _, ch := range charts {
		if ch.chart != nil {
			if ch.pin != "" {
				fmt.Fprintf(h, "chart pin %s\n", ch.pin)
			}
			digestChart(h, ch.name, ch.chart)
			continue
		}
		for _, n := range slices.Sorted(maps.Keys(ch.files)) {
			fmt.Fprintf(h, "module %s/%s %d\n", ch.name, n, len(ch.files[n]))
			h.Write(ch.files[n])
		}
	}
	outside := false
	for _, c := range p.Overlays {
		up, err := digestDir(h, o.Overlays, c, "overlay "+c)
		if err != nil {
			return "", err
		}
		outside = outside || up
	}
	if outside {
		// A component that may name files outside its directory
		// (resources: [../common]): every overlay file is an input.
		if _, err := digestDir(h, o.Overlays, ".", "overlays"); err != nil {
			return "", err
		}
	}
	names := make([]string, 0, len(siteFiles))
	for n := range siteFiles {
		names = append(names, n)
	}
	// In fs.WalkDir's order (directory by directory), as digested before.
	slices.SortFunc(names, func(a, b string) int {
		return slices.Compare(strings.Split(a, "/"), strings.Split(b, "/"))
	})
	for _, n := range names {
		fmt.Fprintf(h, "site overlay %s %d\n", n, len(siteFiles[n]))
		h.Write(siteFiles[n])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// readOverlay reads the site overlay rel (relative to the profile's
// directory dir) through its own root: regular files only, none outside
// the overlay directory, each within lim, no YAML file with a duplicate
// key. Keys are slash-separated paths relative to the overlay.
func readOverlay(dir, rel string, lim fsguard.Limit) (map[string][]byte, error) {
	root, err := fsguard.OpenDir(dir, rel, "overlay")
	if err != nil {
		return nil, err
	}
	defer root.Close()
	label := filepath.ToSlash(filepath.Join(dir, rel))
	files := map[string][]byte{}
	err = fsguard.Walk(root, ".", label, lim, nil, func(name string, b []byte) error {
		if ext := path.Ext(name); ext == ".yaml" || ext == ".yml" || path.Base(name) == "Kustomization" {
			if err := fsguard.DuplicateKeys(path.Join(label, name), b); err != nil {
				return err
			}
		}
		files[name] = b
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading overlay %s: %w", label, err)
	}
	return files, nil
}

func digestChart(h hash.Hash, name string, ch *chart.Chart) {
	files := slices.Clone(ch.Raw)
	slices.SortFunc(files, func(a, b *chart.File) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	for _, f := range files {
		fmt.Fprintf(h, "chart %s %s %d\n", name, f.Name, len(f.Data))
		h.Write(f.Data)
	}
}

// digestDir digests the files under root; up says whether one of them
// holds "../" (it may name a file outside root).
func digestDir(h hash.Hash, fsys fs.FS, root, label string) (up bool, err error) {
	err = fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s %s %d\n", label, path.Clean(p), len(b))
		h.Write(b)
		up = up || bytes.Contains(b, []byte("../"))
		return nil
	})
	return up, err
}
