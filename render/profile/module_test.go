package profile

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/diag"
	"github.com/tpgen/tpgen/render/module"
)

// noSiteModule is a module whose #Profile forgets to embed #Site (and
// leaves its fields open): the engine still checks the #Site fields.
var noSiteModule = map[string]string{
	"m.cue": `package m

#Profile: {
	name!:              string
	kubernetesVersion!: string
	gitops!: {...}
	colour?: string
	module?: _
	cluster?: _
}
#Plan: {profile: #Profile, site: profile.name}
profileDefaults: {}
`,
}

func TestModuleSelection(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, filepath.Join(tmp, "path", "nosite"), noSiteModule)
	tests := []struct {
		name    string
		profile string
		want    []wantDiag
		module  string // the site's module, when valid
	}{
		{name: "a module from the search path", module: "nosite",
			profile: "module: nosite\nname: a\nkubernetesVersion: \"1.30\"\ngitops: {engine: argocd}\ncolour: blue\n"},
		{name: "the engine's #Site checks a module that forgets it",
			profile: "module: nosite\nname: Bad_Name\nkubernetesVersion: \"1.30\"\ngitops: {}\ncluster: Two Words\n",
			want: []wantDiag{
				{Path: "name", Line: 2, Column: 1, Message: `invalid value "Bad_Name" (out of bound =~"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")`, Hint: "a DNS-1123 label"},
				{Path: "cluster", Line: 5, Column: 1, Message: `invalid value "Two Words" (out of bound =~"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")`, Hint: "a DNS-1123 label naming the cluster"},
			}},
		{name: "module is not a string",
			profile: "module: 3\nname: a\n",
			want:    []wantDiag{{Path: "module", Line: 1, Column: 1, Message: "module must be a module name or a path starting with ./ or ../", Hint: "write module: NAME (`tpgen modules` lists them) or module: ./DIR"}}},
		{name: "an unknown module",
			profile: "name: a\nmodule: nope\n",
			want:    []wantDiag{{Path: "module", Line: 2, Column: 1, Message: "no module named nope", Hint: "known modules: nosite"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"site.yaml": tt.profile})
			l := newTestLoader(t)
			l.Modules = &module.Resolver{SearchPath: []string{filepath.Join(tmp, "path")}}
			s, err := l.Load(Source{File: filepath.Join(dir, "site.yaml"), Root: dir})
			got := asDiags(t, err)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				if s.Module.Name != tt.module {
					t.Errorf("module %s, want %s", s.Module.Name, tt.module)
				}
				return
			}
			if d := diffDiags(dir, "site.yaml", got, tt.want); d != "" {
				t.Errorf("diagnostics (-want +got)\n%s\n%v", d, got)
			}
		})
	}
}

// A fleet read from an fs.FS (flows --base): discovery, defaults and
// modules as on disk, two modules in one fleet.
func TestLoadFromFS(t *testing.T) {
	tmp := t.TempDir()
	writeFiles(t, filepath.Join(tmp, "nosite"), noSiteModule)
	fsys := fstest.MapFS{
		"fleet/defaults.cue":   {Data: []byte("kubernetesVersion: *\"1.30\" | string\n")},
		"fleet/a.yaml":         {Data: []byte("module: nosite\nname: a\ngitops: {}\n")},
		"fleet/sub/b.yaml":     {Data: []byte("module: nosite\nname: b\ngitops: {}\ncolour: red\n")},
		"fleet/sub/c.yaml":     {Data: []byte(eksBase)},
		"fleet/mod/m.cue":      {Data: []byte(noSiteModule["m.cue"])}, // a module: not a profile
		"fleet/mod/notes.yaml": {Data: []byte("not: a profile\n")},
		"elsewhere/other.yaml": {Data: []byte("name: other\n")},
	}
	l := newTestLoader(t)
	l.FS = fsys
	l.Modules = &module.Resolver{SearchPath: []string{tmp}}
	sites, err := l.LoadAll([]string{"fleet"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range sites {
		got = append(got, s.Name+" "+s.Module.Name+" "+s.Source.File+" "+strings.Join(s.Source.Defaults, ","))
	}
	want := []string{
		"a nosite fleet/a.yaml fleet/defaults.cue",
		"b nosite fleet/sub/b.yaml fleet/defaults.cue",
		"lyon-prod " + module.Default().Name + " fleet/sub/c.yaml fleet/defaults.cue",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("sites (-want +got):\n%s", d)
	}
	// A module path cannot be read next to a profile that is not on disk.
	l = newTestLoader(t)
	l.FS = fstest.MapFS{"p/site.yaml": {Data: []byte("module: ./mod\nname: a\n")}}
	_, err = l.LoadAll([]string{"p"})
	var dl diag.List
	if !errors.As(err, &dl) || len(dl) != 1 || dl[0].Message != "module ./mod: a module path cannot be read here (the profile is not read from disk)" || dl[0].Line != 1 {
		t.Errorf("LoadAll: %v, want the module path refused at line 1", err)
	}
}

func TestModuleContract(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{name: "no #Profile", files: map[string]string{"m.cue": "package m\n#Plan: {}\nprofileDefaults: {}\n"},
			want: "building module bad: #Profile: "},
		{name: "two packages", files: map[string]string{"a.cue": "package a\n#Profile: {}\n", "b.cue": "package b\n"},
			want: "loading module bad: b.cue is package b, another file is package a\nhint: a module's root holds one CUE package"},
		{name: "the engine's file name", files: map[string]string{"tpgen.engine.cue": "package m\n"},
			want: "loading module bad: it holds tpgen.engine.cue, the engine's own file\nhint: rename the module's file"},
		{name: "no package clause", files: map[string]string{"m.cue": "#Profile: {}\n"},
			want: "loading module bad: m.cue has no package clause\nhint: every .cue file at a module's root starts with the same `package NAME`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "bad")
			writeFiles(t, dir, tt.files)
			m, err := module.Load(dir)
			if err != nil {
				t.Fatal(err)
			}
			_, err = NewLoader(m)
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("NewLoader: %v\nwant prefix: %s", err, tt.want)
			}
		})
	}
}
