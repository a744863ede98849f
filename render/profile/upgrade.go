package profile

import (
	"fmt"

	"cuelang.org/go/cue"

	"github.com/tpgen/tpgen/render/module"
)

// Upgrade is what a module's upgrade rule says of a release change (the
// module's #Upgrade definition, README "Modules"): given from and to, ok
// says whether the change is one allowed step, Path lists the releases
// to install in order to get from one to the other (empty for a change
// the module never allows, such as a downgrade), and Before the steps to
// take before applying anything of the new release (a backup).
type Upgrade struct {
	From   string   `json:"from"`
	To     string   `json:"to"`
	OK     bool     `json:"ok"`
	Path   []string `json:"path"`
	Before []string `json:"before,omitempty"`
}

// UpgradeRule evaluates module m's #Upgrade for a change of release from
// -> to. A module without #Upgrade has no rule: ok is false and every
// change is allowed. The module's CUE is compiled for the call (a release
// change is rare), so the caller needs no Loader.
func UpgradeRule(m *module.Module, from, to string) (Upgrade, bool, error) {
	l, err := NewLoader(m)
	if err != nil {
		return Upgrade{}, false, err
	}
	sc, err := l.schemaOf(m)
	if err != nil {
		return Upgrade{}, false, err
	}
	def := sc.pkg.LookupPath(cue.MakePath(cue.Def("Upgrade")))
	if !def.Exists() {
		return Upgrade{}, false, nil
	}
	v := def.FillPath(cue.ParsePath("from"), from).FillPath(cue.ParsePath("to"), to)
	u := Upgrade{From: from, To: to}
	if err := v.Decode(&u); err != nil {
		return Upgrade{}, true, fmt.Errorf("evaluating the module's upgrade rule #Upgrade for %s -> %s: %w", from, to, err)
	}
	u.From, u.To = from, to
	return u, true, nil
}

// Explain says why a refused change is refused and what to do, for an
// error: the path to follow, or that the module allows no way there.
// where names what holds the previous release (the output directory).
func (u Upgrade) Explain(where string) string {
	if len(u.Path) == 0 {
		return fmt.Sprintf("release %s -> %s is not an upgrade the module allows (%s holds %s; a downgrade?): no path leads there\nhint: keep release %q in the profile; going back to %s needs a restore from a backup taken on it", u.From, u.To, where, u.From, u.From, u.To)
	}
	path := "upgrade to " + u.Path[0]
	for _, r := range u.Path[1:] {
		path += ", then " + r
	}
	return fmt.Sprintf("release %s -> %s is not one upgrade step (%s holds %s): %s\nhint: set release %q in the profile, render, sync and check the site; then the next release of the path", u.From, u.To, where, u.From, path, u.Path[0])
}
