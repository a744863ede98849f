package profile

import (
	"fmt"

	"cuelang.org/go/cue"
)

// Evaluate fills the profile of definition #def (a schema definition with
// a `profile: #Profile` field, such as #Flows) with the site's profile and
// decodes the definition's field into out.
func (l *Loader) Evaluate(def, field string, s *Site, out any) error {
	sc, err := l.schemaOf(s.Module)
	if err != nil {
		return err
	}
	d := sc.pkg.LookupPath(cue.MakePath(cue.Def(def)))
	if !d.Exists() {
		return fmt.Errorf("evaluating #%s: no such definition in module %s", def, s.Module.Name)
	}
	v := d.FillPath(cue.ParsePath("profile"), s.Profile).LookupPath(cue.ParsePath(field))
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return fmt.Errorf("evaluating #%s.%s of site %s (a schema defect, not a profile error): %w", def, field, s.Name, err)
	}
	if err := v.Decode(out); err != nil {
		return fmt.Errorf("decoding #%s.%s of site %s: %w", def, field, s.Name, err)
	}
	return nil
}
