package render

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"slices"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/depgraph"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
)

// siteInputs is everything one site is rendered from, read before it is
// rendered: its digest decides whether it needs rendering at all (see
// keptSites), and rendering uses exactly what was digested.
type siteInputs struct {
	graph *depgraph.Graph
	// charts is where the site's charts come from; root (charts.path)
	// stays open until the site is rendered.
	charts siteCharts
	// loaded are the charts and module directories of the components,
	// by component name.
	loaded map[string]loadedChart
	// siteOverlay is the site overlay's directory ("" without one), and
	// siteFiles its files.
	siteOverlay string
	siteFiles   map[string][]byte
	// sops are the profile's SOPS files by path (secrets.sops.files).
	sops   map[string][]byte
	digest string
	// key and reads are what the index records the site read (see
	// readsMemo).
	key   string
	reads map[string]string
}

// close releases what readInputs opened.
func (in *siteInputs) close() {
	if in != nil && in.charts.root != nil {
		in.charts.root.Close()
	}
}

// readInputs reads what site s renders from (o as forModule gives it):
// its graph, every chart and module directory its components use (in
// graph order, as renderComponents renders them), its site overlay, and
// digests them with the profile, its fleet defaults and the plan.
func readInputs(ctx context.Context, s *profile.Site, p *profile.Plan, o Options) (*siteInputs, error) {
	dir := filepath.Dir(s.Source.File)
	g, err := p.Graph(s.Source.File)
	if err != nil {
		return nil, err
	}
	in := &siteInputs{graph: g, charts: siteCharts{base: o.Charts, site: s}, loaded: map[string]loadedChart{}}
	if p.ChartsDir != "" {
		d := filepath.Join(dir, p.ChartsDir)
		root, err := fsguard.OpenDir(dir, p.ChartsDir, "charts.path")
		if err != nil {
			return nil, err
		}
		in.charts.root, in.charts.dir = root, chartsource.NewRoot(root, "chart directory "+d, o.Limits.file())
	}
	var order []loadedChart
	for _, name := range g.Order() {
		c := p.Component(name)
		switch {
		case c.Kind == profile.KindHelm && c.Chart != nil:
			ch, pin, err := loadChart(ctx, *c.Chart, in.charts, o)
			if err != nil {
				in.close()
				return nil, fmt.Errorf("component %s: %w", name, err)
			}
			in.loaded[name] = loadedChart{name: c.Chart.Name, chart: ch, pin: pin}
		case (c.Kind == profile.KindManifests || c.Kind == profile.KindKustomize) && c.Path != "":
			files, display, err := readModuleDir(o.moduleFS, c.Path, o.Limits.file())
			if err != nil {
				in.close()
				return nil, fmt.Errorf("component %s: %w", name, err)
			}
			in.loaded[name] = loadedChart{name: display, files: files}
		default:
			continue
		}
		order = append(order, in.loaded[name])
	}
	if p.SiteOverlay != "" {
		in.siteOverlay = filepath.Join(dir, p.SiteOverlay)
		if in.siteFiles, err = readOverlay(dir, p.SiteOverlay, o.Limits.file()); err != nil {
			in.close()
			return nil, err
		}
	}
	if in.sops = readSOPSFiles(s, p, o.Limits.file()); len(in.sops) > 0 {
		order = append(order, loadedChart{name: "sops files", files: in.sops})
	}
	if in.digest, err = inputs(s, p, order, in.siteFiles, o); err != nil {
		in.close()
		return nil, fmt.Errorf("digesting inputs: %w", err)
	}
	return in, nil
}

// replaceMarkers are the annotations whose rendering depends on the
// previous tree and the acknowledgements of the run (replace.go), not
// only on the inputs: a unit whose files hold one is always rendered.
var replaceMarkers = [][]byte{[]byte(replaceAnnotation + ":"), []byte(expandsAnnotation + ":")}

// markerDomain starts every replace marker: one pass over a file finds
// its candidates.
var markerDomain = []byte("tpgen.dev/")

func hasReplaceMarker(b []byte) bool {
	for {
		i := bytes.Index(b, markerDomain)
		if i < 0 {
			return false
		}
		for _, m := range replaceMarkers {
			if bytes.HasPrefix(b[i:], m) {
				return true
			}
		}
		b = b[i+len(markerDomain):]
	}
}

// skippable says whether the run's options let a site be kept unrendered
// at all: a run that writes or checks DIR, not --full, and that judges a
// site by the rules it was last rendered under (default limits; under
// --strict, a site with an overlay is rendered, since its patches that
// select nothing are then errors).
func (o Options) skippable() bool {
	return o.OutDir != "" && !o.Full && o.Limits.orDefault() == DefaultLimits &&
		(o.EvalLimits.Time <= 0 || o.EvalLimits.Time == profile.DefaultEvalTime) &&
		(o.EvalLimits.Memory <= 0 || o.EvalLimits.Memory == profile.DefaultEvalMemory)
}

// keptSites returns which sites need no rendering: the inputs digest is
// the one the index records (with the same profile file and cluster), the
// site directory and its cluster directory hold exactly the files the
// index records, and every site of that cluster is kept too (a cluster
// directory is made from all its sites' shares). A kept cluster is
// neither rendered nor written.
func keptSites(o Options, prev *output.Index, sites []*profile.Site, plans []*profile.Plan, ins []*siteInputs) []bool {
	kept := make([]bool, len(sites))
	if !prev.Sealed() || !o.skippable() {
		return kept
	}
	clusterOK := map[string]bool{}
	for i, s := range sites {
		p := plans[i]
		if o.pre.kept(s) != nil {
			// Kept before planning, with its whole cluster.
			kept[i] = true
			if _, seen := clusterOK[p.Cluster]; !seen {
				clusterOK[p.Cluster] = true
			}
			continue
		}
		is, ok := prev.Sites[s.Name]
		kept[i] = ok && ins[i] != nil && is.Inputs == ins[i].digest && is.Profile == filepath.ToSlash(s.Source.File) &&
			clusterName(is, s.Name) == p.Cluster && !(o.Strict && p.SiteOverlay != "") &&
			output.Intact(o.OutDir, prev, output.UnitSite, s.Name, hasReplaceMarker)
		if _, seen := clusterOK[p.Cluster]; !seen {
			clusterOK[p.Cluster] = output.Intact(o.OutDir, prev, output.UnitCluster, p.Cluster, hasReplaceMarker)
		}
		clusterOK[p.Cluster] = clusterOK[p.Cluster] && kept[i]
	}
	// A cluster that lost or gained a site since the index was written
	// is made again.
	members := map[string]int{}
	for _, p := range plans {
		members[p.Cluster]++
	}
	for name, is := range prev.Sites {
		c := clusterName(is, name)
		if !slices.ContainsFunc(sites, func(s *profile.Site) bool { return s.Name == name }) {
			clusterOK[c] = false
		}
		members[c]--
	}
	for c, n := range members {
		if n != 0 {
			clusterOK[c] = false
		}
	}
	for i, p := range plans {
		kept[i] = kept[i] && (clusterOK[p.Cluster] || o.pre.kept(sites[i]) != nil)
	}
	return kept
}

// clusterName is the cluster an index entry records for site name.
func clusterName(is output.IndexSite, name string) string {
	if is.Cluster != "" {
		return is.Cluster
	}
	return name
}
