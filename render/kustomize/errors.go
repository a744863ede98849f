package kustomize

import (
	"bytes"
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"

	"github.com/tpgen/tpgen/render/object"
)

// krustyError is a common krusty failure, recognised by its message,
// and what tpgen says instead.
type krustyError struct {
	re *regexp.Regexp
	// say builds the message and hint from the submatches and the
	// overlay's kustomization file.
	say func(m []string, file string) (msg, hint string)
}

var krustyErrors = []krustyError{
	{regexp.MustCompile(`expected kind '(\w+)' for path '[^']*' but got '(\w+)'`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("%s is of kind %s; a site overlay must be a %s", file, m[2], m[1]),
			fmt.Sprintf("set `apiVersion: kustomize.config.k8s.io/v1alpha1` and `kind: Component` in %s (a Component patches the site's objects; a Kustomization cannot)", file)
	}},
	{regexp.MustCompile(`failed to get the patch file from path\(([^)]*)\)`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("%s names the patch file %s, which does not exist", file, m[1]),
			fmt.Sprintf("a patch path is relative to %s; correct it or add the file", filepath.Dir(file))
	}},
	{regexp.MustCompile(`no resource matches strategic merge patch \\?"([^"\\]*)`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("a patch of %s targets %s, which the site does not render", file, m[1]),
			"check the patch's apiVersion, kind, name and namespace against the rendered tree (DIR/<site>/<tier>/), or give the patch a target: selector"
	}},
	{regexp.MustCompile(`no matches for Id ([^;\s"\\]+); failed to find unique target for patch`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("a patch of %s targets %s, which the site does not render", file, m[1]),
			"check the patch's apiVersion, kind, name and namespace against the rendered tree (DIR/<site>/<tier>/), or give the patch a target: selector"
	}},
	{regexp.MustCompile(`(add|remove|replace|move|copy|test) operation does not apply: doc is missing (?:from )?path: (?:\\?")?([^\s:"\\]+)`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("a JSON patch of %s cannot %s %s: an object its target selects has no such field", file, m[1], m[2]),
			"narrow the patch's target: selector to the objects that have the field, or use op: add (its parent must exist); compare with the rendered tree (DIR/<site>/<tier>/)"
	}},
	{regexp.MustCompile(`unable to parse SM or JSON patch`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("a patch of %s is neither a strategic-merge patch nor a JSON patch: its YAML does not parse (its text is not shown: it may hold a secret)", file),
			"a patch is a partial object (apiVersion, kind, metadata.name and the fields to change) or a list of {op, path, value}; check its indentation, brackets and quotes"
	}},
	{regexp.MustCompile(`unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("%s holds no kustomization.yaml", filepath.Dir(file)),
			"the profile's overlay names a directory holding a kustomization.yaml of kind Component"
	}},
	{regexp.MustCompile(`kustomization.yaml is empty`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("%s is empty", file), "write a Component: apiVersion: kustomize.config.k8s.io/v1alpha1, kind: Component, and its patches or resources"
	}},
	{regexp.MustCompile(`json: unknown field \\?"([^"\\]*)`), func(m []string, file string) (string, string) {
		return fmt.Sprintf("%s has an unknown field %q", file, m[1]), "see the Kustomize Component reference for the fields of a kustomization"
	}},
}

// translate turns a krusty error about the site overlay into tpgen's
// words with a hint naming the overlay's kustomization file; msg (paths
// already unmapped) is returned as is when it is not one of the common
// ones.
func translate(msg, siteOverlay string) string {
	if siteOverlay == "" {
		return msg
	}
	file := filepath.Join(siteOverlay, "kustomization.yaml")
	for _, k := range krustyErrors {
		if m := k.re.FindStringSubmatch(msg); m != nil {
			text, hint := k.say(m, file)
			return text + "\nhint: " + hint
		}
	}
	return strings.TrimSpace(krustyConfig.ReplaceAllString(msg, "with config (not shown)$1"))
}

// krustyConfig is the configuration krusty dumps into a plugin's error
// (trouble configuring builtin PatchTransformer with config: `...`): an
// overlay's patch text, which may hold a secret, is never printed; nor
// is the patch krusty quotes after "from".
var krustyConfig = regexp.MustCompile("(?s)with config: `.*?`(:)|(?s) from \\[patch: .*$")

// equalDocs compares an object before and after the overlays: both are
// decoded by object.Decode, so most unchanged objects are deeply equal;
// the others are compared through their YAML form, where values of other
// Go types but the same meaning agree.
func equalDocs(a, b map[string]any) bool {
	if reflect.DeepEqual(a, b) {
		return true
	}
	x, err1 := object.MarshalYAML(a)
	y, err2 := object.MarshalYAML(b)
	return err1 == nil && err2 == nil && bytes.Equal(x, y)
}
