package kustomize

import (
	"encoding/json"
	"os"
	"path"
	"strings"
	"sync"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/kustomize/kyaml/resid"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render/object"
)

// Issue 17: krusty used to process every object of a site, under one
// process-wide lock, when the overlays of a fleet patch a handful of
// named objects. Two narrowings, each taken only when it provably
// changes nothing:
//
// Objects no patch selects skip krusty (patchTargets, passThrough). When
// every overlay is a Component of `patches` entries alone, each with a
// target: of group, version, kind, name and namespace only (no label or
// annotation selector, no options), krusty's PatchTransformer changes
// exactly the objects those targets select (resmap.Select, evaluated here
// with kustomize's own SelectorRegex and resid), one object at a time,
// and adds none. An object no target selects comes out of krusty as it
// went in, so it is passed on untouched. Objects krusty treats
// specially anyway (a List it expands, an object carrying a
// config.kubernetes.io or kustomize annotation, one whose annotations are
// not a non-empty mapping, an id shared with another object) go through
// krusty, and krusty always runs (with the selected objects only, maybe
// none), so a patch that does not parse still fails the site.
//
// The lock is narrowed to krusty's real shared state: kyaml's global
// OpenAPI schema. It is parsed once, then only read by builds whose
// kustomizations set no openapi: field, which run concurrently (a read
// lock); a build whose kustomization sets one replaces the global schema,
// so it runs alone and the schema is reset after it.

var (
	schemaMu    sync.RWMutex
	schemaReady bool // the default schema is parsed; guarded by schemaMu
)

// lockSchema takes krusty's lock: shared, or exclusive for a build that
// sets the schema. The returned function releases it.
func lockSchema(exclusive bool) (unlock func()) {
	for !exclusive {
		schemaMu.RLock()
		if schemaReady {
			return schemaMu.RUnlock
		}
		schemaMu.RUnlock()
		schemaMu.Lock()
		if !schemaReady {
			openapi.Schema() // parses the built-in schema
			schemaReady = true
		}
		schemaMu.Unlock()
	}
	schemaMu.Lock()
	return func() {
		openapi.ResetOpenAPI()
		schemaReady = false
		schemaMu.Unlock()
	}
}

// isKustomization says whether name is a file krusty reads as a
// kustomization.
func isKustomization(name string) bool {
	base := path.Base(name)
	for _, k := range konfig.RecognizedKustomizationFileNames() {
		if base == k {
			return true
		}
	}
	return false
}

// setsOpenAPI says whether a kustomization file among files (or one that
// does not parse) may set krusty's global OpenAPI schema.
func setsOpenAPI(files map[string][]byte) bool {
	for name, b := range files {
		if !isKustomization(name) {
			continue
		}
		var k map[string]any
		if err := yaml.Unmarshal(b, &k); err != nil {
			return true
		}
		if _, ok := k["openapi"]; ok {
			return true
		}
	}
	return false
}

// memFiles returns the files of mem under root.
func memFiles(mem filesys.FileSystem, root string) map[string][]byte {
	out := map[string][]byte{}
	_ = mem.Walk(root, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		if b, err := mem.ReadFile(p); err == nil {
			out[p] = b
		}
		return nil
	})
	return out
}

// patchTargets returns the selectors of every patch of the Components in
// dirs (directories of files), or ok false when one of them is anything
// but target-selected patches (see above).
func patchTargets(files map[string][]byte, dirs []string) (sels []*types.SelectorRegex, ok bool) {
	for _, dir := range dirs {
		var kfile []byte
		n := 0
		for _, k := range konfig.RecognizedKustomizationFileNames() {
			if b, found := files[path.Join(dir, k)]; found {
				kfile, n = b, n+1
			}
		}
		if n != 1 {
			return nil, false
		}
		j, err := yaml.YAMLToJSONStrict(kfile)
		if err != nil {
			return nil, false
		}
		var k map[string]json.RawMessage
		if err := json.Unmarshal(j, &k); err != nil {
			return nil, false
		}
		var apiVersion, kind string
		var patches []map[string]json.RawMessage
		for key, v := range k {
			var err error
			switch key {
			case "apiVersion":
				err = json.Unmarshal(v, &apiVersion)
			case "kind":
				err = json.Unmarshal(v, &kind)
			case "patches":
				err = json.Unmarshal(v, &patches)
			default:
				return nil, false
			}
			if err != nil {
				return nil, false
			}
		}
		if apiVersion != types.ComponentVersion || kind != types.ComponentKind {
			return nil, false
		}
		for _, p := range patches {
			t, has := p["target"]
			if !has {
				return nil, false
			}
			for key := range p {
				if key != "target" && key != "patch" && key != "path" {
					return nil, false
				}
			}
			var target map[string]string
			if err := json.Unmarshal(t, &target); err != nil {
				return nil, false
			}
			var s types.Selector
			for key, v := range target {
				switch key {
				case "group":
					s.Group = v
				case "version":
					s.Version = v
				case "kind":
					s.Kind = v
				case "name":
					s.Name = v
				case "namespace":
					s.Namespace = v
				default:
					return nil, false
				}
			}
			sr, err := types.NewSelectorRegex(&s)
			if err != nil {
				return nil, false
			}
			sels = append(sels, sr)
		}
	}
	return sels, true
}

// passThrough says whether ob may skip krusty: no selector selects it
// (as resmap.Select would) and krusty would not treat it specially.
// ids counts the objects by id; it is called with the lock held
// (kustomize's ids read the OpenAPI schema).
func passThrough(ob object.Object, sels []*types.SelectorRegex, ids map[string]int) bool {
	meta, ok := ob.Doc["metadata"].(map[string]any)
	if !ok || strings.HasSuffix(ob.Kind(), "List") {
		return false
	}
	name, _ := meta["name"].(string)
	apiVersion, _ := ob.Doc["apiVersion"].(string)
	kind, _ := ob.Doc["kind"].(string)
	if name == "" || apiVersion == "" || kind == "" {
		return false
	}
	if _, ok := meta["namespace"]; ok {
		if _, isString := meta["namespace"].(string); !isString {
			return false
		}
	}
	if a, has := meta["annotations"]; has {
		ann, ok := a.(map[string]any)
		if !ok || len(ann) == 0 {
			return false
		}
		for key := range ann {
			if strings.Contains(key, "config.kubernetes.io/") || strings.Contains(key, "config.k8s.io/") {
				return false
			}
		}
	}
	g, v := resid.ParseGroupVersion(apiVersion)
	gvk := resid.NewGvk(g, v, kind)
	id := resid.NewResIdWithNamespace(gvk, name, ob.Namespace())
	if ids[g+"|"+kind+"|"+id.EffectiveNamespace()+"|"+name] > 1 {
		return false
	}
	for _, sr := range sels {
		if sr.MatchNamespace(id.EffectiveNamespace()) && sr.MatchName(name) && sr.MatchGvk(gvk) {
			return false
		}
	}
	return true
}

// countIDs counts objs by the id passThrough checks (with the lock held).
func countIDs(objs []object.Object) map[string]int {
	ids := make(map[string]int, len(objs))
	for _, ob := range objs {
		g, v := resid.ParseGroupVersion(ob.APIVersion())
		id := resid.NewResIdWithNamespace(resid.NewGvk(g, v, ob.Kind()), ob.Name(), ob.Namespace())
		ids[g+"|"+ob.Kind()+"|"+id.EffectiveNamespace()+"|"+ob.Name()]++
	}
	return ids
}
