package diff

import (
	"fmt"
	"strings"
)

// Upgrade is a site whose release changes between the two sides: what
// its module's upgrade rule says, and the steps to apply it in order.
type Upgrade struct {
	Site string `json:"site"`
	From string `json:"from"`
	To   string `json:"to"`
	// Allowed says the module's rule allows the change in one step;
	// render refuses it otherwise.
	Allowed bool `json:"allowed"`
	// Refusal says why render refuses it and the path to follow.
	Refusal string `json:"refusal,omitempty"`
	// Steps are what to do, in order, to apply an allowed change.
	Steps []string `json:"steps"`
}

// upgradeLines are the release changes as text lines, steps numbered.
func (r *Report) upgradeLines(indent string) []string {
	var out []string
	for _, u := range r.Upgrades {
		if !u.Allowed {
			first, rest, _ := strings.Cut(u.Refusal, "\n")
			out = append(out, fmt.Sprintf("%s%s: %s -> %s refused: %s", indent, u.Site, u.From, u.To, first))
			if rest != "" {
				out = append(out, indent+"  "+rest)
			}
			continue
		}
		out = append(out, fmt.Sprintf("%s%s: %s -> %s, in this order:", indent, u.Site, u.From, u.To))
		for i, s := range u.Steps {
			out = append(out, fmt.Sprintf("%s  %d. %s", indent, i+1, s))
		}
	}
	return out
}

// upgradeMarkdown is the release-change section of a markdown report.
func (r *Report) upgradeMarkdown() string {
	if len(r.Upgrades) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("\n#### Release changes\n\n")
	for _, u := range r.Upgrades {
		if !u.Allowed {
			first, rest, _ := strings.Cut(u.Refusal, "\n")
			fmt.Fprintf(&b, "- ⛔ **%s** %s → %s: refused by render: %s", mdEscape(u.Site), mdEscape(u.From), mdEscape(u.To), mdEscape(first))
			if rest != "" {
				fmt.Fprintf(&b, " (%s)", mdEscape(rest))
			}
			b.WriteString("\n")
			continue
		}
		fmt.Fprintf(&b, "- **%s** %s → %s, in this order:\n", mdEscape(u.Site), mdEscape(u.From), mdEscape(u.To))
		for i, s := range u.Steps {
			fmt.Fprintf(&b, "  %d. %s\n", i+1, mdEscape(s))
		}
	}
	return b.String()
}
