package diff

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/textfmt"
)

// Formats of a report.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatJSON     = "json"
)

// DefaultMarkdownLimit keeps a markdown report under GitHub's 65536
// characters per pull-request comment, with room for a bot's own text.
const DefaultMarkdownLimit = 60000

// Write writes r in format (text, markdown or json). limit caps markdown
// in bytes (0: DefaultMarkdownLimit); the summary and the attention list
// are always kept, object details are cut with a note saying what.
func (r *Report) Write(w io.Writer, format string, limit int) error {
	switch format {
	case FormatJSON:
		return r.writeJSON(w)
	case FormatMarkdown:
		if limit <= 0 {
			limit = DefaultMarkdownLimit
		}
		_, err := io.WriteString(w, r.markdown(limit))
		return err
	case FormatText, "":
		_, err := io.WriteString(w, r.text())
		return err
	}
	return fmt.Errorf("unknown format %q: want text, markdown or json", format)
}

// Totals counts the report's objects.
type Totals struct {
	Sites     int `json:"sites"`
	Added     int `json:"added"`
	Removed   int `json:"removed"`
	Changed   int `json:"changed"`
	Attention int `json:"attention"`
}

// Totals counts sites that differ (noise-only sites included) and changes.
func (r *Report) Totals() Totals {
	var t Totals
	for _, s := range r.Sites {
		if s.Status != "unchanged" || slices.ContainsFunc(r.Noise, func(n Noise) bool { return n.Site == s.Site }) {
			t.Sites++
		}
	}
	for _, c := range r.Changes {
		switch c.Op {
		case Added:
			t.Added++
		case Removed:
			t.Removed++
		default:
			t.Changed++
		}
		if len(c.Attention) > 0 {
			t.Attention++
		}
	}
	return t
}

func (t Totals) String() string {
	if t.Sites == 0 {
		return "no differences"
	}
	return fmt.Sprintf("%d site(s) differ: %d object(s) added, %d removed, %d changed; %d need attention", t.Sites, t.Added, t.Removed, t.Changed, t.Attention)
}

func flags(f []string) string {
	if len(f) == 0 {
		return "-"
	}
	return strings.Join(f, ", ")
}

func (c Change) mark() string {
	switch c.Op {
	case Added:
		return "+"
	case Removed:
		return "-"
	}
	return "~"
}

// headline is one change's first line.
func (c Change) headline() string {
	s := fmt.Sprintf("%s %s (%s)", c.mark(), c.Key.ID(), c.Tier)
	if c.OldTier != "" {
		s += fmt.Sprintf(" moved from %s", c.OldTier)
	}
	if len(c.Attention) > 0 {
		s += " [" + strings.Join(c.Attention, ", ") + "]"
	}
	return s
}

// fieldLines prints a field's change, indented.
func (f Field) lines(indent string) []string {
	var head string
	switch f.Op {
	case Added:
		head = fmt.Sprintf("%s%s: added %s", indent, f.Path, f.New)
	case Removed:
		head = fmt.Sprintf("%s%s: removed (was %s)", indent, f.Path, f.Old)
	default:
		head = fmt.Sprintf("%s%s: %s -> %s", indent, f.Path, f.Old, f.New)
	}
	if len(f.Attention) > 0 {
		head += "  [" + strings.Join(f.Attention, ", ") + "]"
	}
	out := []string{head}
	for _, l := range f.Text {
		out = append(out, indent+"  "+l)
	}
	return out
}

// kindCounts summarises the objects of a whole site added or removed:
// one line per tier, kinds by count.
func (r *Report) kindCounts(site string) []string {
	var out []string
	var tier string
	counts := map[string]int{}
	flush := func() {
		if tier == "" {
			return
		}
		var kinds []string
		for k := range counts {
			kinds = append(kinds, k)
		}
		slices.Sort(kinds)
		var parts []string
		for _, k := range kinds {
			parts = append(parts, fmt.Sprintf("%d %s", counts[k], k))
		}
		out = append(out, fmt.Sprintf("%s: %s", tier, strings.Join(parts, ", ")))
		clear(counts)
	}
	for _, c := range r.Changes {
		if c.Key.Site != site {
			continue
		}
		if c.Tier != tier {
			flush()
			tier = c.Tier
		}
		counts[c.Key.Kind]++
	}
	flush()
	return out
}

func (r *Report) siteNoise(site string) []string {
	var out []string
	for _, n := range r.Noise {
		if n.Site == site {
			out = append(out, fmt.Sprintf("label %s %q -> %q on %d object(s) (summarised)", n.Label, n.Old, n.New, n.Objects))
		}
	}
	return out
}

// summaryRow is one line of the summary table: a tier of a site, or a
// site whose only change is noise.
type summaryRow struct {
	first                                       bool // the site's first row
	site, status, tier, added, removed, changed string
	attention                                   []string
}

// summaryRows are the rows of the summary table; untouched sites have
// none (they are named on one line).
func (r *Report) summaryRows() []summaryRow {
	var out []summaryRow
	for _, s := range r.Sites {
		if r.untouched(s) {
			continue
		}
		if len(s.Tiers) == 0 {
			out = append(out, summaryRow{first: true, site: s.Site, status: "labels only", tier: "-", added: "0", removed: "0", changed: "0"})
			continue
		}
		for i, t := range s.Tiers {
			out = append(out, summaryRow{first: i == 0, site: s.Site, status: s.Status, tier: t.Tier,
				added: fmt.Sprint(t.Added), removed: fmt.Sprint(t.Removed), changed: fmt.Sprint(t.Changed), attention: t.Attention})
		}
	}
	return out
}

// untouched says a site shows no difference at all, not even noise.
func (r *Report) untouched(s SiteSummary) bool {
	return s.Status == "unchanged" && !slices.ContainsFunc(r.Noise, func(n Noise) bool { return n.Site == s.Site })
}

// maxNames caps the names of unchanged sites listed.
const maxNames = 20

func (r *Report) unchangedLine() string {
	var names []string
	for _, s := range r.Sites {
		if r.untouched(s) {
			names = append(names, s.Site)
		}
	}
	if len(names) == 0 {
		return ""
	}
	list := strings.Join(names, ", ")
	if len(names) > maxNames {
		list = strings.Join(names[:maxNames], ", ") + fmt.Sprintf(", … (%d more)", len(names)-maxNames)
	}
	return fmt.Sprintf("Unchanged: %d site(s): %s.", len(names), list)
}

// ---- text ----

func (r *Report) text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Comparing %s with %s.\n", r.Old, r.New)
	if !r.Differs() {
		b.WriteString("No differences.\n")
		return b.String()
	}
	b.WriteString("\n")
	rows := [][]string{{"SITE", "STATUS", "TIER", "ADDED", "REMOVED", "CHANGED", "ATTENTION"}}
	for _, row := range r.summaryRows() {
		if row.first {
			rows = append(rows, []string{row.site, row.status, row.tier, row.added, row.removed, row.changed, flags(row.attention)})
		} else {
			rows = append(rows, []string{"", "", row.tier, row.added, row.removed, row.changed, flags(row.attention)})
		}
	}
	if len(rows) > 1 {
		b.WriteString(textfmt.Align(rows, ""))
	}
	if u := r.unchangedLine(); u != "" {
		b.WriteString(u + "\n")
	}
	if lines := r.upgradeLines("  "); len(lines) > 0 {
		b.WriteString("\nRelease changes:\n" + strings.Join(lines, "\n") + "\n")
	}
	for _, s := range r.Sites {
		lines := r.siteDetails(s, "  ", "    ")
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s)\n", s.Site, s.Status)
		for _, l := range lines {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	if t := r.Totals(); t.Sites == 0 && len(r.Upgrades) > 0 {
		fmt.Fprintf(&b, "\n%d release change(s), no object differs.\n", len(r.Upgrades))
	} else {
		fmt.Fprintf(&b, "\n%s.\n", t)
	}
	return b.String()
}

// siteDetails are the lines under a site: kinds per tier for a site added
// or removed whole, one block per object otherwise; then the noise.
func (r *Report) siteDetails(s SiteSummary, indent, fieldIndent string) []string {
	var out []string
	if s.Status == "added" || s.Status == "removed" {
		for _, l := range r.kindCounts(s.Site) {
			out = append(out, indent+l)
		}
	} else {
		for _, c := range r.Changes {
			if c.Key.Site != s.Site {
				continue
			}
			out = append(out, c.block(indent, fieldIndent)...)
		}
	}
	for _, l := range r.siteNoise(s.Site) {
		out = append(out, indent+l)
	}
	return out
}

func (c Change) block(indent, fieldIndent string) []string {
	out := []string{indent + c.headline()}
	out = append(out, c.replaceLines(fieldIndent)...)
	for _, f := range c.Fields {
		out = append(out, f.lines(fieldIndent)...)
	}
	return out
}

// replaceLines say, one a change Kubernetes will not apply in place,
// what replacing the object does.
func (c Change) replaceLines(indent string) []string {
	var out []string
	for _, r := range c.Replace {
		out = append(out, fmt.Sprintf("%sneeds replacement: %s: %s", indent, r.Path, r.Consequence))
	}
	return out
}

// ---- markdown ----

// maxAttention caps the attention list of a markdown report.
const maxAttention = 50

func (r *Report) markdown(limit int) string {
	var head strings.Builder
	t := r.Totals()
	head.WriteString("### tpgen diff\n\n")
	summary := t.String()
	if t.Sites == 0 && len(r.Upgrades) > 0 {
		summary = fmt.Sprintf("%d release change(s), no object differs", len(r.Upgrades))
	}
	fmt.Fprintf(&head, "Comparing %s with %s: **%s**.\n", mdText(r.Old), mdText(r.New), summary)
	if !r.Differs() {
		return head.String()
	}
	rows := r.summaryRows()
	if len(rows) > 0 {
		head.WriteString("\n| site | status | tier | added | removed | changed | attention |\n|---|---|---|--:|--:|--:|---|\n")
	}
	for _, row := range rows {
		att := ""
		if len(row.attention) > 0 {
			att = "⚠️ " + strings.Join(row.attention, ", ")
		}
		fmt.Fprintf(&head, "| %s | %s | %s | %s | %s | %s | %s |\n", mdEscape(row.site), row.status, mdEscape(row.tier), row.added, row.removed, row.changed, att)
	}
	if u := r.unchangedLine(); u != "" {
		head.WriteString("\n" + mdEscape(u) + "\n")
	}
	head.WriteString(r.upgradeMarkdown())
	var att []string
	for _, s := range r.Sites {
		if s.Status == "added" || s.Status == "removed" {
			var all []string
			n := 0
			for _, c := range r.Changes {
				if c.Key.Site == s.Site && len(c.Attention) > 0 {
					all = append(all, c.Attention...)
					n++
				}
			}
			if n > 0 {
				att = append(att, fmt.Sprintf("- **%s** %s whole: %d object(s) flagged (%s)", mdEscape(s.Site), s.Status, n, strings.Join(sortedSet(all), ", ")))
			}
			continue
		}
		for _, c := range r.Changes {
			if c.Key.Site == s.Site && len(c.Attention) > 0 {
				line := fmt.Sprintf("- **%s** %s `%s` (%s): %s", mdEscape(s.Site), c.Op, c.Key.ID(), c.Tier, strings.Join(c.Attention, ", "))
				for _, r := range c.Replace {
					line += fmt.Sprintf("; needs replacement (`%s`): %s", r.Path, r.Consequence)
				}
				att = append(att, line)
			}
		}
	}
	if len(att) > 0 {
		head.WriteString("\n#### Needs attention\n\n")
		if len(att) > maxAttention {
			more := len(att) - maxAttention
			att = append(att[:maxAttention], fmt.Sprintf("- … and %d more (see the details, or `tpgen diff --output text`)", more))
		}
		head.WriteString(strings.Join(att, "\n") + "\n")
	}

	// Details, one collapsible section per site, cut to fit the limit.
	var body strings.Builder
	cutObjects, cutSites := 0, 0
	reserve := 400 // room for the note on what was cut
	for _, s := range r.Sites {
		blocks := r.siteBlocks(s)
		if len(blocks) == 0 {
			continue
		}
		open := fmt.Sprintf("\n<details><summary>%s: %s</summary>\n\n", mdEscape(s.Site), siteLine(s))
		fence := fenceFor(slices.Concat(blocks...))
		var sec strings.Builder
		sec.WriteString(open + fence + "diff\n")
		kept, total := 0, 0
		for _, blk := range blocks {
			total++
			text := strings.Join(blk, "\n") + "\n"
			if head.Len()+body.Len()+sec.Len()+len(text)+len(fence)+20+reserve > limit {
				continue
			}
			sec.WriteString(text)
			kept++
		}
		sec.WriteString(fence + "\n</details>\n")
		if kept == 0 {
			cutSites++
			cutObjects += total
			continue
		}
		cutObjects += total - kept
		body.WriteString(sec.String())
	}
	out := head.String() + body.String()
	if cutObjects > 0 {
		out += fmt.Sprintf("\n> **Cut to fit %d bytes:** the details of %d object(s) were left out", limit, cutObjects)
		if cutSites > 0 {
			out += fmt.Sprintf(" (%d site(s) without details)", cutSites)
		}
		out += "; the summary and the attention list are complete. Run `tpgen diff --output text` for everything.\n"
	}
	return out
}

// siteBlocks are a site's details as units the size cap keeps or drops.
func (r *Report) siteBlocks(s SiteSummary) [][]string {
	var out [][]string
	if s.Status == "added" || s.Status == "removed" {
		for _, l := range r.kindCounts(s.Site) {
			out = append(out, []string{mark(s.Status) + " " + l})
		}
	} else {
		for _, c := range r.Changes {
			if c.Key.Site == s.Site {
				out = append(out, c.diffBlock())
			}
		}
	}
	for _, l := range r.siteNoise(s.Site) {
		out = append(out, []string{"# " + l})
	}
	return out
}

// diffBlock is a change in the syntax of a unified diff, so that GitHub
// colours it: "@@ object @@", then "-path: old" and "+path: new".
func (c Change) diffBlock() []string {
	if c.Op != Changed {
		return []string{c.headline()}
	}
	h := strings.TrimPrefix(c.headline(), "~ ")
	out := []string{"@@ " + h + " @@"}
	out = append(out, c.replaceLines("! ")...)
	for _, f := range c.Fields {
		att := ""
		if len(f.Attention) > 0 {
			att = "  [" + strings.Join(f.Attention, ", ") + "]"
		}
		switch {
		case len(f.Text) > 0:
			out = append(out, fmt.Sprintf("  %s: %s -> %s%s", f.Path, f.Old, f.New, att))
			for _, l := range f.Text {
				out = append(out, l[:1]+"     "+l[1:])
			}
		case f.Op == Added:
			out = append(out, fmt.Sprintf("+ %s: %s%s", f.Path, f.New, att))
		case f.Op == Removed:
			out = append(out, fmt.Sprintf("- %s: %s%s", f.Path, f.Old, att))
		default:
			out = append(out, fmt.Sprintf("- %s: %s", f.Path, f.Old), fmt.Sprintf("+ %s: %s%s", f.Path, f.New, att))
		}
	}
	return out
}

func mark(status string) string {
	if status == "removed" {
		return "-"
	}
	return "+"
}

func siteLine(s SiteSummary) string {
	var a, rm, ch int
	for _, t := range s.Tiers {
		a, rm, ch = a+t.Added, rm+t.Removed, ch+t.Changed
	}
	switch s.Status {
	case "added":
		return fmt.Sprintf("new site, %d object(s)", a)
	case "removed":
		return fmt.Sprintf("site removed, %d object(s)", rm)
	}
	return fmt.Sprintf("%d changed, %d added, %d removed", ch, a, rm)
}

// fenceFor returns a code fence longer than any backtick run in lines.
func fenceFor(lines []string) string {
	longest := 0
	for _, l := range lines {
		run := 0
		for _, c := range l {
			if c == '`' {
				run++
				longest = max(longest, run)
			} else {
				run = 0
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

func mdText(s string) string {
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(s)
}

func mdEscape(s string) string { return textfmt.Markdown(s) }

// ---- json ----

func (r *Report) writeJSON(w io.Writer) error {
	t := r.Totals()
	out := struct {
		Old         string        `json:"old"`
		New         string        `json:"new"`
		Differences bool          `json:"differences"`
		Totals      Totals        `json:"totals"`
		Sites       []SiteSummary `json:"sites"`
		Changes     []Change      `json:"changes"`
		Noise       []Noise       `json:"noise"`
		Upgrades    []Upgrade     `json:"upgrades"`
	}{Old: r.Old, New: r.New, Differences: r.Differs(), Totals: t, Sites: r.Sites, Changes: r.Changes, Noise: r.Noise, Upgrades: r.Upgrades}
	if out.Sites == nil {
		out.Sites = []SiteSummary{}
	}
	for i := range out.Sites {
		if out.Sites[i].Tiers == nil {
			out.Sites[i].Tiers = []TierSummary{}
		}
	}
	if out.Noise == nil {
		out.Noise = []Noise{}
	}
	if out.Changes == nil {
		out.Changes = []Change{}
	}
	if out.Upgrades == nil {
		out.Upgrades = []Upgrade{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}
