package profile

import (
	"fmt"
	"os"
	"path/filepath"

	"cuelang.org/go/cue"

	"github.com/tpgen/tpgen/internal/diag"
)

// CheckPaths reports the directories the profile names (overlay,
// charts.path, relative to the profile) that do not exist or are not
// what they must be, at the position of the field in the profile.
func (l *Loader) CheckPaths(s *Site) diag.List {
	var out diag.List
	data, _ := l.readFile(s.Source.Root, s.Source.File) // positions; read and valid when s was loaded
	dir := filepath.Dir(s.Source.File)
	check := func(field, want string, ok func(string) bool) {
		v := s.Profile.LookupPath(cue.ParsePath(field))
		rel, err := v.String()
		if !v.Exists() || err != nil {
			return
		}
		p := filepath.Join(dir, filepath.FromSlash(rel))
		st, err := os.Stat(p)
		msg := ""
		switch {
		case err != nil:
			msg = fmt.Sprintf("%s does not exist", p)
		case !st.IsDir():
			msg = fmt.Sprintf("%s is not a directory", p)
		case !ok(p):
			msg = fmt.Sprintf("%s holds no %s", p, want)
		default:
			return
		}
		d := diag.Diagnostic{Path: field, Message: msg, File: s.Source.File,
			Hint: fmt.Sprintf("%s is relative to the profile's directory (%s) and names a directory holding %s", field, dir, want)}
		if pos := data.LookupPath(cue.ParsePath(field)).Pos(); pos.IsValid() && !isSchemaFile(pos.Filename()) {
			d.File, d.Line, d.Column = pos.Filename(), pos.Line(), pos.Column()
		}
		out = append(out, d)
	}
	check("overlay", "kustomization.yaml", func(p string) bool {
		for _, n := range []string{"kustomization.yaml", "kustomization.yml", "Kustomization"} {
			if _, err := os.Stat(filepath.Join(p, n)); err == nil {
				return true
			}
		}
		return false
	})
	check("charts.path", "one directory per chart", func(string) bool { return true })
	return out
}
