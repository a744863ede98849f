package migrate

import (
	"encoding/json"
	"fmt"
	"io"
)

// Counts returns how many objects were converted, kept unchanged and
// refused.
func (r Report) Counts() (converted, unchanged, refused int) {
	for _, e := range r.Objects {
		switch e.Status {
		case Converted:
			converted++
		case Unchanged:
			unchanged++
		case Refused:
			refused++
		}
	}
	return converted, unchanged, refused
}

// WriteReport writes r as text (warnings and refusals, one a line with
// its hint, then a summary) or json (the Report).
func WriteReport(w io.Writer, format string, r Report) error {
	if format == "json" {
		return json.NewEncoder(w).Encode(r)
	}
	for _, m := range r.Warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
		if m.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", m.Hint)
		}
	}
	for _, m := range r.Refused {
		fmt.Fprintf(w, "refused: %s\n", m)
		if m.Hint != "" {
			fmt.Fprintf(w, "  hint: %s\n", m.Hint)
		}
	}
	c, u, x := r.Counts()
	_ = x
	_, err := fmt.Fprintf(w, "Kubernetes %s: %d objects converted, %d unchanged, %d refused; %d warnings\n", r.Target, c, u, len(r.Refused), len(r.Warnings))
	return err
}
