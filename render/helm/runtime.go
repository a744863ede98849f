package helm

import (
	"fmt"
	"maps"
	"slices"
	"time"
	_ "unsafe" // go:linkname, see sprigFuncs

	"github.com/Masterminds/sprig/v3"
)

// sprigFuncs is sprig's own function table, from which Helm copies its
// template functions on every render (engine.funcMap calls
// sprig.TxtFuncMap). Helm v3.22 gives no way to replace a function for one
// render, so the refusing versions are installed into sprig's table once, at
// package initialization, before any template can run. Every template of
// every chart, and every string passed to tpl at run time (a literal, a
// value, a file, a string built with printf), then meets the same refusal,
// which the static check of refuseNondeterminism cannot promise. If sprig
// renames its table the link fails: the build breaks, it does not silently
// stop refusing (TestRuntimeRefusal guards the behaviour too).
//
//go:linkname sprigFuncs github.com/Masterminds/sprig/v3.genericMap
var sprigFuncs map[string]any

func init() {
	orig := sprig.GenericFuncMap()
	for name := range refused {
		sprigFuncs[name] = refuse(name)
	}
	// Time functions refused only when they would read the clock: given a
	// date (time.Time, or seconds since the epoch) they are deterministic.
	// The machine's time zone ("Local", sprig's default) is read as UTC, so
	// that the same date formats the same on every machine.
	dateInZone := orig["dateInZone"].(func(string, any, string) string)
	inZone := func(name string) func(string, any, string) (string, error) {
		return func(f string, d any, zone string) (string, error) {
			if err := needDate(name, d); err != nil {
				return "", err
			}
			return dateInZone(f, d, utc(zone)), nil
		}
	}
	sprigFuncs["dateInZone"] = inZone("dateInZone")
	sprigFuncs["date_in_zone"] = inZone("date_in_zone")
	sprigFuncs["date"] = func(f string, d any) (string, error) { return inZone("date")(f, d, "UTC") }
	sprigFuncs["htmlDate"] = func(d any) (string, error) { return inZone("htmlDate")("2006-01-02", d, "UTC") }
	sprigFuncs["htmlDateInZone"] = func(d any, zone string) (string, error) {
		return inZone("htmlDateInZone")("2006-01-02", d, zone)
	}
	sprigFuncs["toDate"] = func(f, s string) time.Time {
		t, _ := time.ParseInLocation(f, s, time.UTC)
		return t
	}
	sprigFuncs["mustToDate"] = func(f, s string) (time.Time, error) { return time.ParseInLocation(f, s, time.UTC) }
	// keys and values list a dict in Go's map order, which changes from run
	// to run; sprig promises no order, so sorted by key is as valid and the
	// same every run.
	sprigFuncs["keys"] = func(dicts ...map[string]any) []string {
		out := []string{}
		for _, d := range dicts {
			out = append(out, slices.Sorted(maps.Keys(d))...)
		}
		return out
	}
	sprigFuncs["values"] = func(d map[string]any) []any {
		out := []any{}
		for _, k := range slices.Sorted(maps.Keys(d)) {
			out = append(out, d[k])
		}
		return out
	}
	durationRound := orig["durationRound"].(func(any) string)
	sprigFuncs["durationRound"] = func(d any) (string, error) {
		if _, ok := d.(time.Time); ok {
			return "", refusal("durationRound", "a date's age depends on when tpgen runs: pass a duration")
		}
		return durationRound(d), nil
	}
}

// utc maps the machine's zone to UTC.
func utc(zone string) string {
	if zone == "Local" {
		return "UTC"
	}
	return zone
}

// refuse returns a template function that fails whatever its arguments.
func refuse(name string) func(...any) (string, error) {
	return func(...any) (string, error) { return "", refusal(name, refused[name]) }
}

// needDate fails unless d is a date the sprig function formats as given;
// anything else makes sprig format the current time.
func needDate(name string, d any) error {
	switch d.(type) {
	case time.Time, *time.Time, int, int32, int64:
		return nil
	}
	return refusal(name, fmt.Sprintf("without a date (got %T) it formats the current time: pass a fixed date in values", d))
}

// refusal is the error of a refused call; text/template prefixes it with the
// template, line and call (and Helm's tpl with the text it ran).
func refusal(name, hint string) error {
	return fmt.Errorf("non-deterministic template function %q refused (rendering must give the same bytes every run)\n    hint: %s", name, hint)
}
