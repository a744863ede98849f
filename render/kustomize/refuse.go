package kustomize

import (
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"

	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/object"
)

// Render never opens a network connection nor starts a process, whatever a
// site overlay says. krusty would: a remote resource or base is cloned with
// the git program or fetched over HTTP, a helmCharts entry runs the helm
// program, a KRM function runs a program or a container. The krusty options
// (see kustomizerOptions) disable plugins and helm, but nothing in them
// stops a remote base, so the site overlay is read first, and every entry
// that krusty would fetch or run is refused before krusty sees it (the same
// choice as Flux's kustomize-controller with --no-remote-bases and Argo CD's
// repo server without plugins).

const vendorHint = "hint: vendor it: copy the files into the overlay directory and name them by a path relative to the kustomization (render never fetches)"

// scpUser is the user@ of an SCP-style git address (git@host:org/repo):
// kustomize treats any entry that starts so as a git repository.
var scpUser = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9-]*@`)

// remote says whether kustomize would fetch s rather than read it from the
// overlay: any URL scheme (http, https, ssh, file, ...), go-getter's git::,
// SCP-style user@host:, and github.com/ or github.com: without scheme. It
// covers every form kustomize's repository spec parser accepts.
func remote(s string) bool {
	t := strings.TrimSpace(s)
	l := strings.ToLower(t)
	return strings.Contains(l, "://") || strings.HasPrefix(l, "git::") || scpUser.MatchString(t) ||
		strings.HasPrefix(l, "github.com/") || strings.HasPrefix(l, "github.com:")
}

// functionAnnotations mark a KRM function (an exec or container program).
var functionAnnotations = []string{"config.kubernetes.io/function", "config.k8s.io/function"}

// overlayCheck checks one site overlay copied into the in-memory file
// system at root; display is the overlay directory as the user named it.
type overlayCheck struct {
	mem      filesys.FileSystem
	root     string
	display  string
	seen     map[string]bool
	problems []string
	remote   bool // a problem is a remote entry: the hint says to vendor it
}

// refuseUnsafe returns an error listing every entry of the site overlay at
// root that would make krusty fetch something or run a program.
func refuseUnsafe(mem filesys.FileSystem, root, display string) error {
	return refuseUnsafeAs(mem, root, display, "site overlay")
}

// refuseUnsafeAs is refuseUnsafe for a directory named what in the
// message ("site overlay", "kustomize directory").
func refuseUnsafeAs(mem filesys.FileSystem, root, display, what string) error {
	c := &overlayCheck{mem: mem, root: root, display: display, seen: map[string]bool{}}
	c.kustomization(root, false)
	c.functionAnnotations()
	if len(c.problems) == 0 {
		return nil
	}
	slices.Sort(c.problems)
	c.problems = slices.Compact(c.problems)
	msg := fmt.Sprintf("%s %s: refused (render never fetches nor runs anything):\n%s", what, display, strings.Join(c.problems, "\n"))
	if c.remote {
		msg += "\n" + vendorHint
	}
	return fmt.Errorf("%s", msg)
}

// name is how a file of the overlay is shown in errors.
func (c *overlayCheck) name(p string) string {
	rel := strings.TrimPrefix(strings.TrimPrefix(p, c.root), "/")
	if rel == "" {
		return c.display
	}
	return path.Join(strings.ReplaceAll(c.display, "\\", "/"), rel)
}

func (c *overlayCheck) addf(file, format string, args ...any) {
	c.problems = append(c.problems, "  "+c.name(file)+": "+fmt.Sprintf(format, args...))
}

// kustomization checks the kustomization file of dir and the directories
// it names. In a plugin directory (a generators/transformers/validators
// entry) every resource is a plugin configuration.
func (c *overlayCheck) kustomization(dir string, plugins bool) {
	if c.seen[dir] {
		return
	}
	c.seen[dir] = true
	file := ""
	for _, n := range konfig.RecognizedKustomizationFileNames() {
		if p := path.Join(dir, n); c.mem.Exists(p) && !c.mem.IsDir(p) {
			file = p
			break
		}
	}
	if file == "" {
		return // krusty says a directory without a kustomization is not one
	}
	b, err := c.mem.ReadFile(file)
	if err != nil {
		c.addf(file, "%v", err)
		return
	}
	var k types.Kustomization
	if err := yaml.Unmarshal(b, &k); err != nil {
		c.addf(file, "cannot be checked: %v", err)
		return
	}
	if len(k.HelmCharts) > 0 || k.HelmGlobals != nil || len(k.HelmChartInflationGenerator) > 0 {
		c.addf(file, "helmCharts/helmGlobals: kustomize would run the helm program; render the chart as a tier of the profile, or vendor its rendered objects as resources")
	}
	for field, entries := range map[string][]string{"resources": k.Resources, "components": k.Components, "bases": k.Bases} {
		for _, e := range entries {
			c.ref(file, dir, field, e, plugins)
		}
	}
	for field, entries := range map[string][]string{"generators": k.Generators, "transformers": k.Transformers, "validators": k.Validators} {
		for _, e := range entries {
			if docs, err := object.Decode([]byte(e)); err == nil && len(docs) > 0 {
				c.pluginDocs(file, field+" (inline)", docs)
				continue
			}
			c.ref(file, dir, field, e, true)
		}
	}
	c.inlinePatches(file, k)
	// Files krusty loads by path (an http(s) URL is fetched).
	files := map[string][]string{"crds": k.Crds, "configurations": k.Configurations}
	if p, ok := k.OpenAPI["path"]; ok {
		files["openapi.path"] = []string{p}
	}
	for _, p := range k.Patches {
		files["patches"] = append(files["patches"], p.Path)
	}
	for _, p := range k.PatchesJson6902 {
		files["patchesJson6902"] = append(files["patchesJson6902"], p.Path)
	}
	for _, p := range k.PatchesStrategicMerge {
		files["patchesStrategicMerge"] = append(files["patchesStrategicMerge"], string(p))
	}
	for _, r := range k.Replacements {
		files["replacements"] = append(files["replacements"], r.Path)
	}
	for _, g := range k.ConfigMapGenerator {
		files["configMapGenerator"] = append(files["configMapGenerator"], sources(g.KvPairSources)...)
	}
	for _, g := range k.SecretGenerator {
		files["secretGenerator"] = append(files["secretGenerator"], sources(g.KvPairSources)...)
	}
	for field, entries := range files {
		for _, e := range entries {
			if remote(e) {
				c.remote = true
				c.addf(file, "%s entry %q is remote", field, e)
			}
		}
	}
}

// inlinePatches checks the patches written inside the kustomization file
// as the overlay's files are checked when read: no key twice in a mapping,
// no aliases that expand without bound (kustomize expands every alias of a
// patch it applies).
func (c *overlayCheck) inlinePatches(file string, k types.Kustomization) {
	inline := map[string]string{}
	for i, p := range k.Patches {
		inline[fmt.Sprintf("patches[%d].patch", i)] = p.Patch
	}
	for i, p := range k.PatchesJson6902 {
		inline[fmt.Sprintf("patchesJson6902[%d].patch", i)] = p.Patch
	}
	for i, p := range k.PatchesStrategicMerge {
		if strings.Contains(string(p), "\n") {
			inline[fmt.Sprintf("patchesStrategicMerge[%d]", i)] = string(p)
		}
	}
	for field, src := range inline {
		if src == "" {
			continue
		}
		if err := fsguard.DuplicateKeys(field, []byte(src)); err != nil {
			msg, hint, _ := strings.Cut(err.Error(), "\nhint: ")
			c.addf(file, "%s (%s)", msg, hint)
		}
	}
}

// sources are the file names of a generator: files (KEY=PATH or PATH),
// envs and env.
func sources(s types.KvPairSources) []string {
	var out []string
	for _, f := range s.FileSources {
		if _, p, ok := strings.Cut(f, "="); ok {
			f = p
		}
		out = append(out, f)
	}
	out = append(out, s.EnvSources...)
	if s.EnvSource != "" {
		out = append(out, s.EnvSource)
	}
	return out
}

// ref checks an entry naming a file or a kustomization directory: it must
// be a relative path to something inside the overlay. krusty tries a git
// clone before it looks on disk, so a remote form is refused even when a
// directory of that name exists.
func (c *overlayCheck) ref(file, dir, field, e string, plugins bool) {
	switch {
	case remote(e):
		c.remote = true
		c.addf(file, "%s entry %q is remote", field, e)
		return
	case path.IsAbs(e) || strings.HasPrefix(e, `\`):
		c.addf(file, "%s entry %q is an absolute path", field, e)
		return
	}
	p := path.Join(dir, e)
	if p != c.root && !strings.HasPrefix(p, c.root+"/") {
		c.addf(file, "%s entry %q leaves the overlay directory", field, e)
		return
	}
	switch {
	case !c.mem.Exists(p):
		c.addf(file, "%s entry %q names nothing in the overlay directory", field, e)
	case c.mem.IsDir(p):
		c.kustomization(p, plugins)
	case plugins:
		b, err := c.mem.ReadFile(p)
		if err != nil {
			c.addf(p, "%v", err)
			return
		}
		docs, err := object.Decode(b)
		if err != nil {
			return // krusty reports what it cannot parse
		}
		c.pluginDocs(p, field, docs)
	}
}

// pluginDocs refuses plugin configurations that are not kustomize
// builtins (apiVersion: builtin): those are exec, container, Go or
// Starlark plugins, all of which run outside tpgen's control.
func (c *overlayCheck) pluginDocs(file, field string, docs []map[string]any) {
	for _, d := range docs {
		o := object.Object{Doc: d}
		if o.APIVersion() != konfig.BuiltinPluginApiVersion {
			c.addf(file, "%s: %s %q (apiVersion %q) is a plugin, not a kustomize builtin (apiVersion: builtin); use a builtin generator or transformer, or a patch", field, o.Kind(), o.Name(), o.APIVersion())
		}
		c.functionAnnotation(file, o)
	}
}

func (c *overlayCheck) functionAnnotation(file string, o object.Object) {
	for _, a := range functionAnnotations {
		if _, ok := o.Annotations()[a]; ok {
			c.addf(file, "%s %q declares a KRM function (annotation %s): exec and container functions never run in render", o.Kind(), o.Name(), a)
		}
	}
}

// functionAnnotations refuses any YAML document of the overlay that
// declares a KRM function, wherever kustomize would find it.
func (c *overlayCheck) functionAnnotations() {
	_ = c.mem.Walk(c.root, func(p string, info fs.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		b, err := c.mem.ReadFile(p)
		if err != nil {
			return nil
		}
		docs, err := object.Decode(b)
		if err != nil {
			// Not plain YAML objects: judge the text, failing closed.
			for _, a := range functionAnnotations {
				if strings.Contains(string(b), a) {
					c.addf(p, "mentions the KRM function annotation %s: exec and container functions never run in render", a)
				}
			}
			return nil
		}
		for _, d := range docs {
			c.functionAnnotation(p, object.Object{Doc: d})
		}
		return nil
	})
}
