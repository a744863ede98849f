package profile

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/tpgen/tpgen/render/module"
)

// fleetAnswer is what loading and planning a fleet gives: the sites (by
// name and file), their plans, the error.
type fleetAnswer struct {
	Sites []string
	Plans []*Plan
	Err   string
}

// oneLoader loads and plans paths with one Loader, site after site (the
// order and errors a Pool must give at any number of jobs).
func oneLoader(t *testing.T, newLoader func() (*Loader, error), paths []string, lim EvalLimits) fleetAnswer {
	t.Helper()
	l, err := newLoader()
	if err != nil {
		t.Fatal(err)
	}
	sites, a, err := answerOf(l.LoadAllContext(context.Background(), paths, lim))
	if err != nil {
		return a
	}
	for _, s := range sites {
		p, err := l.PlanContext(context.Background(), s, lim)
		if err != nil {
			return fleetAnswer{Sites: a.Sites, Err: err.Error()}
		}
		a.Plans = append(a.Plans, p)
	}
	return a
}

func withPool(t *testing.T, jobs int, newLoader func() (*Loader, error), paths []string, lim EvalLimits) fleetAnswer {
	t.Helper()
	p, err := NewPool(jobs, newLoader)
	if err != nil {
		t.Fatal(err)
	}
	sites, a, err := answerOf(p.LoadAll(context.Background(), paths, lim))
	if err != nil {
		return a
	}
	for _, s := range sites {
		pl, err := p.Plan(s)
		if err != nil {
			return fleetAnswer{Sites: a.Sites, Err: err.Error()}
		}
		a.Plans = append(a.Plans, pl)
	}
	return a
}

// answerOf sorts the sites a load gave by name and starts the answer
// with them (or with its error).
func answerOf(sites []*Site, err error) ([]*Site, fleetAnswer, error) {
	if err != nil {
		return nil, fleetAnswer{Err: err.Error()}, err
	}
	slices.SortFunc(sites, func(a, b *Site) int { return cmp.Compare(a.Name, b.Name) })
	var a fleetAnswer
	for _, s := range sites {
		a.Sites = append(a.Sites, s.Name+" "+s.Source.File)
	}
	return sites, a, nil
}

// TestPoolSameAsOneLoader: a Pool gives the sites, plans and errors (with
// their positions, in their order) of one Loader, at any number of jobs:
// profile problems of several files, names used twice, plan errors of
// several sites, profiles stopped by a limit.
func TestPoolSameAsOneLoader(t *testing.T) {
	// graphModule, whose profiles also have the engine's gitops.
	src := strings.Replace(graphModule, "deps: [string]: [...string]", "deps: [string]: [...string]\n\tgitops!: _", 1)
	m := &module.Module{Name: "pool", Source: "test:pool", FS: fstest.MapFS{"m.cue": {Data: []byte(src)}}}
	newLoader := func() (*Loader, error) { return NewLoader(m) }
	ok := func(name string) string {
		return fmt.Sprintf("name: %q\nkubernetesVersion: \"1.27\"\ngitops: {}\ndeps: {cache: [\"db\"], web: [\"db\", \"cache\"]}\n", name)
	}
	for _, tc := range []struct {
		name    string
		files   map[string]string
		lim     EvalLimits
		wantErr string // the error starts with it, DIR the fleet's directory
	}{
		{name: "valid", files: map[string]string{
			"a.cue": ok("s-a"), "b.cue": ok("s-b"), "c.cue": ok("s-c"), "d.cue": ok("s-d"), "e.cue": ok("s-e"),
			"f.cue": "name: \"s-f\"\nkubernetesVersion: \"1.28\"\ngitops: {}\ndeps: {cache: [\"db\"], web: [\"db\"]}\n",
		}},
		{name: "profile problems and a name used twice", wantErr: "name: conflicting values string and 3", files: map[string]string{
			"a.cue": ok("s-a"),
			"b.cue": "name: 3\nkubernetesVersion: \"1.27\"\ngitops: {}\n",
			"c.cue": ok("s-c"),
			"d.cue": "kubernetesVersion: \"1.27\"\ngitops: {}\nextra: true\n",
			"e.cue": ok("s-a"),
			"f.cue": "name: \"s-f\"\nkubernetesVersion: [1]\ngitops: {}\n",
			"g.cue": ok("s-g"),
		}},
		{name: "plan errors of several sites", wantErr: "plan of site s-b (", files: map[string]string{
			"a.cue": ok("s-a"),
			"b.cue": "name: \"s-b\"\nkubernetesVersion: \"1.27\"\ngitops: {}\ndeps: {cache: [\"db\", \"web\"], web: [\"db\", \"cache\"]}\n",
			"c.cue": ok("s-c"),
			"d.cue": "name: \"s-d\"\nkubernetesVersion: \"1.27\"\ngitops: {}\ndeps: {cache: [\"db\"], web: [\"cache\"]}\n",
			"e.cue": ok("s-e"),
		}},
		// a.cue, the first, takes long enough (about 0.15 s) to be
		// stopped whatever the timing: the answer names it, not another.
		{name: "over the time limit", wantErr: "evaluation stopped: it took longer than --max-eval-time 1ns\n    DIR/a.cue\n", lim: EvalLimits{Time: time.Nanosecond}, files: map[string]string{
			"a.cue": "import \"list\"\n_heavy: len([for i in list.Range(0, 5000, 1) {i * 2}])\n" + ok("s-a"),
			"b.cue": ok("s-b"), "c.cue": ok("s-c"), "d.cue": ok("s-d"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			for n, src := range tc.files {
				if err := os.WriteFile(filepath.Join(dir, n), []byte(src), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want := oneLoader(t, newLoader, []string{dir}, tc.lim)
			wantErr := strings.ReplaceAll(tc.wantErr, "DIR", dir)
			if !strings.HasPrefix(want.Err, wantErr) || (wantErr == "") != (want.Err == "") {
				t.Fatalf("one Loader: error %q, want one starting with %q", want.Err, wantErr)
			}
			if tc.wantErr == "" && len(want.Plans) != len(tc.files) {
				t.Fatalf("one Loader: %d plans for %d profiles", len(want.Plans), len(tc.files))
			}
			for _, jobs := range []int{1, 2, 3, 8} {
				got := withPool(t, jobs, newLoader, []string{dir}, tc.lim)
				if d := gocmp.Diff(want, got, cmpopts.EquateEmpty()); d != "" {
					t.Errorf("%d jobs (-one Loader +pool):\n%s", jobs, d)
				}
			}
		})
	}
}
