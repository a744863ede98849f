package review

import (
	"context"
	"path"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/graph"
	"github.com/tpgen/tpgen/render/object"
)

// Graph renders the profiles in memory (render.Run) and returns, per site, what
// `tpgen graph` draws: the tiers in install order with their object
// counts by kind, and the GitOps engine's objects.
func Graph(ctx context.Context, o render.Options) ([]graph.Site, error) {
	o.WriteOptions, o.Progress = render.WriteOptions{}, nil
	res, err := render.Run(ctx, o)
	if err != nil {
		return nil, err
	}
	var out []graph.Site
	for _, s := range res.Sites {
		if len(o.Sites) > 0 && !slices.Contains(o.Sites, s.Name) {
			continue // rendered for its cluster directory only
		}
		gs := graph.Site{Name: s.Name, Cluster: s.Cluster}
		p := s.Plan()
		for _, t := range s.Tiers {
			gt := graph.Tier{Name: t, Kinds: map[string]int{}}
			dir := t
			if c := p.Component(t); c != nil {
				gt.Namespace, gt.Kind, gt.Manual, gt.DependsOn = c.Namespace, c.Kind, c.Manual, c.DependsOn
				if c.Manual {
					dir = "manual/" + t
				}
			}
			for _, f := range s.Tree {
				if f.Object.Doc != nil && path.Dir(f.Path) == dir {
					gt.Kinds[f.Object.Kind()]++
				}
			}
			gs.Tiers = append(gs.Tiers, gt)
		}
		for _, f := range s.Tree {
			if dir := path.Dir(f.Path); f.Object.Doc != nil && (dir == gitops.Dir || strings.HasPrefix(dir, gitops.Dir+"/")) {
				gs.GitOps = append(gs.GitOps, object.Object{Tier: dir, Doc: f.Object.Doc})
			}
		}
		out = append(out, gs)
	}
	return out, nil
}
