package profile

import (
	"encoding/json"
	"fmt"

	"cuelang.org/go/cue"
)

// Plan is what the pipeline executes for one site; see cue/plan.cue for the
// contract.
type Plan struct {
	Site        string   `json:"site"`
	Namespace   string   `json:"namespace"`
	KubeVersion string   `json:"kubeVersion"`
	Release     string   `json:"release"`
	Tiers       []Tier   `json:"tiers"`
	Overlays    []string `json:"overlays"`
	SiteOverlay string   `json:"siteOverlay,omitempty"`
	ChartsDir   string   `json:"chartsDir,omitempty"`
	// AcknowledgeReplace are the objects whose in-place-immutable
	// changes the profile acknowledges: Kind/namespace/name patterns, or
	// "all".
	AcknowledgeReplace []string `json:"acknowledgeReplace"`
	// Checks is the input of the validation stage (cue/plan.cue #Checks),
	// decoded by the stage that uses it.
	Checks json.RawMessage `json:"checks"`
	GitOps GitOps          `json:"gitops"`
}

// GitOps says how the site's tree is delivered.
type GitOps struct {
	Engine    string `json:"engine"` // argocd or flux
	RepoURL   string `json:"repoURL"`
	Revision  string `json:"revision"`
	Path      string `json:"path"`
	Prune     bool   `json:"prune"`
	Namespace string `json:"namespace"`
	// Argo CD only.
	SelfHeal    bool         `json:"selfHeal,omitempty"`
	Destination *Destination `json:"destination,omitempty"`
	// Flux only.
	Interval    string `json:"interval,omitempty"`
	Credentials string `json:"credentials,omitempty"`
}

// Destination is an Argo CD cluster, by API server URL or registered name.
type Destination struct {
	Server string `json:"server,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Tier is one Helm release of the site.
type Tier struct {
	Name      string         `json:"name"`
	Scope     string         `json:"scope"`
	Chart     ChartRef       `json:"chart"`
	Release   string         `json:"release"`
	Namespace string         `json:"namespace"`
	Values    map[string]any `json:"values"`
	Timeout   string         `json:"timeout"`
	Account   Account        `json:"account"`
}

// Account applies a tier: cluster-admin, or a ServiceAccount of the site's
// namespace.
type Account struct {
	ClusterAdmin   bool   `json:"clusterAdmin,omitempty"`
	ServiceAccount string `json:"serviceAccount,omitempty"`
}

// ChartRef names a chart at an exact version: the module's (or
// charts.path's), or, with Repo, one pinned in the lockfile.
type ChartRef struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	// Repo is a Helm repository (https://...) or OCI location (oci://...).
	Repo string `json:"repo,omitempty"`
	// Auth names the credentials of Repo, never holds them.
	Auth ChartAuth `json:"auth,omitzero"`
}

// ChartAuth names credentials by reference (render/chartfetch.Auth).
type ChartAuth struct {
	UsernameEnv    string `json:"usernameFromEnv,omitempty"`
	PasswordEnv    string `json:"passwordFromEnv,omitempty"`
	RegistryConfig string `json:"registryConfig,omitempty"`
	DockerConfig   string `json:"dockerConfig,omitempty"`
}

// Plan evaluates the site's plan.
func (l *Loader) Plan(s *Site) (*Plan, error) {
	v := l.plan.FillPath(cue.ParsePath("profile"), s.Profile)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return nil, fmt.Errorf("computing the plan of site %s (a schema defect, not a profile error): %w", s.Name, err)
	}
	var p Plan
	if err := v.Decode(&p); err != nil {
		return nil, fmt.Errorf("decoding the plan of site %s: %w", s.Name, err)
	}
	return &p, nil
}
