package render

import (
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/profile"
)

// GitOpsOptions lets tests wire a site for another engine than its own.
func GitOpsOptions(p *profile.Plan, objs []object.Object) gitops.Options {
	g, err := p.Graph("")
	if err != nil {
		panic(err)
	}
	return gitopsOptions(p, g, objs)
}

// OnPlan makes f see each site whose plan a run evaluates (nil: none);
// the returned func restores the previous hook.
func OnPlan(f func(site string)) func() {
	old := planHook
	planHook = f
	return func() { planHook = old }
}
