package module

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// writeModule writes a minimal module (one .cue file) at dir.
func writeModule(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Join(dir, "charts", "c"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, data := range map[string]string{
		"m.cue":               "package m\n#Profile: {#Site}\n#Plan: profile: #Profile\nprofileDefaults: {}\n",
		"charts/c/Chart.yaml": "apiVersion: v2\nname: c\nversion: 0.1.0\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestResolve(t *testing.T) {
	tmp := t.TempDir()
	// profiles/ is the input root; profiles/site holds the profile;
	// profiles/mods/local and elsewhere/outside are modules; path1 and
	// path2 are search directories.
	root := filepath.Join(tmp, "profiles")
	site := filepath.Join(root, "site")
	writeModule(t, filepath.Join(root, "mods", "local"))
	writeModule(t, filepath.Join(tmp, "outside"))
	writeModule(t, filepath.Join(tmp, "path1", "alpha"))
	writeModule(t, filepath.Join(tmp, "path2", "alpha"))
	writeModule(t, filepath.Join(tmp, "path2", "beta"))
	writeModule(t, filepath.Join(tmp, "path2", Default().Name))
	if err := os.MkdirAll(filepath.Join(tmp, "path1", "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(site, 0o755); err != nil {
		t.Fatal(err)
	}
	// A link inside the input root to the module outside it.
	if err := os.Symlink(filepath.Join(tmp, "outside"), filepath.Join(root, "mods", "link")); err != nil {
		t.Fatal(err)
	}
	p1, p2 := filepath.Join(tmp, "path1"), filepath.Join(tmp, "path2")
	def := Default().Name
	// The built-in modules, as hints list them (ReadDir order: sorted).
	builtins := strings.Join(BuiltinNames(), ", ")
	tests := []struct {
		name     string
		selector string
		path     []string
		want     string // the module's Source, relative to tmp for a user module
		wantErr  string
	}{
		{name: "absent is the default", selector: "", want: "builtin:" + def},
		{name: "built-in name", selector: def, want: "builtin:" + def},
		{name: "search path", selector: "beta", path: []string{p2}, want: "path2/beta"},
		{name: "first search dir holding it", selector: "beta", path: []string{p1, p2}, want: "path2/beta"},
		{name: "relative path", selector: "../mods/local", want: "profiles/mods/local"},
		{name: "ambiguous between search dirs", selector: "alpha", path: []string{p1, p2},
			wantErr: "module name alpha is ambiguous: P/path1/alpha and P/path2/alpha\nhint: rename one of them, or select the module by its path (./DIR relative to the profile)"},
		{name: "ambiguous with a built-in", selector: def, path: []string{p2},
			wantErr: "module name " + def + " is ambiguous: built into tpgen and P/path2/" + def + "\nhint: rename one of them, or select the module by its path (./DIR relative to the profile)"},
		{name: "missing", selector: "gamma", path: []string{p1},
			wantErr: "no module named gamma\nhint: known modules: alpha (P/path1/alpha), " + builtins + "; add a directory holding it with --module-path or TPGEN_MODULE_PATH, or write a path starting with ./"},
		{name: "a directory without CUE is no module", selector: "empty", path: []string{p1},
			wantErr: "loading module P/path1/empty: no .cue file at its root\nhint: a module's root holds its CUE package (#Profile, #Plan, profileDefaults)"},
		{name: "escaping the input root", selector: "../../outside",
			wantErr: "module ../../outside: P/outside is outside the profiles' input root P/profiles\nhint: a module path stays inside the directory named on the command line; put the module there, or add its parent directory to --module-path and select it by name"},
		{name: "a link leaving the input root", selector: "../mods/link",
			wantErr: "module ../mods/link: P/profiles/mods/link is a symbolic link\nhint: tpgen reads inputs only from their own directory; replace the link with the directory it points to"},
		{name: "a path that is no ./ path", selector: "mods/local",
			wantErr: "module \"mods/local\" is neither a module name nor a path starting with ./ or ../\nhint: write a module directory relative to the profile as ./DIR or ../DIR, or name a module: " + builtins},
		{name: "an absolute path", selector: filepath.Join(tmp, "outside"),
			wantErr: "module \"P/outside\" is neither a module name nor a path starting with ./ or ../\nhint: write a module directory relative to the profile as ./DIR or ../DIR, or name a module: " + builtins},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Resolve(tt.selector, site, root, tt.path)
			if tt.wantErr != "" {
				if err == nil {
					t.Fatalf("Resolve(%q) = %s, want an error", tt.selector, m.Source)
				}
				got := strings.ReplaceAll(err.Error(), tmp, "P")
				if diff := cmp.Diff(tt.wantErr, got); diff != "" {
					t.Errorf("error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := m.Source
			if !m.Builtin() {
				rel, err := filepath.Rel(tmp, m.Source)
				if err != nil {
					t.Fatal(err)
				}
				got = filepath.ToSlash(rel)
			}
			if got != tt.want {
				t.Errorf("Source = %s, want %s", got, tt.want)
			}
			if _, err := fs.Stat(m.FS, "charts"); err != nil && !m.Builtin() {
				t.Errorf("the module's charts/: %v", err)
			}
		})
	}
}

func TestLoadGuards(t *testing.T) {
	tmp := t.TempDir()
	secret := filepath.Join(tmp, "secret.txt")
	if err := os.WriteFile(secret, []byte("not for the module"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Run("a file link leaving the module", func(t *testing.T) {
		dir := filepath.Join(tmp, "linkout")
		writeModule(t, dir)
		if err := os.Symlink(secret, filepath.Join(dir, "charts", "c", "values.yaml")); err != nil {
			t.Fatal(err)
		}
		_, err := Load(dir)
		want := "loading module " + dir + ": " + dir + "/charts/c/values.yaml: resolves outside its input root (a symbolic link or ..)\nhint: tpgen reads an input only from its own directory; copy the file in instead of linking it"
		if err == nil || err.Error() != want {
			t.Errorf("Load: %v\nwant: %s", err, want)
		}
	})
	t.Run("a file link inside the module", func(t *testing.T) {
		dir := filepath.Join(tmp, "linkin")
		writeModule(t, dir)
		if err := os.Symlink("Chart.yaml", filepath.Join(dir, "charts", "c", "copy.yaml")); err != nil {
			t.Fatal(err)
		}
		m, err := Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		b, err := fs.ReadFile(m.FS, "charts/c/copy.yaml")
		if err != nil || !strings.Contains(string(b), "name: c") {
			t.Errorf("charts/c/copy.yaml = %q, %v", b, err)
		}
	})
	t.Run("a named pipe", func(t *testing.T) {
		dir := filepath.Join(tmp, "fifo")
		writeModule(t, dir)
		if err := mkfifo(filepath.Join(dir, "pipe.cue")); err != nil {
			t.Skip(err)
		}
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "not a regular file (a named pipe)") {
			t.Errorf("Load: %v, want a named pipe refused", err)
		}
	})
	t.Run("over the size limit", func(t *testing.T) {
		dir := filepath.Join(tmp, "big")
		writeModule(t, dir)
		old := MaxSize
		MaxSize = 64
		defer func() { MaxSize = old }()
		_, err := Load(dir)
		if err == nil || !strings.Contains(err.Error(), "the module size limit is 64 bytes") {
			t.Errorf("Load: %v, want the module size limit", err)
		}
	})
}

func TestBuiltinSkipsNonModules(t *testing.T) {
	names := BuiltinNames()
	if len(names) == 0 || !strings.Contains(strings.Join(names, " "), Default().Name) {
		t.Fatalf("BuiltinNames() = %v, want the default module among them", names)
	}
	for _, n := range names {
		if _, err := Builtin(n); err != nil {
			t.Error(err)
		}
	}
	_, err := Builtin("nope")
	if want := "no built-in module nope\nhint: the built-in modules are " + strings.Join(names, ", "); err == nil || err.Error() != want {
		t.Errorf("Builtin(nope): %v, want %s", err, want)
	}
}

func TestEngineCUE(t *testing.T) {
	got := string(EngineCUE("hello"))
	if !strings.HasPrefix(got, "package hello\n\n") || !strings.Contains(got, "#Site: {") || !strings.Contains(got, "#Platform: {") {
		t.Errorf("EngineCUE(hello) starts %q", got[:min(len(got), 80)])
	}
}
