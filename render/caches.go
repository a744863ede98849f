package render

import "github.com/tpgen/tpgen/render/helm"

// caches hold what the per-site stages compute once per distinct input
// for all the sites of one run (issue 17): each is bounded and safe for
// the run's concurrent sites. A nil *caches (a site rendered outside Run)
// caches nothing.
type caches struct {
	helm *helm.Cache
}

func newCaches() *caches {
	return &caches{helm: helm.NewCache(0)}
}

func (c *caches) helmCache() *helm.Cache {
	if c == nil {
		return nil
	}
	return c.helm
}
