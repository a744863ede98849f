package validate

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// Item is one object of the site and the file it goes to.
type Item struct {
	Object object.Object
	// File is the file the object is (or would be) written to, as it
	// should be printed, e.g. deploy/lyon-prod/data/kafka.kafka.strimzi.io_kafka-cluster.yaml.
	File string
}

// Options describe the site.
type Options struct {
	Site string
	// Profile is the site's profile file; findings about the profile
	// itself (waivers) point at it.
	Profile string
	// KubeVersion is the cluster's Kubernetes release, "1.27".
	KubeVersion string
	// Namespace is the site's own namespace (where the Secrets the
	// profile references live), if the plan has one.
	Namespace string
	// Namespaces the plan declares: every namespaced object is in one
	// (default: Namespace alone).
	Namespaces []string
	// ClusterTier is the Tier of the objects in the cluster directory.
	ClusterTier string
	Policy      Policy
	// ProvidedCRDs are the CRDs of Policy.APIs, decoded, by
	// ProvidedAPI.CRDKey.
	ProvidedCRDs map[string]map[string]any
}

func (o Options) namespaces() []string {
	if len(o.Namespaces) > 0 {
		return o.Namespaces
	}
	return []string{o.Namespace}
}

// Policy is the plan's checks block (the module's #Plan.checks): the
// site-specific inputs of the checks.
type Policy struct {
	// PriorityClasses every Pod template must use one of.
	PriorityClasses []string `json:"priorityClasses"`
	// Exposure: exactly the ports LoadBalancer and NodePort Services open.
	Exposure Exposure `json:"exposure"`
	// NetworkPolicy: NetworkPolicies must exist and select every workload.
	NetworkPolicy bool `json:"networkPolicy"`
	// Provided lists, by kind, the names of objects the cluster provides
	// (namespaced ones in the site namespace).
	Provided map[string][]string `json:"provided"`
	// References are fields of custom resources that name other objects,
	// beyond the conventional *ClassName and serviceAccountName fields.
	References []Reference `json:"references"`
	// Waivers are the site's explicit exceptions to policy checks.
	Waivers []Waiver `json:"waivers"`
	// APIs the cluster serves beyond Kubernetes and the site's CRDs.
	APIs []ProvidedAPI `json:"apis"`
}

// ProvidedAPI is a kind the cluster serves (an operator installed by the
// platform: External Secrets, Sealed Secrets...).
type ProvidedAPI struct {
	Group    string   `json:"group"`
	Kind     string   `json:"kind"`
	Versions []string `json:"versions"`
	// CRD is the CustomResourceDefinition file named in the profile,
	// relative to it; its decoded content is in Options.ProvidedCRDs.
	CRD string `json:"crd,omitempty"`
}

// CRDKey keys the API's CRD in Options.ProvidedCRDs (one file may hold
// several).
func (a ProvidedAPI) CRDKey() string { return a.CRD + "#" + a.Kind + "." + a.Group }

// Exposure is what the site exposes outside the cluster.
type Exposure struct {
	Ports []int `json:"ports"`
	// Because says where the ports come from, for messages.
	Because string `json:"because"`
}

// Reference is a field of a custom resource kind that names an object of
// kind Refers (in the custom resource's namespace when namespaced).
type Reference struct {
	Group  string `json:"group"`
	Kind   string `json:"kind"`
	Path   string `json:"path"` // dotted; "[]" after a list field means each element
	Refers string `json:"refers"`
}

// Waiver exempts the objects matching Objects (all objects when empty)
// from the policy check ID.
type Waiver struct {
	ID     string `json:"id"`
	Reason string `json:"reason"`
	// Objects are Kind/namespace/name (Kind/name when cluster-scoped)
	// patterns; * matches within one part.
	Objects []string `json:"objects,omitempty"`
}

// Severity of a finding.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	// SeverityWaived is a policy error the profile waives; it carries the
	// waiver's reason.
	SeverityWaived Severity = "waived"
)

// Finding is one problem with one object (or with the site as a whole,
// when Object is empty).
type Finding struct {
	Severity Severity `json:"severity"`
	Site     string   `json:"site"`
	Object   string   `json:"object,omitempty"` // Kind/namespace/name
	File     string   `json:"file,omitempty"`
	Path     string   `json:"path,omitempty"` // field path in the object
	Source   string   `json:"source,omitempty"`
	Check    string   `json:"check"`
	Message  string   `json:"message"`
	Hint     string   `json:"hint,omitempty"`
	// Waiver is the reason of the waiver that waived it.
	Waiver string `json:"waiver,omitempty"`
}

// String is the multi-line form:
//
//	[warning: ]site: Kind/ns/name: path: message [check]
//	    file (source)
//	    hint: ...
func (f Finding) String() string {
	var b strings.Builder
	switch f.Severity {
	case SeverityWarning:
		b.WriteString("warning: ")
	case SeverityWaived:
		b.WriteString("waived: ")
	}
	b.WriteString(f.Site)
	for _, s := range []string{f.Object, f.Path} {
		if s != "" {
			b.WriteString(": " + s)
		}
	}
	fmt.Fprintf(&b, ": %s [%s]", f.Message, f.Check)
	if f.File != "" || f.Source != "" {
		b.WriteString("\n    " + f.File)
		if f.Source != "" {
			if f.File != "" {
				b.WriteString(" ")
			}
			b.WriteString("(" + f.Source + ")")
		}
	}
	if f.Waiver != "" {
		b.WriteString("\n    waived: " + f.Waiver)
	}
	if f.Hint != "" {
		b.WriteString("\n    hint: " + f.Hint)
	}
	return b.String()
}

// Error is the error of a render whose objects have error findings.
type Error struct {
	// Findings holds every finding (warnings and waived ones too), sorted.
	Findings []Finding
}

func (e *Error) Error() string {
	var parts []string
	for _, f := range e.Findings {
		if f.Severity == SeverityError {
			parts = append(parts, f.String())
		}
	}
	return strings.Join(parts, "\n")
}

// Count returns how many findings have severity s.
func Count(fs []Finding, s Severity) int {
	n := 0
	for _, f := range fs {
		if f.Severity == s {
			n++
		}
	}
	return n
}

// Sort orders findings by site, severity (errors first), file, object,
// path, check and message.
func Sort(fs []Finding) {
	rank := map[Severity]int{SeverityError: 0, SeverityWarning: 1, SeverityWaived: 2}
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.Site, b.Site),
			cmp.Compare(rank[a.Severity], rank[b.Severity]),
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Object, b.Object),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.Check, b.Check),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// Run checks the objects of one site; see the package doc. The error is
// for unusable Options, not for findings.
func Run(items []Item, o Options) ([]Finding, error) {
	release, err := kube.ParseRelease(o.KubeVersion)
	if err != nil {
		return nil, fmt.Errorf("validating site %s: %w", o.Site, err)
	}
	s := newSite(items, o, release)
	// Each pass reports the findings of one or more checks that share a
	// walk over the objects.
	for _, pass := range []func(*site){
		(*site).checkKubernetes, (*site).checkCRDs, (*site).checkReferences, (*site).checkPods,
		(*site).checkSecrets, (*site).checkExposure, (*site).checkScope, (*site).checkNetworkPolicies,
	} {
		pass(s)
	}
	out := s.applyWaivers()
	Sort(out)
	return slices.Compact(out), nil
}

// site is the state of one Run: the inputs, indexes over them, and the
// findings so far.
type site struct {
	o        Options
	release  kube.Release
	items    []Item
	crds     crdIndex
	findings []Finding
}

func newSite(items []Item, o Options, r kube.Release) *site {
	s := &site{o: o, release: r, items: items}
	s.crds = s.loadCRDs()
	return s
}

// report adds a finding about item it (nil for the site as a whole, which
// points at the profile).
func (s *site) report(it *Item, check string, p *field.Path, msg, hint string) {
	f := Finding{Severity: checkSeverity(check), Site: s.o.Site, Check: check, Message: msg, Hint: hint}
	if p != nil {
		f.Path = p.String()
	}
	if it != nil {
		f.Object, f.File, f.Source = it.Object.ID(), it.File, it.Object.Source
		if it.Object.Patched != "" {
			f.Source += ", patched by " + it.Object.Patched
		}
	} else {
		f.File = s.o.Profile // about the site: its profile says what it wants
	}
	s.findings = append(s.findings, f)
}

// reportPath is report with a printed field path.
func (s *site) reportPath(it *Item, check, path, msg, hint string) {
	s.report(it, check, nil, msg, hint)
	s.findings[len(s.findings)-1].Path = path
}

// applyWaivers turns the policy errors a waiver matches into waived
// findings, and reports waivers that match nothing.
func (s *site) applyWaivers() []Finding {
	used := make([]bool, len(s.o.Policy.Waivers))
	out := slices.Clone(s.findings)
	for i := range out {
		f := &out[i]
		if f.Severity != SeverityError || !isWaivable(f.Check) {
			continue
		}
		for j, w := range s.o.Policy.Waivers {
			if w.ID == f.Check && w.matches(f.Object) {
				f.Severity, f.Waiver = SeverityWaived, w.Reason
				used[j] = true
				break
			}
		}
	}
	for j, w := range s.o.Policy.Waivers {
		if used[j] {
			continue
		}
		what := "any object"
		if len(w.Objects) > 0 {
			what = strings.Join(w.Objects, ", ")
		}
		out = append(out, Finding{
			Severity: SeverityWarning, Site: s.o.Site, File: s.o.Profile, Check: "waiver-unused",
			Path:    fmt.Sprintf("policy.waivers[%d]", j),
			Message: fmt.Sprintf("the waiver of %s for %s waives nothing", w.ID, what),
			Hint:    "remove the waiver, or correct its id or objects patterns",
		})
	}
	return out
}

// matches reports whether the waiver covers the object id (Kind/ns/name).
func (w Waiver) matches(id string) bool {
	if len(w.Objects) == 0 {
		return true
	}
	for _, p := range w.Objects {
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}
