package profile

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"

	"cuelang.org/go/cue"
)

// Plan is what the pipeline executes for one site; see cue/plan.cue for the
// contract.
type Plan struct {
	Site string `json:"site"`
	// Cluster names the cluster the site runs in (default the site's
	// name): its cluster-scoped objects go to DIR/clusters/<Cluster>/.
	Cluster string `json:"cluster"`
	// Namespace, if set, is the site's own namespace (where the Secrets
	// the profile references live).
	Namespace   string `json:"namespace,omitempty"`
	KubeVersion string `json:"kubeVersion"`
	Release     string `json:"release,omitempty"`
	// Namespaces the plan declares, sorted by name.
	Namespaces []Namespace `json:"namespaces"`
	// Components sorted by name; Graph orders them.
	Components  []Component `json:"components"`
	Overlays    []string    `json:"overlays"`
	SiteOverlay string      `json:"siteOverlay,omitempty"`
	ChartsDir   string      `json:"chartsDir,omitempty"`
	// AcknowledgeReplace are the objects whose in-place-immutable
	// changes the profile acknowledges: Kind/namespace/name patterns, or
	// "all".
	AcknowledgeReplace []string `json:"acknowledgeReplace"`
	// Checks is the input of the validation stage (cue/plan.cue #Checks),
	// decoded by the stage that uses it.
	Checks json.RawMessage `json:"checks"`
	GitOps GitOps          `json:"gitops"`
	// Secrets is the site's secret workflow (profile secrets, engine
	// #tpgenSecrets): what a Secret rendered from secret markers becomes.
	Secrets Secrets `json:"secrets"`
}

// Secrets is the site's secret workflow (render/secretflow).
type Secrets struct {
	// Workflow is preCreated, externalSecrets or sops.
	Workflow string `json:"workflow"`
	Store    *Store `json:"store,omitempty"`
	SOPS     *SOPS  `json:"sops,omitempty"`
}

// Store names an External Secrets store.
type Store struct {
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// SOPS is the sops workflow's recipient and files (relative to the
// profile).
type SOPS struct {
	Age              string            `json:"age,omitempty"`
	PGP              string            `json:"pgp,omitempty"`
	Files            map[string]string `json:"files,omitempty"`
	DecryptionSecret string            `json:"decryptionSecret"`
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
	// Decryption is the Secret Flux decrypts SOPS files with (the sops
	// secret workflow's decryptionSecret), or "". Set from Secrets.
	Decryption string `json:"-"`
}

// Destination is an Argo CD cluster, by API server URL or registered name.
type Destination struct {
	Server string `json:"server,omitempty"`
	Name   string `json:"name,omitempty"`
}

// Account applies a component: cluster-admin, or a ServiceAccount of the
// component's namespace.
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
	sc, err := l.schemaOf(s.Module)
	if err != nil {
		return nil, err
	}
	v := sc.plan.FillPath(cue.ParsePath("profile"), s.Profile)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		// A graph error (a cycle, an undeclared dependency read through
		// uses) is the module's to fix and said as such; anything else
		// is a schema defect.
		if gerr := graphErrors(s, v, err); gerr != nil {
			return nil, gerr
		}
		return nil, fmt.Errorf("computing the plan of site %s (a schema defect, not a profile error): %w", s.Name, err)
	}
	p, err := decodePlan(v)
	if err != nil {
		return nil, fmt.Errorf("decoding the plan of site %s: %w", s.Name, err)
	}
	if _, err := p.Graph(s.Source.File); err != nil {
		return nil, err
	}
	return p, nil
}

// decodePlan decodes v; the namespaces and components maps become lists
// sorted by name.
func decodePlan(v cue.Value) (*Plan, error) {
	b, err := v.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	var nss map[string]Namespace
	var comps map[string]Component
	if err := unmarshalField(raw, "namespaces", &nss); err != nil {
		return nil, err
	}
	if err := unmarshalField(raw, "components", &comps); err != nil {
		return nil, err
	}
	delete(raw, "namespaces")
	delete(raw, "components")
	if b, err = json.Marshal(raw); err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, err
	}
	if p.Secrets.Workflow == "sops" && p.Secrets.SOPS != nil {
		p.GitOps.Decryption = p.Secrets.SOPS.DecryptionSecret
	}
	for _, n := range slices.Sorted(maps.Keys(nss)) {
		ns := nss[n]
		ns.Name = n
		p.Namespaces = append(p.Namespaces, ns)
	}
	for _, n := range slices.Sorted(maps.Keys(comps)) {
		c := comps[n]
		c.Name = n
		if len(c.DependsOn) == 0 {
			c.DependsOn = nil
		}
		p.Components = append(p.Components, c)
	}
	return &p, nil
}

func unmarshalField(raw map[string]json.RawMessage, name string, v any) error {
	b, ok := raw[name]
	if !ok {
		return nil
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
