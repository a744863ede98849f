package validate

import (
	"os"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/module"
)

// The profile schema accepts exactly the waivable check ids as waiver ids.
func TestProfileKnowsTheWaivableChecks(t *testing.T) {
	src := module.EngineCUE("engine")
	v := cuecontext.New().CompileBytes(src).LookupPath(cue.MakePath(cue.Def("tpgenPolicyCheck")))
	op, args := v.Expr()
	if op != cue.OrOp {
		t.Fatalf("#tpgenPolicyCheck is not a disjunction: %v", v)
	}
	var got []string
	for _, a := range args {
		s, err := a.String()
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, s)
	}
	want := WaivableIDs()
	slices.Sort(got)
	slices.Sort(want)
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("#tpgenPolicyCheck in tpgen.engine.cue (-validate.WaivableIDs +cue):\n%s", d)
	}
}

// The README's tables list every check.
func TestREADMEListsEveryCheck(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Checks {
		if c.ID != "waiver-unused" && !strings.Contains(string(b), "| `"+c.ID+"` |") {
			t.Errorf("README.md has no table row for check %s", c.ID)
		}
	}
}
