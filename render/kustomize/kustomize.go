// Package kustomize is the overlay stage: it applies Kustomize Components
// (tpgen's embedded overlays chosen by the plan, then the site's own overlay
// directory) to all objects of one site at once, with krusty on an
// in-memory file system.
//
// In: objects and the overlay list. Out: the patched objects, each still
// carrying its tier and source; objects an overlay adds have an empty Tier
// and the overlay as Source. It never touches the disk except to read the
// site overlay directory, and never prints. It never opens a network
// connection nor starts a program: a site overlay that would make krusty
// fetch or run anything is refused first (refuse.go). krusty sees only the
// objects a targeted patch can select when the overlays are such patches
// alone, builds run concurrently unless an overlay sets openapi:
// (narrow.go), and a build made before in the process is not made again.
package kustomize

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/internal/memo"
	"github.com/tpgen/tpgen/render/object"
)

// Options says which overlays apply.
type Options struct {
	// Overlays holds the embedded overlay directories; Components names
	// those that apply, in order.
	Overlays   fs.FS
	Components []string
	// SiteOverlay is a directory on disk holding a Component, or "".
	SiteOverlay string
	// SiteFiles, when set, are SiteOverlay's files (slash-separated paths
	// relative to it), already read by the caller's input guard; the
	// directory is then not read again.
	SiteFiles map[string][]byte
}

const (
	annTier   = "tpgen.internal/tier"
	annSource = "tpgen.internal/source"
	annIndex  = "tpgen.internal/index"
)

// Apply runs the overlays over objs.
func Apply(objs []object.Object, o Options) (out []object.Object, err error) {
	if len(o.Components) == 0 && o.SiteOverlay == "" {
		return objs, nil
	}
	names := append([]string(nil), o.Components...)
	if o.SiteOverlay != "" {
		names = append(names, o.SiteOverlay)
	}
	label := strings.Join(names, ", ")
	mem := filesys.MakeFsInMemory()
	var comps, dirs []string
	for _, c := range o.Components {
		if err := copyFS(mem, o.Overlays, c, "/overlays/"+c); err != nil {
			return nil, fmt.Errorf("applying overlay %s: %w", c, err)
		}
		comps = append(comps, "../overlays/"+c)
		dirs = append(dirs, "/overlays/"+c)
	}
	if o.SiteOverlay != "" {
		files := o.SiteFiles
		if files == nil {
			var err error
			if files, err = readSite(o.SiteOverlay); err != nil {
				return nil, fmt.Errorf("applying overlay %s: %w\nhint: overlay: in the profile names a directory relative to the profile", o.SiteOverlay, err)
			}
		}
		for name, b := range files {
			if err := mem.WriteFile(path.Join("/site", name), b); err != nil {
				return nil, err
			}
		}
		if err := refuseUnsafe(mem, "/site", o.SiteOverlay); err != nil {
			return nil, err
		}
		comps = append(comps, "../site")
		dirs = append(dirs, "/site")
	}
	overlayFiles := memFiles(mem, "/")
	unlock := lockSchema(setsOpenAPI(overlayFiles))
	defer unlock()
	sels, narrow := patchTargets(overlayFiles, dirs)
	var ids map[string]int
	if narrow {
		ids = countIDs(objs)
	}
	var res bytes.Buffer
	var through []int // the indexes in objs of the objects krusty sees
	for i, ob := range objs {
		if narrow && passThrough(ob, sels, ids) {
			continue
		}
		d := object.DeepCopy(ob.Doc)
		meta, _ := d["metadata"].(map[string]any)
		ann, _ := meta["annotations"].(map[string]any)
		if ann == nil {
			ann = map[string]any{}
			meta["annotations"] = ann
		}
		ann[annTier] = ob.Tier
		ann[annSource] = ob.Source
		if narrow {
			ann[annIndex] = strconv.Itoa(len(through))
		}
		through = append(through, i)
		b, err := object.MarshalYAML(d)
		if err != nil {
			return nil, fmt.Errorf("applying overlays (%s): encoding %s: %w", label, ob.ID(), err)
		}
		res.WriteString("---\n")
		res.Write(b)
	}
	if err := mem.WriteFile("/build/resources.yaml", res.Bytes()); err != nil {
		return nil, err
	}
	resources := []string{"resources.yaml"}
	if len(through) == 0 {
		resources = []string{} // krusty still checks the overlays
	}
	k, _ := yaml.Marshal(map[string]any{
		"apiVersion": "kustomize.config.k8s.io/v1beta1",
		"kind":       "Kustomization",
		"resources":  resources,
		"components": comps,
	})
	if err := mem.WriteFile("/build/kustomization.yaml", k); err != nil {
		return nil, err
	}
	key := buildKey(label, narrow, overlayFiles, res.Bytes(), k)
	results, hit := builds.Get(key)
	if !hit {
		if results, err = build(mem, objs, through, narrow, label, o.SiteOverlay); err != nil {
			return nil, err
		}
		size := int64(res.Len())
		builds.Put(key, results, size)
	}
	// The objects in their order; with narrow, those krusty deleted left
	// out, those it added (none, with patches alone) last.
	if !narrow {
		out = make([]object.Object, 0, len(results))
		for _, r := range results {
			out = append(out, r.copy())
		}
		return out, nil
	}
	byIndex := make([]*built, len(through))
	var added []object.Object
	for i, r := range results {
		if r.index >= 0 && r.index < len(through) && byIndex[r.index] == nil {
			byIndex[r.index] = &results[i]
			continue
		}
		added = append(added, r.copy())
	}
	out = make([]object.Object, 0, len(objs)+len(added))
	next := 0
	for i, ob := range objs {
		if next < len(through) && through[next] == i {
			if r := byIndex[next]; r != nil {
				out = append(out, r.copy())
			}
			next++
			continue
		}
		out = append(out, ob)
	}
	return append(out, added...), nil
}

// built is one object out of krusty: index is its position among the
// objects krusty was given (-1: one it added, or Apply did not narrow).
type built struct {
	index int
	ob    object.Object
}

// copy returns the object with its own document (the memo keeps its).
func (b built) copy() object.Object {
	ob := b.ob
	ob.Doc = object.DeepCopy(ob.Doc)
	return ob
}

// builds memoize krusty's runs (issue 17): sites whose overlays, and
// objects krusty sees, are the same (with narrowing, often the case of
// the few objects a Component patches) get krusty's output once. The key
// digests every file of the build, the overlays' label and whether Apply
// narrowed; the size is that of the resources given to krusty.
var builds = memo.New[[]built](32 << 20)

func buildKey(label string, narrow bool, overlays map[string][]byte, resources, kustomization []byte) memo.Key {
	h := sha256.New()
	fmt.Fprintf(h, "label %q narrow %v\n", label, narrow)
	for _, n := range slices.Sorted(maps.Keys(overlays)) {
		fmt.Fprintf(h, "file %q %d\n", n, len(overlays[n]))
		h.Write(overlays[n])
	}
	fmt.Fprintf(h, "resources %d\n", len(resources))
	h.Write(resources)
	fmt.Fprintf(h, "kustomization %d\n", len(kustomization))
	h.Write(kustomization)
	var k memo.Key
	h.Sum(k[:0])
	return k
}

// build runs krusty on mem and decodes its output; through are the
// indexes in objs of the objects it was given.
func build(mem filesys.FileSystem, objs []object.Object, through []int, narrow bool, label, siteOverlay string) (results []built, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("applying overlays (%s): kustomize panicked: %v", label, r)
		}
	}()
	rm, err := krusty.MakeKustomizer(kustomizerOptions()).Run(mem, "/build")
	if err != nil {
		return nil, fmt.Errorf("applying overlays (%s): %s", label, translate(unmapPaths(err.Error(), siteOverlay), siteOverlay))
	}
	before := make(map[string]map[string]any, len(through))
	for _, i := range through {
		ob := objs[i]
		before[ob.GroupKind()+"|"+ob.Namespace()+"|"+ob.Name()] = ob.Doc
	}
	for _, r := range rm.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("applying overlays (%s): %w", label, err)
		}
		docs, err := object.Decode(b)
		if err != nil || len(docs) != 1 {
			return nil, fmt.Errorf("applying overlays (%s): decoding %s: %v", label, r.CurId(), err)
		}
		ob := object.Object{Doc: docs[0], Source: "overlay " + label}
		index := -1
		if ann := ob.Annotations(); ann != nil {
			if t, ok := ann[annTier].(string); ok {
				ob.Tier = t
			}
			if s, ok := ann[annSource].(string); ok {
				ob.Source = s
			}
			if s, ok := ann[annIndex].(string); ok && narrow {
				if n, err := strconv.Atoi(s); err == nil {
					index = n
				}
				delete(ann, annIndex)
			}
			delete(ann, annTier)
			delete(ann, annSource)
			if len(ann) == 0 {
				delete(ob.Doc["metadata"].(map[string]any), "annotations")
			}
		}
		if old, ok := before[ob.GroupKind()+"|"+ob.Namespace()+"|"+ob.Name()]; ok && !equalDocs(old, ob.Doc) {
			ob.Patched = "overlay " + label
		}
		results = append(results, built{index: index, ob: ob})
	}
	return results, nil
}

// kustomizerOptions are krusty's options, stated rather than defaulted:
// files load only from the kustomization's own root, plugins are the
// statically linked builtins only (no exec, container, Go or Starlark
// plugin), and helm is disabled, so krusty could not run a program even if
// refuseUnsafe missed an entry.
func kustomizerOptions() *krusty.Options {
	pc := types.DisabledPluginConfig()
	pc.HelmConfig = types.HelmConfig{Enabled: false}
	pc.FnpLoadingOptions = types.FnPluginLoadingOptions{}
	return &krusty.Options{
		Reorder:           krusty.ReorderOptionNone,
		AddManagedbyLabel: false,
		LoadRestrictions:  types.LoadRestrictionsRootOnly,
		PluginConfig:      pc,
	}
}

// unmapPaths rewrites in-memory paths in kustomize messages to what the
// user knows.
func unmapPaths(msg, site string) string {
	msg = strings.ReplaceAll(msg, "/overlays/", "overlays/")
	if site != "" {
		msg = strings.ReplaceAll(msg, "/site/", filepath.ToSlash(site)+"/")
		msg = strings.ReplaceAll(msg, "/site", filepath.ToSlash(site))
	}
	return msg
}

// readSite reads a site overlay directory through the input guard (no
// file outside it, regular files only, bounded).
func readSite(dir string) (map[string][]byte, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	files := map[string][]byte{}
	lim := fsguard.Limit{Max: 4 << 20, What: "file size", Raise: "--max-file-size"}
	err = fsguard.Walk(root, ".", dir, lim, nil, func(rel string, b []byte) error {
		files[rel] = b
		return nil
	})
	return files, err
}

func copyFS(mem filesys.FileSystem, src fs.FS, root, dst string) error {
	return fs.WalkDir(src, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		b, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, root), "/")
		return mem.WriteFile(path.Join(dst, rel), b)
	})
}

// Build builds a Kustomize directory (a component of kind kustomize): its
// files (slash-separated paths relative to it, already read by the
// caller's input guard) are built with krusty in memory, under the same
// refusals as a site overlay (nothing fetched, no program run). display
// names the directory in errors. Objects get source "kustomize <display>".
func Build(files map[string][]byte, display string) (out []object.Object, err error) {
	mem := filesys.MakeFsInMemory()
	for name, b := range files {
		if err := mem.WriteFile(path.Join("/dir", name), b); err != nil {
			return nil, err
		}
	}
	if err := refuseUnsafeAs(mem, "/dir", display, "kustomize directory"); err != nil {
		return nil, err
	}
	unlock := lockSchema(setsOpenAPI(files))
	defer unlock()
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("building kustomize directory %s: kustomize panicked: %v", display, r)
		}
	}()
	rm, err := krusty.MakeKustomizer(kustomizerOptions()).Run(mem, "/dir")
	if err != nil {
		msg := strings.ReplaceAll(err.Error(), "/dir/", display+"/")
		return nil, fmt.Errorf("building kustomize directory %s: %s", display, strings.ReplaceAll(msg, "/dir", display))
	}
	for _, r := range rm.Resources() {
		b, err := r.AsYAML()
		if err != nil {
			return nil, fmt.Errorf("building kustomize directory %s: %w", display, err)
		}
		docs, err := object.Decode(b)
		if err != nil || len(docs) != 1 {
			return nil, fmt.Errorf("building kustomize directory %s: decoding %s: %v", display, r.CurId(), err)
		}
		out = append(out, object.Object{Doc: docs[0], Source: "kustomize " + display})
	}
	return out, nil
}
