package render

import (
	"context"
	"strings"
	"testing"

	"github.com/tpgen/tpgen/render/validate"
)

// benchSites renders the example fleet once and returns, per site, the
// validation stage's input.
func benchSites(b *testing.B, sites ...string) ([][]validate.Item, []validate.Options) {
	b.Helper()
	o := Options{Paths: []string{"../profiles"}, Sites: sites, Jobs: 2}
	res, err := Run(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	ss, plans, err := plan(context.Background(), o)
	if err != nil {
		b.Fatal(err)
	}
	var items [][]validate.Item
	var opts []validate.Options
	for i, s := range res.Sites {
		var its []validate.Item
		for _, f := range s.Tree {
			if f.Object.Doc == nil {
				continue // a tier's kustomization.yaml
			}
			o := f.Object
			o.Tier, _, _ = strings.Cut(f.Path, "/")
			its = append(its, validate.Item{Object: o, File: f.Path})
		}
		op, err := validateOptions(ss[i], plans[i], s.Tiers[0], DefaultLimits.file(), nil)
		if err != nil {
			b.Fatal(err)
		}
		items, opts = append(items, its), append(opts, op)
	}
	return items, opts
}

func benchValidate(b *testing.B, sites ...string) {
	items, opts := benchSites(b, sites...)
	b.ReportAllocs()
	for b.Loop() {
		for i := range items {
			fs, err := validate.Run(items[i], opts[i])
			if err != nil || len(fs) != 0 {
				b.Fatal(err, fs)
			}
		}
	}
}

// BenchmarkValidateSite runs the validation stage over one example site
// (lyon-prod, 188 objects), CRDs compiled once per process as in a run.
func BenchmarkValidateSite(b *testing.B) { benchValidate(b, "lyon-prod") }

// BenchmarkValidateExamples runs the validation stage over the six example
// sites.
func BenchmarkValidateExamples(b *testing.B) { benchValidate(b) }
