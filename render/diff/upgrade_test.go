package diff

import (
	"bytes"
	"strings"
	"testing"
)

// TestUpgradeSection: release changes are a section of every format, and
// make a report differ even when no object does.
func TestUpgradeSection(t *testing.T) {
	r := &Report{Old: "deploy at abc", New: "profiles rendered now", Upgrades: []Upgrade{
		{Site: "lyon", From: "7.3.1", To: "7.3.6", Allowed: true, Steps: []string{"back up", "apply the CRDs first", "then the charts"}},
		{Site: "paris", From: "7.3.1", To: "8.0.0", Refusal: "release 7.3.1 -> 8.0.0 is not one upgrade step: upgrade to 7.3.6, then 8.0.0\nhint: set release \"7.3.6\"", Steps: []string{}},
	}}
	if !r.Differs() {
		t.Fatal("a report with release changes does not differ")
	}
	for _, tc := range []struct {
		format string
		want   []string
	}{
		{FormatText, []string{
			"Release changes:\n  lyon: 7.3.1 -> 7.3.6, in this order:\n    1. back up\n    2. apply the CRDs first\n    3. then the charts\n",
			"  paris: 7.3.1 -> 8.0.0 refused: release 7.3.1 -> 8.0.0 is not one upgrade step: upgrade to 7.3.6, then 8.0.0\n    hint: set release \"7.3.6\"\n",
			"\n2 release change(s), no object differs.\n",
		}},
		{FormatMarkdown, []string{
			"Comparing deploy at abc with profiles rendered now: **2 release change(s), no object differs**.\n\n#### Release changes\n",
			"#### Release changes\n\n- **lyon** 7.3.1 → 7.3.6, in this order:\n  1. back up\n",
			"- ⛔ **paris** 7.3.1 → 8.0.0: refused by render: release 7.3.1 -&gt; 8.0.0 is not one upgrade step: upgrade to 7.3.6, then 8.0.0 (hint: set release \"7.3.6\")\n",
		}},
		{FormatJSON, []string{
			`"upgrades": [`,
			`"site": "paris",`,
			`"allowed": false,`,
			`"steps": []`,
		}},
	} {
		t.Run(tc.format, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.Write(&b, tc.format, 0); err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(b.String(), w) {
					t.Errorf("%s report lacks %q:\n%s", tc.format, w, b.String())
				}
			}
		})
	}
}
