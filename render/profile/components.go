package profile

// The component model of issue 12 (see README "Modules"): a Plan's
// Components replace its Tiers, and Namespaces declares every namespace
// the site uses. The types mirror the engine contract #Platform/#Component
// injected into every module's CUE package.

// Namespace is one namespace a plan declares.
type Namespace struct {
	Name string `json:"name"`
	// Provided says the cluster has it; otherwise the engine creates it
	// (a Namespace object in the cluster directory) unless a component
	// renders it.
	Provided bool `json:"provided,omitempty"`
}

// Component is one unit of the site: rendered from a Helm chart, plain
// manifests or a Kustomize directory, applied by one account, ordered by
// its dependencies.
type Component struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Kind is KindHelm, KindManifests or KindKustomize.
	Kind string `json:"kind"`
	// Helm.
	Chart   *ChartRef      `json:"chart,omitempty"`
	Release string         `json:"release,omitempty"`
	Values  map[string]any `json:"values,omitempty"`
	// Manifests and Kustomize: a directory of the module.
	Path string `json:"path,omitempty"`
	// Manifests: objects the plan computes (beside Path's files).
	Objects   []map[string]any `json:"objects,omitempty"`
	Account   Account          `json:"account"`
	Timeout   string           `json:"timeout"`
	DependsOn []string         `json:"dependsOn,omitempty"`
	// Manual components are rendered and validated, never synced.
	Manual bool `json:"manual,omitempty"`
}

// Component kinds.
const (
	KindHelm      = "helm"
	KindManifests = "manifests"
	KindKustomize = "kustomize"
)
