package kube

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// Release is a Kubernetes minor release, e.g. 1.27.
type Release struct{ Major, Minor int }

// ParseRelease reads "1.27" (a "v" prefix and a patch are accepted).
func ParseRelease(s string) (Release, error) {
	t := strings.TrimPrefix(s, "v")
	maj, rest, ok := strings.Cut(t, ".")
	if !ok {
		return Release{}, fmt.Errorf("kubernetes version %q: want MAJOR.MINOR", s)
	}
	mnr, _, _ := strings.Cut(rest, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(mnr)
	if err1 != nil || err2 != nil {
		return Release{}, fmt.Errorf("kubernetes version %q: want MAJOR.MINOR", s)
	}
	return Release{a, b}, nil
}

func (r Release) String() string { return fmt.Sprintf("%d.%d", r.Major, r.Minor) }

// Newest is the newest Kubernetes release tpgen knows: the API types it
// checks against, and the last release the lifecycle table covers.
var Newest = Release{1, 33}

// Before reports whether r is an earlier release than o.
func (r Release) Before(o Release) bool {
	return r.Major < o.Major || r.Major == o.Major && r.Minor < o.Minor
}

// IsZero reports an unset release.
func (r Release) IsZero() bool { return r == Release{} }

// API is one kind at one API version and the releases that changed it.
// Zero releases are unknown or not applicable.
type API struct {
	GroupVersion string // "batch/v1beta1"; "v1" for the core group
	Kind         string
	// Introduced is the first release serving it, given only for the
	// replacements of removed APIs (a site on an older cluster must keep
	// the old version).
	Introduced Release
	// Deprecated is the release from which the API server warns about it.
	Deprecated Release
	// Removed is the first release that no longer serves it.
	Removed Release
	// Replacement is the apiVersion to move to ("batch/v1").
	Replacement string
}

// apis is the lifecycle of the built-in APIs that Kubernetes 1.16 to 1.33
// removed or deprecated, after the Kubernetes deprecation guide
// (https://kubernetes.io/docs/reference/using-api/deprecation-guide/) and
// the prerelease-lifecycle tags of k8s.io/api (a test checks the two agree
// wherever k8s.io/api still carries the type), plus when the replacements
// appeared.
var apis = []API{
	// Removed in 1.16.
	{GroupVersion: "extensions/v1beta1", Kind: "DaemonSet", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "extensions/v1beta1", Kind: "Deployment", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "extensions/v1beta1", Kind: "ReplicaSet", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "extensions/v1beta1", Kind: "NetworkPolicy", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "networking.k8s.io/v1"},
	{GroupVersion: "extensions/v1beta1", Kind: "PodSecurityPolicy", Deprecated: Release{1, 11}, Removed: Release{1, 16}, Replacement: "policy/v1beta1"},
	{GroupVersion: "apps/v1beta1", Kind: "Deployment", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta1", Kind: "StatefulSet", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta1", Kind: "ControllerRevision", Deprecated: Release{1, 8}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta2", Kind: "DaemonSet", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta2", Kind: "Deployment", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta2", Kind: "ReplicaSet", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta2", Kind: "StatefulSet", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "apps/v1"},
	{GroupVersion: "apps/v1beta2", Kind: "ControllerRevision", Deprecated: Release{1, 9}, Removed: Release{1, 16}, Replacement: "apps/v1"},

	// Removed in 1.20 and 1.21 (alpha: served only when enabled).
	{GroupVersion: "settings.k8s.io/v1alpha1", Kind: "PodPreset", Removed: Release{1, 20}},
	{GroupVersion: "batch/v2alpha1", Kind: "CronJob", Deprecated: Release{1, 8}, Removed: Release{1, 21}, Replacement: "batch/v1"},

	// Removed in 1.22.
	{GroupVersion: "admissionregistration.k8s.io/v1beta1", Kind: "MutatingWebhookConfiguration", Deprecated: Release{1, 16}, Removed: Release{1, 22}, Replacement: "admissionregistration.k8s.io/v1"},
	{GroupVersion: "admissionregistration.k8s.io/v1beta1", Kind: "ValidatingWebhookConfiguration", Deprecated: Release{1, 16}, Removed: Release{1, 22}, Replacement: "admissionregistration.k8s.io/v1"},
	{GroupVersion: "apiextensions.k8s.io/v1beta1", Kind: "CustomResourceDefinition", Deprecated: Release{1, 16}, Removed: Release{1, 22}, Replacement: "apiextensions.k8s.io/v1"},
	{GroupVersion: "apiregistration.k8s.io/v1beta1", Kind: "APIService", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "apiregistration.k8s.io/v1"},
	{GroupVersion: "authentication.k8s.io/v1beta1", Kind: "TokenReview", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "authentication.k8s.io/v1"},
	{GroupVersion: "authorization.k8s.io/v1beta1", Kind: "LocalSubjectAccessReview", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "authorization.k8s.io/v1"},
	{GroupVersion: "authorization.k8s.io/v1beta1", Kind: "SelfSubjectAccessReview", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "authorization.k8s.io/v1"},
	{GroupVersion: "authorization.k8s.io/v1beta1", Kind: "SelfSubjectRulesReview", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "authorization.k8s.io/v1"},
	{GroupVersion: "authorization.k8s.io/v1beta1", Kind: "SubjectAccessReview", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "authorization.k8s.io/v1"},
	{GroupVersion: "certificates.k8s.io/v1beta1", Kind: "CertificateSigningRequest", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "certificates.k8s.io/v1"},
	{GroupVersion: "coordination.k8s.io/v1beta1", Kind: "Lease", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "coordination.k8s.io/v1"},
	{GroupVersion: "extensions/v1beta1", Kind: "Ingress", Deprecated: Release{1, 14}, Removed: Release{1, 22}, Replacement: "networking.k8s.io/v1"},
	{GroupVersion: "networking.k8s.io/v1beta1", Kind: "Ingress", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "networking.k8s.io/v1"},
	{GroupVersion: "networking.k8s.io/v1beta1", Kind: "IngressClass", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "networking.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRole", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "ClusterRoleBinding", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "Role", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1beta1", Kind: "RoleBinding", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "ClusterRole", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "ClusterRoleBinding", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "Role", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "rbac.authorization.k8s.io/v1alpha1", Kind: "RoleBinding", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "rbac.authorization.k8s.io/v1"},
	{GroupVersion: "node.k8s.io/v1alpha1", Kind: "RuntimeClass", Deprecated: Release{1, 20}, Removed: Release{1, 22}, Replacement: "node.k8s.io/v1"},
	{GroupVersion: "scheduling.k8s.io/v1alpha1", Kind: "PriorityClass", Deprecated: Release{1, 14}, Removed: Release{1, 22}, Replacement: "scheduling.k8s.io/v1"},
	{GroupVersion: "scheduling.k8s.io/v1beta1", Kind: "PriorityClass", Deprecated: Release{1, 14}, Removed: Release{1, 22}, Replacement: "scheduling.k8s.io/v1"},
	{GroupVersion: "storage.k8s.io/v1beta1", Kind: "CSIDriver", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "storage.k8s.io/v1"},
	{GroupVersion: "storage.k8s.io/v1beta1", Kind: "CSINode", Deprecated: Release{1, 17}, Removed: Release{1, 22}, Replacement: "storage.k8s.io/v1"},
	{GroupVersion: "storage.k8s.io/v1beta1", Kind: "StorageClass", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "storage.k8s.io/v1"},
	{GroupVersion: "storage.k8s.io/v1beta1", Kind: "VolumeAttachment", Deprecated: Release{1, 19}, Removed: Release{1, 22}, Replacement: "storage.k8s.io/v1"},

	// Removed in 1.25.
	{GroupVersion: "batch/v1beta1", Kind: "CronJob", Deprecated: Release{1, 21}, Removed: Release{1, 25}, Replacement: "batch/v1"},
	{GroupVersion: "discovery.k8s.io/v1beta1", Kind: "EndpointSlice", Deprecated: Release{1, 21}, Removed: Release{1, 25}, Replacement: "discovery.k8s.io/v1"},
	{GroupVersion: "events.k8s.io/v1beta1", Kind: "Event", Deprecated: Release{1, 22}, Removed: Release{1, 25}, Replacement: "events.k8s.io/v1"},
	{GroupVersion: "autoscaling/v2beta1", Kind: "HorizontalPodAutoscaler", Deprecated: Release{1, 22}, Removed: Release{1, 25}, Replacement: "autoscaling/v2"},
	{GroupVersion: "policy/v1beta1", Kind: "PodDisruptionBudget", Deprecated: Release{1, 21}, Removed: Release{1, 25}, Replacement: "policy/v1"},
	{GroupVersion: "policy/v1beta1", Kind: "PodSecurityPolicy", Deprecated: Release{1, 21}, Removed: Release{1, 25}, Replacement: "Pod Security Admission (namespace labels pod-security.kubernetes.io/*)"},
	{GroupVersion: "node.k8s.io/v1beta1", Kind: "RuntimeClass", Deprecated: Release{1, 22}, Removed: Release{1, 25}, Replacement: "node.k8s.io/v1"},

	// Removed in 1.26.
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "FlowSchema", Deprecated: Release{1, 23}, Removed: Release{1, 26}, Replacement: "flowcontrol.apiserver.k8s.io/v1beta3"},
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta1", Kind: "PriorityLevelConfiguration", Deprecated: Release{1, 23}, Removed: Release{1, 26}, Replacement: "flowcontrol.apiserver.k8s.io/v1beta3"},
	{GroupVersion: "autoscaling/v2beta2", Kind: "HorizontalPodAutoscaler", Deprecated: Release{1, 23}, Removed: Release{1, 26}, Replacement: "autoscaling/v2"},

	// Removed in 1.27.
	{GroupVersion: "storage.k8s.io/v1beta1", Kind: "CSIStorageCapacity", Deprecated: Release{1, 24}, Removed: Release{1, 27}, Replacement: "storage.k8s.io/v1"},

	// Removed in 1.29.
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "FlowSchema", Deprecated: Release{1, 26}, Removed: Release{1, 29}, Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta2", Kind: "PriorityLevelConfiguration", Deprecated: Release{1, 26}, Removed: Release{1, 29}, Replacement: "flowcontrol.apiserver.k8s.io/v1"},

	// Removed in 1.32.
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "FlowSchema", Introduced: Release{1, 26}, Deprecated: Release{1, 29}, Removed: Release{1, 32}, Replacement: "flowcontrol.apiserver.k8s.io/v1"},
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1beta3", Kind: "PriorityLevelConfiguration", Introduced: Release{1, 26}, Deprecated: Release{1, 29}, Removed: Release{1, 32}, Replacement: "flowcontrol.apiserver.k8s.io/v1"},

	// Deprecated, still served.
	{GroupVersion: "v1", Kind: "ComponentStatus", Deprecated: Release{1, 19}},
	{GroupVersion: "v1", Kind: "Endpoints", Deprecated: Release{1, 33}, Replacement: "discovery.k8s.io/v1 EndpointSlice"},

	// The replacements, from the release that first served them.
	{GroupVersion: "admissionregistration.k8s.io/v1", Kind: "MutatingWebhookConfiguration", Introduced: Release{1, 16}},
	{GroupVersion: "admissionregistration.k8s.io/v1", Kind: "ValidatingWebhookConfiguration", Introduced: Release{1, 16}},
	{GroupVersion: "apiextensions.k8s.io/v1", Kind: "CustomResourceDefinition", Introduced: Release{1, 16}},
	{GroupVersion: "certificates.k8s.io/v1", Kind: "CertificateSigningRequest", Introduced: Release{1, 19}},
	{GroupVersion: "events.k8s.io/v1", Kind: "Event", Introduced: Release{1, 19}},
	{GroupVersion: "networking.k8s.io/v1", Kind: "Ingress", Introduced: Release{1, 19}},
	{GroupVersion: "networking.k8s.io/v1", Kind: "IngressClass", Introduced: Release{1, 19}},
	{GroupVersion: "node.k8s.io/v1", Kind: "RuntimeClass", Introduced: Release{1, 20}},
	{GroupVersion: "batch/v1", Kind: "CronJob", Introduced: Release{1, 21}},
	{GroupVersion: "discovery.k8s.io/v1", Kind: "EndpointSlice", Introduced: Release{1, 21}},
	{GroupVersion: "policy/v1", Kind: "PodDisruptionBudget", Introduced: Release{1, 21}},
	{GroupVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Introduced: Release{1, 23}},
	{GroupVersion: "storage.k8s.io/v1", Kind: "CSIStorageCapacity", Introduced: Release{1, 24}},
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1", Kind: "FlowSchema", Introduced: Release{1, 29}},
	{GroupVersion: "flowcontrol.apiserver.k8s.io/v1", Kind: "PriorityLevelConfiguration", Introduced: Release{1, 29}},
}

var apiIndex = func() map[[2]string]API {
	m := make(map[[2]string]API, len(apis))
	for _, a := range apis {
		m[[2]string{a.GroupVersion, a.Kind}] = a
	}
	return m
}()

// Availability says whether a release serves an API.
type Availability int

const (
	// Served: nothing known against it.
	Served Availability = iota
	// Deprecated: served, with a warning and a replacement.
	Deprecated
	// Removed: the release no longer serves it.
	Removed
	// NotYet: the release does not serve it yet.
	NotYet
)

// Lifecycle returns how release r treats kind at apiVersion, and the table
// entry that says so (zero when the table knows nothing about it).
func Lifecycle(apiVersion, kind string, r Release) (Availability, API) {
	a, ok := apiIndex[[2]string{apiVersion, kind}]
	switch {
	case !ok:
		return Served, API{}
	case !a.Removed.IsZero() && !r.Before(a.Removed):
		return Removed, a
	case !a.Introduced.IsZero() && r.Before(a.Introduced):
		return NotYet, a
	case !a.Deprecated.IsZero() && !r.Before(a.Deprecated):
		return Deprecated, a
	}
	return Served, a
}

// KnownGroupVersion reports whether Kubernetes defines the API group of
// apiVersion and tpgen knows its types: a kind it does not know under such
// a group/version (a PersistentVolumeClaim under apps/v1beta2) is not one
// Kubernetes ever served there, unless the lifecycle table lists it.
func KnownGroupVersion(apiVersion string) bool {
	gv, err := schema.ParseGroupVersion(apiVersion)
	return err == nil && scheme.IsGroupRegistered(gv.Group)
}

// APIs returns the lifecycle table.
func APIs() []API { return append([]API(nil), apis...) }
