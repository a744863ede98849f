package render

import (
	"strings"
	"testing"
	"testing/fstest"

	"github.com/tpgen/tpgen/internal/fsguard"
)

func TestModuleDirectories(t *testing.T) {
	module := fstest.MapFS{
		"manifests/ok/a.yaml":     {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")},
		"manifests/ok/notes.md":   {Data: []byte("not read as objects")},
		"manifests/nokind/a.yaml": {Data: []byte("apiVersion: v1\nmetadata: {name: a}\n")},
		"manifests/empty/a.txt":   {Data: []byte("x")},
		"manifests/big/a.yaml":    {Data: []byte(strings.Repeat("#", 200))},
		"manifests/dup/a.yaml":    {Data: []byte("apiVersion: v1\nkind: ConfigMap\nkind: Secret\nmetadata: {name: a}\n")},
	}
	lim := fsguard.Limit{Max: 120, What: "file size", Raise: "--max-file-size"}
	read := func(dir string) (string, error) {
		files, display, err := readModuleDir(module, dir, lim)
		if err != nil {
			return "", err
		}
		objs, err := manifests(files, display)
		if err != nil {
			return "", err
		}
		var out []string
		for _, o := range objs {
			out = append(out, o.Name()+" "+o.Source)
		}
		return strings.Join(out, ", "), nil
	}
	got, err := read("manifests/ok")
	if err != nil || got != "a manifests manifests/ok/a.yaml, b manifests manifests/ok/a.yaml" {
		t.Errorf("ok: %q %v", got, err)
	}
	for dir, want := range map[string]string{
		"manifests/nokind": "manifests/nokind/a.yaml: a document without apiVersion, kind or metadata.name\nhint: every document of a manifests directory is one Kubernetes object",
		"manifests/empty":  "manifests/empty: no object in its *.yaml and *.yml files",
		"manifests/none":   "directory manifests/none: not in the module\nhint: a component's path names a directory of its module, e.g. manifests/<name>",
		"../outside":       `path "../outside": want a directory inside the module (relative, without ..)`,
		"manifests/big":    "reading directory manifests/big of the module: manifests/big/a.yaml: 200 bytes, over the limit: the file size limit is 120 bytes\nhint: raise it with --max-file-size",
		"manifests/dup":    "reading directory manifests/dup of the module: manifests/dup/a.yaml:3",
	} {
		_, err := read(dir)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", dir, err, want)
		}
	}
}
