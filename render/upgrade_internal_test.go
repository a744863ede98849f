package render

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
)

// TestReleaseChangesNeedARecordedRelease: only a release the previous
// index records is compared: a site it does not know, an entry without a
// release (a tree written before tpgen recorded them) or a plan without
// one (a module without releases) is no change; a recorded one that
// differs is, with the module's verdict.
func TestReleaseChangesNeedARecordedRelease(t *testing.T) {
	prev := &output.Index{Sites: map[string]output.IndexSite{
		"old":    {Profile: "old.yaml"},
		"same":   {Profile: "same.yaml", Release: "7.3.1"},
		"skip":   {Profile: "skip.yaml", Release: "7.3.1"},
		"norel":  {Profile: "norel.yaml", Release: "7.3.1"},
		"oneway": {Profile: "oneway.yaml", Release: "7.3.6"},
	}}
	names := []string{"old", "same", "skip", "norel", "oneway", "new"}
	releases := []string{"8.0.0", "7.3.1", "8.0.0", "", "8.0.0", "8.0.0"}
	var sites []*profile.Site
	var plans []*profile.Plan
	for i, n := range names {
		sites = append(sites, &profile.Site{Name: n, Source: profile.Source{File: n + ".yaml"}})
		plans = append(plans, &profile.Plan{Release: releases[i]})
	}
	got, err := releaseChanges(sites, plans, prev)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"skip 7.3.1->8.0.0 refused", "oneway 7.3.6->8.0.0 allowed"}
	var have []string
	for _, c := range got {
		v := "allowed"
		if c.Refused() {
			v = "refused"
		}
		have = append(have, c.Site+" "+c.From+"->"+c.To+" "+v)
	}
	if len(have) != len(want) || have[0] != want[0] || have[1] != want[1] {
		t.Errorf("releaseChanges = %q, want %q", have, want)
	}
	if _, err := checkUpgrades(sites, plans, prev, "deploy"); err == nil || err.Error() != "site skip (skip.yaml): release 7.3.1 -> 8.0.0 is not one upgrade step (deploy holds 7.3.1): upgrade to 7.3.6, then 8.0.0\nhint: set release \"7.3.6\" in the profile, render, sync and check the site; then the next release of the path" {
		t.Errorf("checkUpgrades error = %v", err)
	}
}

// TestReadPreviousReadsALargeIndex: the index of a fleet past about 140
// sites is over 4 MiB, the default --max-file-size; it is still read
// (within the index's own bound), else the previous tree's objects and
// releases would be silently ignored: no change Kubernetes will not apply
// refused, no upgrade rule applied, every site rendered.
func TestReadPreviousReadsALargeIndex(t *testing.T) {
	dir := t.TempDir()
	golden, err := os.ReadFile(filepath.Join("..", "golden", output.IndexFile))
	if err != nil {
		t.Fatal(err)
	}
	index := append(golden, bytes.Repeat([]byte(" "), int(DefaultLimits.FileSize)+1)...)
	if err := os.WriteFile(filepath.Join(dir, output.IndexFile), index, 0o644); err != nil {
		t.Fatal(err)
	}
	x, b := readPrevious(dir)
	if x == nil || len(b) != len(index) {
		t.Errorf("readPrevious of a %d-byte index: %v, %d bytes", len(index), x, len(b))
	}
}
