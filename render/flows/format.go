package flows

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/internal/textfmt"
)

// Formats.
const (
	FormatText     = "text"
	FormatMarkdown = "markdown"
	FormatCSV      = "csv"
	FormatJSON     = "json"
)

var header = []string{"site", "direction", "from", "to", "protocol", "port", "service", "purpose"}

func (f Flow) cells() []string {
	return []string{f.Site, f.Direction, f.From, f.To, f.Protocol, strconv.Itoa(f.Port), f.Service, f.Purpose}
}

// Write writes the flows (normalized) in format, with notes (text and
// markdown print them after the tables, json as a list; csv has none).
func Write(w io.Writer, format string, flows []Flow, notes []string) error {
	switch format {
	case FormatJSON:
		if flows == nil {
			flows = []Flow{}
		}
		if notes == nil {
			notes = []string{}
		}
		return writeJSON(w, struct {
			Flows []Flow   `json:"flows"`
			Notes []string `json:"notes"`
		}{flows, notes})
	case FormatCSV:
		return writeCSV(w, header, flows, func(f Flow) []string { return f.cells() })
	case FormatMarkdown:
		var b strings.Builder
		for i, site := range sites(flows) {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "#### Flows of %s\n\n| direction | from | to | protocol | port | service | purpose |\n|---|---|---|---|--:|---|---|\n", md(site))
			for _, f := range flows {
				if f.Site == site {
					fmt.Fprintf(&b, "| %s | %s | %s | %s | %d | %s | %s |\n", f.Direction, md(f.From), md(f.To), f.Protocol, f.Port, md(f.Service), md(f.Purpose))
				}
			}
		}
		if len(notes) > 0 {
			b.WriteString("\n")
			for _, n := range notes {
				fmt.Fprintf(&b, "> %s\n", md(n))
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	case FormatText, "":
		var b strings.Builder
		for i, site := range sites(flows) {
			if i > 0 {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s\n", site)
			t := [][]string{{"DIRECTION", "FROM", "TO", "PORT", "SERVICE", "PURPOSE"}}
			for _, f := range flows {
				if f.Site == site {
					t = append(t, []string{f.Direction, f.From, f.To, f.Protocol + "/" + strconv.Itoa(f.Port), f.Service, f.Purpose})
				}
			}
			b.WriteString(textfmt.Align(t, "  "))
		}
		if len(notes) > 0 {
			b.WriteString("\n")
			for _, n := range notes {
				fmt.Fprintf(&b, "note: %s\n", n)
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	}
	return fmt.Errorf("unknown format %q: want text, markdown, csv or json", format)
}

// WriteDiff writes the flows opened and closed between old and new (the
// descriptions of the two sides) in format.
func WriteDiff(w io.Writer, format, old, new string, changes []Change) error {
	opened, closed := 0, 0
	for _, c := range changes {
		if c.Op == "opened" {
			opened++
		} else {
			closed++
		}
	}
	summary := fmt.Sprintf("%d flow(s) opened, %d closed", opened, closed)
	switch format {
	case FormatJSON:
		if changes == nil {
			changes = []Change{}
		}
		return writeJSON(w, struct {
			Old     string   `json:"old"`
			New     string   `json:"new"`
			Changes []Change `json:"changes"`
		}{old, new, changes})
	case FormatCSV:
		return writeCSV(w, append([]string{"change"}, header...), changes, func(c Change) []string { return append([]string{c.Op}, c.cells()...) })
	case FormatMarkdown:
		var b strings.Builder
		fmt.Fprintf(&b, "#### Network flows\n\nComparing the flows of %s with %s: **%s**.\n", md(old), md(new), summary)
		if len(changes) > 0 {
			b.WriteString("\n| change | site | direction | from | to | protocol | port | service | purpose |\n|---|---|---|---|---|---|--:|---|---|\n")
			for _, c := range changes {
				op := "🔒 closed"
				if c.Op == "opened" {
					op = "⚠️ **opened**"
				}
				fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %d | %s | %s |\n", op, md(c.Site), c.Direction, md(c.From), md(c.To), c.Protocol, c.Port, md(c.Service), md(c.Purpose))
			}
		}
		_, err := io.WriteString(w, b.String())
		return err
	case FormatText, "":
		var b strings.Builder
		fmt.Fprintf(&b, "Comparing the flows of %s with %s.\n", old, new)
		if len(changes) > 0 {
			t := [][]string{{"CHANGE", "SITE", "DIRECTION", "FROM", "TO", "PORT", "SERVICE", "PURPOSE"}}
			for _, c := range changes {
				t = append(t, []string{c.Op, c.Site, c.Direction, c.From, c.To, c.Protocol + "/" + strconv.Itoa(c.Port), c.Service, c.Purpose})
			}
			b.WriteString("\n" + textfmt.Align(t, "") + "\n")
		}
		b.WriteString(summary + ".\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	return fmt.Errorf("unknown format %q: want text, markdown, csv or json", format)
}

func sites(flows []Flow) []string {
	var out []string
	for _, f := range flows {
		if len(out) == 0 || out[len(out)-1] != f.Site {
			out = append(out, f.Site)
		}
	}
	return out
}

func md(s string) string { return textfmt.Markdown(s) }

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

func writeCSV[T any](w io.Writer, head []string, rows []T, cells func(T) []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write(cells(r)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
