package render

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
)

// ReleaseChange is a site whose release differs from the one the
// previous rendering recorded (the output index), with what its module's
// upgrade rule says of the change.
type ReleaseChange struct {
	Site    string
	Profile string
	profile.Upgrade
	// Ruled says the module has an upgrade rule (#Upgrade); without one
	// every change is allowed.
	Ruled bool
}

// Refused says whether the module's rule refuses the change.
func (c ReleaseChange) Refused() bool { return c.Ruled && !c.OK }

// releaseChanges returns the sites whose plan's release differs from the
// release prev records for them, in site order. A site prev does not
// know, or whose entry records no release (a tree written before tpgen
// recorded releases), has no change.
func releaseChanges(sites []*profile.Site, plans []*profile.Plan, prev *output.Index) ([]ReleaseChange, error) {
	if prev == nil {
		return nil, nil
	}
	var out []ReleaseChange
	for i, s := range sites {
		is, ok := prev.Sites[s.Name]
		to := plans[i].Release
		if !ok || is.Release == "" || to == "" || is.Release == to {
			continue
		}
		u, ruled, err := profile.UpgradeRule(s.Module, is.Release, to)
		if err != nil {
			return nil, &SiteError{Site: s.Name, File: s.Source.File, Err: err}
		}
		u.From, u.To = is.Release, to
		out = append(out, ReleaseChange{Site: s.Name, Profile: filepath.ToSlash(s.Source.File), Upgrade: u, Ruled: ruled})
	}
	return out, nil
}

// refuseUpgrades is the error of the release changes the modules' rules
// refuse, one per site, naming where the previous release was read.
func refuseUpgrades(changes []ReleaseChange, files map[string]string, where string) error {
	var errs []error
	for _, c := range changes {
		if c.Refused() {
			errs = append(errs, &SiteError{Site: c.Site, File: files[c.Site], Err: errors.New(c.Explain(where))})
		}
	}
	return errors.Join(errs...)
}

// CheckUpgrades compares the release of each site of the profiles in
// o.Paths (o.Sites) with the one the tree in dir records (its output
// index) and refuses a change the site's module does not allow, with
// the path to follow: `tpgen validate --previous DIR`. A dir without an
// index has nothing to compare with.
func CheckUpgrades(ctx context.Context, o Options, dir string) ([]ReleaseChange, error) {
	sites, plans, err := plan(ctx, o)
	if err != nil {
		return nil, err
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("reading the previous rendering: %s is not a directory\nhint: --previous names the output directory render wrote (its -o)", dir)
	}
	b, err := fsguard.ReadPath(filepath.Join(dir, output.IndexFile), output.IndexLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the previous rendering: %w", err)
	}
	prev, err := output.ParseIndex(b)
	if err != nil {
		return nil, fmt.Errorf("reading the previous rendering: %s: %w", filepath.Join(dir, output.IndexFile), err)
	}
	return checkUpgrades(sites, plans, prev, dir)
}

// checkUpgrades returns the release changes of sites against prev (read
// from dir), or the error refusing those the modules' rules refuse.
func checkUpgrades(sites []*profile.Site, plans []*profile.Plan, prev *output.Index, dir string) ([]ReleaseChange, error) {
	changes, err := releaseChanges(sites, plans, prev)
	if err != nil {
		return nil, err
	}
	files := map[string]string{}
	for _, s := range sites {
		files[s.Name] = s.Source.File
	}
	if err := refuseUpgrades(changes, files, dir); err != nil {
		return nil, err
	}
	return changes, nil
}

// ReleaseChanges returns the release changes of the sites of res against
// the releases prev records (the base of a diff; nil: none), each with
// its module's verdict. Nothing is refused: a review shows what render
// would refuse.
func ReleaseChanges(res *Result, prev *output.Index) ([]ReleaseChange, error) {
	var sites []*profile.Site
	var plans []*profile.Plan
	for _, s := range res.Sites {
		if s.site != nil && s.plan != nil {
			sites, plans = append(sites, s.site), append(plans, s.plan)
		}
	}
	return releaseChanges(sites, plans, prev)
}
