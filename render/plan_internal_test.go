package render

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render/profile"
)

// TestPlanAnyJobs: the sites and plans (or the errors, in their order)
// of a fleet are the same at one job and at several, where each job
// evaluates CUE in a context of its own.
func TestPlanAnyJobs(t *testing.T) {
	broken := t.TempDir()
	testfleet.Write(t, broken, 5)
	for name, src := range map[string]string{
		"bad-a.yaml": "name: bad-a\nhosting: nowhere\n",
		"bad-b.yaml": "name: Bad_B\nsegment: m\n",
		"dup.yaml":   "name: site-001\nhosting: eks\nsegment: m\ndnsHostname: tpe.dup.example.net\nbsSecurity: DISABLE\nbackup: {amazon: {bucket: tpe-backup-x, region: eu-west-3}}\n",
	} {
		if err := os.WriteFile(filepath.Join(broken, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type answer struct {
		Sites []string
		Plans []*profile.Plan
		Err   string
	}
	for _, tc := range []struct {
		name, path string
		sites      []string
		wantErr    bool
	}{
		{name: "examples", path: "../profiles"},
		{name: "one site and its cluster", path: "../profiles", sites: []string{"lyon-prod"}},
		{name: "broken", path: broken, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var answers []answer
			for _, jobs := range []int{1, 2, 4} {
				sites, plans, err := plan(context.Background(), Options{Paths: []string{tc.path}, Sites: tc.sites, Jobs: jobs})
				a := answer{Plans: plans}
				for _, s := range sites {
					a.Sites = append(a.Sites, s.Name+" "+s.Source.File)
				}
				if err != nil {
					a.Err = err.Error()
				}
				if (err != nil) != tc.wantErr || (err == nil && len(plans) == 0) {
					t.Fatalf("%d jobs: %d plans, error %v", jobs, len(plans), err)
				}
				answers = append(answers, a)
			}
			for i, a := range answers[1:] {
				if d := cmp.Diff(answers[0], a); d != "" {
					t.Errorf("one job and %d (-1 +%d):\n%s", []int{2, 4}[i], []int{2, 4}[i], d)
				}
			}
		})
	}
}

// TestRunDropsProfileValues: the sites of a run hold no CUE value once
// planned (a value keeps its Loader's whole context alive).
func TestRunDropsProfileValues(t *testing.T) {
	dir := t.TempDir()
	testfleet.Write(t, dir, 2)
	res, err := Run(context.Background(), Options{Paths: []string{dir}, Jobs: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Sites) != 2 {
		t.Fatalf("%d sites", len(res.Sites))
	}
	for _, s := range res.Sites {
		if s.site == nil || s.site.Profile.Exists() {
			t.Errorf("site %s: its profile's CUE value is kept", s.Name)
		}
	}
}

// TestRunWritesLetsGoOfPlans: a run that writes keeps of each written
// site's plan what follows its rendering (release, cluster, components'
// names), not its values, objects and checks; a run in memory keeps all.
func TestRunWritesLetsGoOfPlans(t *testing.T) {
	dir := t.TempDir()
	testfleet.Write(t, dir, 2)
	for _, out := range []string{"", filepath.Join(t.TempDir(), "deploy")} {
		res, err := Run(context.Background(), Options{Paths: []string{dir}, Jobs: 2, GitOpsPath: "sites", WriteOptions: WriteOptions{OutDir: out}})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range res.Sites {
			p := s.Plan()
			if p.Release != "7.3.1" || p.Cluster != s.Name || len(p.Components) == 0 {
				t.Fatalf("site %s (out %q): plan %+v", s.Name, out, p)
			}
			values := 0
			for _, c := range p.Components {
				values += len(c.Values) + len(c.Objects)
			}
			if kept := values > 0 || len(p.Checks) > 0; kept != (out == "") {
				t.Errorf("site %s (out %q): %d values and objects, %d bytes of checks kept", s.Name, out, values, len(p.Checks))
			}
		}
	}
}
