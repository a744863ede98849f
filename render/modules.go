package render

import (
	"io/fs"

	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/module"
	"github.com/tpgen/tpgen/render/profile"
)

// moduleData is what a site renders from its module: its charts (one
// source a module, so each chart is read once a run) and its overlays.
type moduleData struct {
	charts   chartsource.Source
	overlays fs.FS
	root     fs.FS // manifests and kustomize components' directories
}

// modulesOf returns the chart source and overlays of every module the
// sites use, by module source.
func modulesOf(sites []*profile.Site) map[string]moduleData {
	out := map[string]moduleData{}
	for _, s := range sites {
		m := s.Module
		if m == nil {
			m = module.Default()
		}
		if _, ok := out[m.Source]; ok {
			continue
		}
		out[m.Source] = newModuleData(m)
	}
	return out
}

func newModuleData(m *module.Module) moduleData {
	charts, err := fs.Sub(m.FS, "charts")
	if err != nil {
		charts = m.FS // fs.Sub fails only on an invalid name
	}
	overlays, err := fs.Sub(m.FS, "overlays")
	if err != nil {
		overlays = m.FS
	}
	return moduleData{charts: chartsource.NewFS(charts, "module "+m.Name+" charts"), overlays: overlays, root: m.FS}
}

// forModule fills the chart source and overlays the options leave unset
// with module m's.
func (o Options) forModule(m *module.Module) Options {
	if m == nil {
		m = module.Default()
	}
	d, ok := o.modules[m.Source]
	if !ok {
		d = newModuleData(m)
	}
	o.moduleFS = d.root
	if o.Charts == nil {
		o.Charts = d.charts
	}
	if o.Overlays == nil {
		o.Overlays = d.overlays
	}
	return o
}
