package profile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/internal/diag"
)

// FuzzLoad feeds arbitrary bytes to the loader, once as a YAML profile and
// once as a CUE profile. Whatever the input, Load must not panic, and must
// return either a site or a diag.List whose every diagnostic is placed in
// the profile (a file and a line), so that the CLI can always say where.
//
// Failing inputs live in testdata/fuzz/FuzzLoad and run with every
// `go test`. Run it with:
//
//	go test ./render/profile -run '^$' -fuzz FuzzLoad -fuzztime 60s
func FuzzLoad(f *testing.F) {
	// Every file of the example fleet (profiles, defaults, the site
	// overlay) and the test baselines.
	err := filepath.WalkDir(profilesDir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		f.Add(string(src))
		return nil
	})
	if err != nil {
		f.Fatal(err)
	}
	for _, src := range []string{eksBase, eksCUE, aksBase, genericBase} {
		f.Add(src)
	}
	// Broken inputs: syntax errors of both languages, YAML features the
	// CUE decoder handles its own way, and values of the wrong kind.
	for _, src := range []string{
		"",
		"\n",
		"# only a comment\n",
		"---\n",
		"name: a\n---\nname: b\n",
		"- a\n- b\n",
		"\"just a string\"\n",
		"42\n",
		"segment: [l\n",
		"name: \"lyon\n",
		"hosting:\teks\n",
		"a: *b\n",
		"base: &b {segment: l}\n<<: *b\n",
		"a: &a [*a]\n",
		"? [a, b]\n: c\n",
		"~: 1\n",
		"0: zero\n1: one\n",
		"name: !!binary aGVsbG8=\n",
		"name: !custom x\n",
		"%YAML 1.2\n---\nname: x\n",
		"netId: 0x1F\nport: 1e400\n",
		"name: lyon\nname: paris\n",
		"lora: {ismBand: [eu868, 7, null, {a: b}]}\n",
		"backup: {amazon: {}, azure: {}, s3Compat: {}}\n",
		"priorityClasses: {data: {value: 9999999999999999999999}}\n",
		"{",
		"}",
		"name: \"x\" & \"y\"\n",
		"a: b\nb: a\nname: a\n",
		"import \"example.com/foo\"\nname: foo.x\n",
		"import \"strings\"\nname: strings.ToLower(\"LYON\")\n",
		"package site\n\nname: \"lyon-prod\"\n",
		"name: \"\\(name)\"\n",
		"#Profile: {}\nname: _|_\n",
		"[string]: int\nname: \"x\"\n",
		"...\n",
		"hosting: *\"eks\" | \"aks\"\nsegment: \"l\" | \"m\"\n",
		"tls: issuer: \"external\"\ntls: external: secretRef: name: 1\n",
		"name: \"lyon\" @hint(x)\n",
		strings.Repeat("a: {", 200) + strings.Repeat("}", 200) + "\n",
		strings.Repeat("- ", 200) + "x\n",
	} {
		f.Add(src)
	}

	dir := f.TempDir()
	var l *Loader
	var calls int
	f.Fuzz(func(t *testing.T, src string) {
		// A cue.Context keeps what it has built; a fresh Loader now and
		// then keeps a long fuzzing run's memory flat.
		if l == nil || calls%500 == 0 {
			l = newTestLoader(t)
		}
		calls++
		for _, ext := range []string{".yaml", ".cue"} {
			name := filepath.Join(dir, "site"+ext)
			if err := os.WriteFile(name, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			site, err := l.Load(Source{File: name})
			if err == nil {
				if site == nil || site.Name == "" {
					t.Fatalf("%s: Load returned no error and no named site", ext)
				}
				continue
			}
			var dl diag.List
			if !errors.As(err, &dl) {
				t.Fatalf("%s: Load error is %T, want a diag.List: %v", ext, err, err)
			}
			if len(dl) == 0 {
				t.Fatalf("%s: Load returned an empty diag.List", ext)
			}
			for _, d := range dl {
				if d.File == "" || d.Line <= 0 {
					t.Errorf("%s: diagnostic without a position (file %q, line %d):\n%s", ext, d.File, d.Line, d)
				}
				if d.File != name {
					t.Errorf("%s: diagnostic in %q, want the profile %q:\n%s", ext, d.File, name, d)
				}
				if d.Message == "" {
					t.Errorf("%s: diagnostic without a message: %+v", ext, d)
				}
			}
		}
	})
}
