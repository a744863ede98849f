package profile

import (
	"slices"
	"testing"

	"github.com/tpgen/tpgen/render/module"
)

// TestUpgradeRuleFromGo: the engine asks the module's #Upgrade (FACTS §9
// for ThingPark) and explains a refusal with the path to follow; a module
// without #Upgrade has no rule.
func TestUpgradeRuleFromGo(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
		path     []string
		explain  string
	}{
		{"7.3.0", "7.3.1", true, []string{"7.3.1"}, ""},
		{"7.3.1", "7.3.6", true, []string{"7.3.6"}, ""},
		{"7.3.6", "8.0.0", true, []string{"8.0.0"}, ""},
		{"7.3.1", "8.0.0", false, []string{"7.3.6", "8.0.0"},
			"release 7.3.1 -> 8.0.0 is not one upgrade step (deploy holds 7.3.1): upgrade to 7.3.6, then 8.0.0\nhint: set release \"7.3.6\" in the profile, render, sync and check the site; then the next release of the path"},
		{"7.3.0", "8.0.0", false, []string{"7.3.6", "8.0.0"},
			"release 7.3.0 -> 8.0.0 is not one upgrade step (deploy holds 7.3.0): upgrade to 7.3.6, then 8.0.0\nhint: set release \"7.3.6\" in the profile, render, sync and check the site; then the next release of the path"},
		{"8.0.0", "7.3.6", false, []string{},
			"release 8.0.0 -> 7.3.6 is not an upgrade the module allows (deploy holds 8.0.0; a downgrade?): no path leads there\nhint: keep release \"8.0.0\" in the profile; going back to 7.3.6 needs a restore from a backup taken on it"},
		{"7.3.1", "7.3.0", false, []string{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.from+"->"+tc.to, func(t *testing.T) {
			u, ruled, err := UpgradeRule(nil, tc.from, tc.to)
			if err != nil || !ruled {
				t.Fatalf("UpgradeRule = ruled %v, %v", ruled, err)
			}
			if u.OK != tc.ok || !slices.Equal(u.Path, tc.path) {
				t.Errorf("%s -> %s = ok %v, path %v; want ok %v, path %v", tc.from, tc.to, u.OK, u.Path, tc.ok, tc.path)
			}
			if len(u.Before) == 0 || u.Before[0][:len("back up the site")] != "back up the site" {
				t.Errorf("before = %q, want the backup first", u.Before)
			}
			if tc.explain != "" && u.Explain("deploy") != tc.explain {
				t.Errorf("Explain:\n%s\nwant:\n%s", u.Explain("deploy"), tc.explain)
			}
		})
	}
}

// TestUpgradeRuleWithoutRule: a module that declares no #Upgrade allows
// every change (the engine has no rule to apply).
func TestUpgradeRuleWithoutRule(t *testing.T) {
	m, err := module.Resolve("module", ".", ".", []string{"../testdata"})
	if err != nil {
		t.Fatalf("the test module: %v", err)
	}
	_, ruled, err := UpgradeRule(m, "1", "2")
	if err != nil || ruled {
		t.Fatalf("UpgradeRule = ruled %v, %v; want no rule", ruled, err)
	}
}
