package graph

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/render/depgraph"
	"github.com/tpgen/tpgen/render/object"
)

// Site is one site to draw.
type Site struct {
	Name string
	// Tiers in install order.
	Tiers []Tier
	// GitOps are the engine's objects (Argo CD or Flux), Tier set to
	// their directory relative to the site (gitops, gitops/tiers, ...).
	GitOps []object.Object
	// Cluster names the site's cluster unit, where the components that
	// have nothing in the site directory are.
	Cluster string
}

// Tier is one component of a site and the kinds it holds.
type Tier struct {
	Name  string
	Kinds map[string]int
	// Namespace and Kind (helm, manifests, kustomize) of the component,
	// drawn when set.
	Namespace, Kind string
	// Manual components are rendered but never synced.
	Manual bool
	// DependsOn are the components it depends on. When a tier of the
	// site has dependencies or is manual, the edges are the dependency
	// graph's (an edge another path implies is dotted) instead of the
	// engine's order alone.
	DependsOn []string
}

// node is one box of the graph.
type node struct {
	id    string
	title string   // first line, bold in Mermaid
	lines []string // the rest
}

type edge struct {
	from, to, label string
	dotted          bool
}

type siteGraph struct {
	name, engine string
	nodes        []node
	edges        []edge
}

// Formats.
const (
	FormatMermaid = "mermaid"
	FormatDot     = "dot"
	FormatJSON    = "json"
)

// Write draws the sites in format.
func Write(w io.Writer, format string, sites []Site) error {
	var gs []siteGraph
	for _, s := range sites {
		g, err := build(s)
		if err != nil {
			return err
		}
		gs = append(gs, g)
	}
	var b strings.Builder
	switch format {
	case FormatMermaid, "":
		mermaid(&b, gs)
	case FormatDot:
		dot(&b, gs)
	case FormatJSON:
		return writeJSON(w, gs)
	default:
		return fmt.Errorf("unknown format %q: want mermaid, dot or json", format)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func build(s Site) (siteGraph, error) {
	g := siteGraph{name: s.Name}
	byTier := map[string]int{} // tier name -> node index
	components := false
	for _, t := range s.Tiers {
		byTier[t.Name] = len(g.nodes)
		var lines []string
		switch {
		case t.Kind != "" && t.Namespace != "":
			lines = append(lines, t.Kind+" in "+t.Namespace)
		case t.Kind != "" || t.Namespace != "":
			lines = append(lines, t.Kind+t.Namespace)
		}
		if t.Manual {
			lines = append(lines, "manual: rendered, never synced")
		}
		g.nodes = append(g.nodes, node{id: s.Name + "/" + t.Name, title: t.Name, lines: append(lines, kinds(t.Kinds)...)})
		components = components || t.Manual || len(t.DependsOn) > 0
	}
	if components {
		if err := g.dependencies(s, byTier); err != nil {
			return siteGraph{}, fmt.Errorf("drawing site %s: %w", s.Name, err)
		}
	}
	apps := filter(s.GitOps, "argoproj.io", "Application")
	ks := filter(s.GitOps, "kustomize.toolkit.fluxcd.io", "Kustomization")
	switch {
	case len(apps) > 0:
		g.engine = "Argo CD"
		g.argocd(s, apps, byTier, components)
	case len(ks) > 0:
		g.engine = "Flux"
		g.flux(s, ks, byTier, components)
	}
	return g, nil
}

// dependencies adds the dependency graph's edges, dependency first, and a
// node for each dependency that is no component of the site.
func (g *siteGraph) dependencies(s Site, byTier map[string]int) error {
	deps := map[string][]string{}
	var outside []string
	for _, t := range s.Tiers {
		deps[t.Name] = t.DependsOn
		for _, d := range t.DependsOn {
			if _, ok := byTier[d]; !ok && !slices.Contains(outside, d) {
				outside = append(outside, d)
			}
		}
	}
	slices.Sort(outside)
	where := "outside the site directory"
	if s.Cluster != "" {
		where = "in the cluster unit clusters/" + s.Cluster + "/"
	}
	for _, d := range outside {
		deps[d] = nil
		g.nodes = append(g.nodes, node{id: s.Name + "/" + d, title: d, lines: []string{"nothing in the site directory", "(" + where + ")"}})
	}
	dg, err := depgraph.New(deps)
	if err != nil {
		return err
	}
	for _, t := range s.Tiers {
		reduced := dg.Reduce(t.Name)
		for _, d := range dg.Deps(t.Name) {
			e := edge{from: s.Name + "/" + d, to: s.Name + "/" + t.Name, label: "dependsOn"}
			if !slices.Contains(reduced, d) {
				e.label, e.dotted = "dependsOn (implied)", true
			}
			g.edges = append(g.edges, e)
		}
	}
	return nil
}

func (g *siteGraph) argocd(s Site, apps []object.Object, byTier map[string]int, components bool) {
	type wave struct {
		n    int
		tier string
	}
	var waves []wave
	var roots []object.Object
	for _, a := range apps {
		tier := path.Base(str(a.Doc, "spec", "source", "path"))
		i, ok := byTier[tier]
		if !ok {
			roots = append(roots, a)
			continue
		}
		ann, _ := a.Annotations()["argocd.argoproj.io/sync-wave"].(string)
		w, _ := strconv.Atoi(ann)
		line := fmt.Sprintf("Application %s · wave %d", a.Name(), w)
		if p := str(a.Doc, "spec", "project"); p != "" {
			line += " · project " + p
		}
		g.nodes[i].lines = append([]string{line}, g.nodes[i].lines...)
		waves = append(waves, wave{w, tier})
	}
	slices.SortStableFunc(waves, func(a, b wave) int { return cmp.Compare(a.n, b.n) })
	prev := ""
	for _, r := range roots {
		id := s.Name + "/root"
		g.nodes = append([]node{{id: id, title: "Application " + r.Name(), lines: []string{"root (app of apps), syncs " + str(r.Doc, "spec", "source", "path")}}}, g.nodes...)
		prev = id
	}
	if components {
		// The dependency edges say what each wave waits for; the
		// waves are on the Application lines.
		return
	}
	for _, w := range waves {
		to := s.Name + "/" + w.tier
		if prev != "" {
			g.edges = append(g.edges, edge{from: prev, to: to, label: fmt.Sprintf("wave %d", w.n)})
		}
		prev = to
	}
}

func (g *siteGraph) flux(s Site, ks []object.Object, byTier map[string]int, components bool) {
	idOf := map[string]string{} // Kustomization namespace/name -> node id
	for _, k := range ks {
		tier := path.Base(str(k.Doc, "spec", "path"))
		line := "Kustomization " + k.Name()
		if sa := str(k.Doc, "spec", "serviceAccountName"); sa != "" {
			line += " · as " + sa
		}
		if i, ok := byTier[tier]; ok {
			g.nodes[i].lines = append([]string{line}, g.nodes[i].lines...)
			idOf[k.Namespace()+"/"+k.Name()] = g.nodes[i].id
			continue
		}
		id := s.Name + "/" + k.Name()
		idOf[k.Namespace()+"/"+k.Name()] = id
		g.nodes = append(g.nodes, node{id: id, title: "Kustomization " + k.Name(), lines: []string{"applies " + str(k.Doc, "spec", "path")}})
	}
	for _, k := range ks {
		to := idOf[k.Namespace()+"/"+k.Name()]
		spec, _ := k.Doc["spec"].(map[string]any)
		deps, _ := spec["dependsOn"].([]any)
		for _, d := range deps {
			dm, _ := d.(map[string]any)
			ns, _ := dm["namespace"].(string)
			if ns == "" {
				ns = k.Namespace()
			}
			name, _ := dm["name"].(string)
			from, ok := idOf[ns+"/"+name]
			// With dependency edges drawn, a dependsOn between two
			// components is one of them (the reduced ones).
			if ok && !(components && g.isComponent(s, from, byTier) && g.isComponent(s, to, byTier)) {
				g.edges = append(g.edges, edge{from: from, to: to, label: "dependsOn"})
			}
		}
		// A Kustomization whose path is the directory of other
		// Kustomizations applies them.
		dir := strings.TrimSuffix(str(k.Doc, "spec", "path"), "/")
		for _, c := range ks {
			if c.Tier != "" && strings.HasSuffix(dir, "/"+c.Tier) {
				g.edges = append(g.edges, edge{from: to, to: idOf[c.Namespace()+"/"+c.Name()], label: "applies", dotted: true})
			}
		}
	}
	slices.SortStableFunc(g.edges, func(a, b edge) int { return cmp.Compare(g.index(a.to), g.index(b.to)) })
}

func (g *siteGraph) isComponent(s Site, id string, byTier map[string]int) bool {
	_, ok := byTier[strings.TrimPrefix(id, s.Name+"/")]
	return ok
}

// title names the site and its engine.
func (g *siteGraph) title() string {
	if g.engine == "" {
		return g.name
	}
	return g.name + " · " + g.engine
}

func (g *siteGraph) index(id string) int {
	return slices.IndexFunc(g.nodes, func(n node) bool { return n.id == id })
}

// kinds lists counts by kind, most frequent first, then by name, a few
// per line.
func kinds(m map[string]int) []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(m[b], m[a]), cmp.Compare(a, b)) })
	var out []string
	for i := 0; i < len(names); i += kindsPerLine {
		var parts []string
		for _, k := range names[i:min(i+kindsPerLine, len(names))] {
			parts = append(parts, fmt.Sprintf("%d %s", m[k], k))
		}
		out = append(out, strings.Join(parts, ", "))
	}
	return out
}

// kindsPerLine keeps a tier's box about as wide as its title lines.
const kindsPerLine = 3

func filter(objs []object.Object, group, kind string) []object.Object {
	var out []object.Object
	for _, o := range objs {
		if o.Group() == group && o.Kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func str(doc map[string]any, keys ...string) string {
	var v any = doc
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

var unsafeID = regexp.MustCompile(`[^A-Za-z0-9_]`)

func mermaidID(id string) string { return unsafeID.ReplaceAllString(id, "_") }

func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;").Replace(s)
}

func mermaid(b *strings.Builder, gs []siteGraph) {
	b.WriteString("flowchart TD\n")
	for _, g := range gs {
		fmt.Fprintf(b, "  subgraph %s[\"%s\"]\n    direction TB\n", mermaidID("site_"+g.name), mermaidText(g.title()))
		for _, n := range g.nodes {
			parts := []string{"<b>" + mermaidText(n.title) + "</b>"}
			for _, l := range n.lines {
				parts = append(parts, mermaidText(l))
			}
			fmt.Fprintf(b, "    %s[\"%s\"]\n", mermaidID(n.id), strings.Join(parts, "<br/>"))
		}
		b.WriteString("  end\n")
		for _, e := range g.edges {
			arrow := "-->"
			if e.dotted {
				arrow = "-.->"
			}
			fmt.Fprintf(b, "  %s %s|\"%s\"| %s\n", mermaidID(e.from), arrow, mermaidText(e.label), mermaidID(e.to))
		}
	}
}

func dotQuote(s string) string { return strconv.Quote(s) }

func dot(b *strings.Builder, gs []siteGraph) {
	b.WriteString("digraph tpgen {\n  rankdir=TB;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n  edge [fontname=\"Helvetica\", fontsize=9];\n")
	for _, g := range gs {
		fmt.Fprintf(b, "  subgraph %s {\n    label=%s;\n", dotQuote("cluster_"+g.name), dotQuote(g.title()))
		for _, n := range g.nodes {
			label := n.title + "\\n" + strings.Join(n.lines, "\\l") + "\\l"
			if len(n.lines) == 0 {
				label = n.title
			}
			fmt.Fprintf(b, "    %s [label=\"%s\"];\n", dotQuote(n.id), strings.ReplaceAll(label, `"`, `\"`))
		}
		b.WriteString("  }\n")
		for _, e := range g.edges {
			style := ""
			if e.dotted {
				style = ", style=dashed"
			}
			fmt.Fprintf(b, "  %s -> %s [label=%s%s];\n", dotQuote(e.from), dotQuote(e.to), dotQuote(e.label), style)
		}
	}
	b.WriteString("}\n")
}

// writeJSON writes the graphs as {"sites": [{name, engine, nodes, edges}]}:
// the same nodes and edges as Mermaid and dot, for tools.
func writeJSON(w io.Writer, gs []siteGraph) error {
	type nodeJSON struct {
		ID    string   `json:"id"`
		Title string   `json:"title"`
		Lines []string `json:"lines"`
	}
	type edgeJSON struct {
		From   string `json:"from"`
		To     string `json:"to"`
		Label  string `json:"label,omitempty"`
		Dotted bool   `json:"dotted,omitempty"`
	}
	type siteJSON struct {
		Name   string     `json:"name"`
		Engine string     `json:"engine"`
		Nodes  []nodeJSON `json:"nodes"`
		Edges  []edgeJSON `json:"edges"`
	}
	out := struct {
		Sites []siteJSON `json:"sites"`
	}{Sites: []siteJSON{}}
	for _, g := range gs {
		s := siteJSON{Name: g.name, Engine: g.engine, Nodes: []nodeJSON{}, Edges: []edgeJSON{}}
		for _, n := range g.nodes {
			s.Nodes = append(s.Nodes, nodeJSON{ID: n.id, Title: n.title, Lines: append([]string{}, n.lines...)})
		}
		for _, e := range g.edges {
			s.Edges = append(s.Edges, edgeJSON{From: e.from, To: e.to, Label: e.label, Dotted: e.dotted})
		}
		out.Sites = append(out.Sites, s)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
