package render

import "github.com/tpgen/tpgen/render/profile"

// written lets go of what a run that writes no longer needs of site i's
// plan once the site is written (issue 17: a run holds the sites in
// progress, not the fleet): its components' values and objects and its
// checks, the bulk of a plan. Its names, cluster, release, namespaces and
// GitOps settings stay (the cluster directory and the index read them).
func written(p *profile.Plan) {
	for i := range p.Components {
		p.Components[i].Values, p.Components[i].Objects = nil, nil
	}
	p.Checks = nil
}
