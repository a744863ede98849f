package render

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
	"github.com/tpgen/tpgen/render/tree"
	"github.com/tpgen/tpgen/render/validate"
)

// Annotations that make a GitOps engine delete and create an object again
// instead of updating it (Argo CD sync options; Flux kustomize-controller
// force), and keep an expanded claim when it is no longer rendered.
const (
	argoSyncOptions = "argocd.argoproj.io/sync-options"
	argoReplace     = "Force=true,Replace=true"
	argoNoPrune     = "Prune=false"
	fluxForce       = "kustomize.toolkit.fluxcd.io/force"
	fluxPrune       = "kustomize.toolkit.fluxcd.io/prune"
	// expandsAnnotation marks a claim tpgen renders to expand an existing
	// claim of a StatefulSet: the StatefulSet's name.
	expandsAnnotation = "tpgen.dev/expands"
	// replaceAnnotation marks an object tpgen has the engine replace: the
	// fields that changed.
	replaceAnnotation = "tpgen.dev/replace"
)

// ReplaceAll acknowledges every in-place-immutable change.
const ReplaceAll = "all"

// readPrevious reads the index of the output directory and its bytes,
// nil when there is none (a first render) or it cannot be read (the
// output stage reports that).
func readPrevious(dir string) (*output.Index, []byte) {
	if dir == "" {
		return nil, nil
	}
	b, err := fsguard.ReadPath(filepath.Join(dir, output.IndexFile), output.IndexLimit)
	if err != nil {
		return nil, nil
	}
	x, err := output.ParseIndex(b)
	if err != nil {
		return nil, nil
	}
	return x, b
}

// previousObjects reads the objects of site from the files the index says
// tpgen wrote there (gitops/ excepted), keyed by objectKey.
func previousObjects(dir string, idx *output.Index, site, namespace string, lim fsguard.Limit) (map[string]object.Object, error) {
	if idx == nil {
		return nil, nil
	}
	is, ok := idx.Sites[site]
	if !ok {
		return nil, nil
	}
	// The index names the files; a root keeps a damaged one from naming
	// a file outside the site's directory, and the site directory is
	// opened inside DIR's root: a site that is a link (to outside DIR
	// above all) is not tpgen's, never followed nor read (the output
	// stage refuses it).
	top, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the previous rendering: %w", err)
	}
	defer top.Close()
	var files []string
	for f := range is.Files {
		if !strings.HasPrefix(f, gitops.Dir+"/") {
			files = append(files, f)
		}
	}
	return readOwned(top, dir, site, files, namespace, lim)
}

// previousClusterObjects reads, like previousObjects, the objects of the
// site's cluster directory that are the site's as far as the index can
// tell: the cluster-scoped ones and those in the plan's namespaces.
func previousClusterObjects(dir string, idx *output.Index, p *profile.Plan, lim fsguard.Limit) (map[string]object.Object, error) {
	if idx == nil {
		return nil, nil
	}
	ic, ok := idx.Clusters[p.Cluster]
	if !ok {
		return nil, nil
	}
	top, err := os.OpenRoot(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading the previous rendering: %w", err)
	}
	defer top.Close()
	if st, err := top.Lstat(ClustersDir); err != nil || !st.IsDir() {
		return nil, nil // not tpgen's (a link is never followed)
	}
	var files []string
	for f := range ic.Files {
		if !strings.HasPrefix(f, gitops.Dir+"/") {
			files = append(files, f)
		}
	}
	objs, err := readOwned(top, dir, clusterTier(p.Cluster), files, p.Namespace, lim)
	if err != nil {
		return nil, err
	}
	for k, o := range objs {
		if ns := o.Namespace(); ns != "" && !slices.ContainsFunc(p.Namespaces, func(n profile.Namespace) bool { return n.Name == ns }) {
			delete(objs, k)
		}
	}
	return objs, nil
}

// readOwned reads the files (relative to the unit directory unit of the
// tree root, the directory dir) the index says tpgen wrote there, keyed
// by objectKey. Lenient: a file that is not what tpgen wrote (gone, a
// pipe, a link, grown, edited into something else) is skipped; the drift
// check reports it and a render replaces it.
func readOwned(top *os.Root, dir, unit string, files []string, namespace string, lim fsguard.Limit) (map[string]object.Object, error) {
	objs, err := tree.Read(top, dir, unit, tree.Options{Files: files, Limit: lim, Lenient: true})
	if err != nil {
		return nil, fmt.Errorf("reading the previous rendering: %w", err)
	}
	out := make(map[string]object.Object, len(objs))
	for _, o := range objs {
		out[objectKey(o.Object, namespace)] = o.Object
	}
	return out, nil
}

// objectKey identifies an object of a site before manifest.Arrange has
// set the namespace of every namespaced object.
func objectKey(o object.Object, namespace string) string {
	return o.GroupKind() + "|" + objectID(o, namespace)
}

// objectID is Kind/namespace/name, the namespace defaulting to the site's
// for built-in namespaced kinds and custom kinds.
func objectID(o object.Object, namespace string) string {
	ns := o.Namespace()
	if ns == "" && !kube.ClusterScoped(o.GroupKind()) && !isCRD(o) {
		ns = namespace
	}
	if ns == "" {
		return o.Kind() + "/" + o.Name()
	}
	return o.Kind() + "/" + ns + "/" + o.Name()
}

func isCRD(o object.Object) bool {
	return o.GroupKind() == "CustomResourceDefinition.apiextensions.k8s.io"
}

// replacement is one object whose change Kubernetes will not apply in
// place.
type replacement struct {
	id      string
	file    string // the previous file
	changes []kube.ImmutableChange
}

// ReplaceError is a render refused because of changes Kubernetes will not
// apply in place, not acknowledged.
type ReplaceError struct {
	Site, Profile string
	Objects       []string // Kind/namespace/name, sorted
	Lines         []string
}

func (e *ReplaceError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "site %s (%s): %d object(s) with changes Kubernetes will not apply in place (the API server answers \"Forbidden\" or \"field is immutable\"):\n", e.Site, e.Profile, len(e.Objects))
	for _, l := range e.Lines {
		b.WriteString("    " + l + "\n")
	}
	var flags []string
	for _, o := range e.Objects {
		flags = append(flags, "--allow-replace "+o)
	}
	fmt.Fprintf(&b, "hint: review with `tpgen diff`; to have the GitOps engine delete and create them again, render with %s (or --allow-replace all), or list them under acknowledge.replace in %s; see the README, \"Changes Kubernetes will not apply\"", strings.Join(flags, " "), e.Profile)
	return b.String()
}

// acknowledged says whether id (Kind/namespace/name) matches one of the
// patterns ("all", or * within one part).
func acknowledged(patterns []string, id string) bool {
	for _, p := range patterns {
		if p == ReplaceAll {
			return true
		}
		if ok, _ := path.Match(p, id); ok {
			return true
		}
	}
	return false
}

// replaceObjects compares the site's objects with the previous rendering:
// an unacknowledged change Kubernetes will not apply in place is a
// *ReplaceError; an acknowledged one gets the engine's replace annotation
// and, for a StatefulSet whose claim templates grew, the claims that
// expand its existing volumes (where the StorageClass allows expansion).
// An object rendered so before keeps it while it is acknowledged, so that
// `render --check` agrees with the committed tree until the entry goes.
//
// With check (render --check), an unacknowledged change is not refused:
// the rendering without the annotations differs from the tree, which is
// drift.
func replaceObjects(s *profile.Site, p *profile.Plan, objs []object.Object, prev map[string]object.Object, allow []string, check bool) ([]object.Object, []validate.Finding, error) {
	if len(prev) == 0 {
		return objs, nil, nil
	}
	patterns := append(slices.Clone(allow), p.AcknowledgeReplace...)
	engine := p.GitOps.Engine
	var refused []replacement
	var findings []validate.Finding
	var claims []object.Object
	rendered := map[string]bool{}
	for _, o := range objs {
		rendered[objectKey(o, p.Namespace)] = true
	}
	for i := range objs {
		o := objs[i]
		id := objectID(o, p.Namespace)
		old, ok := prev[objectKey(o, p.Namespace)]
		if !ok {
			continue
		}
		changes := kube.ImmutableChanges(o.GroupKind(), old.Doc, o.Doc)
		ack := acknowledged(patterns, id)
		if len(changes) > 0 && !ack && !check {
			refused = append(refused, replacement{id: id, file: old.Source, changes: changes})
			continue
		}
		why, sticky := old.Annotations()[replaceAnnotation].(string)
		if !ack || (len(changes) == 0 && !sticky) {
			continue
		}
		if len(changes) > 0 {
			var paths []string
			for _, c := range changes {
				paths = append(paths, c.Path)
			}
			why = strings.Join(paths, ", ")
		}
		objs[i] = annotated(withReplace(o, engine), replaceAnnotation, why)
		if o.GroupKind() != "StatefulSet.apps" {
			continue
		}
		resizes := kube.ClaimResizes(old.Doc, o.Doc)
		if len(changes) == 0 { // still acknowledged: keep the expansion
			resizes = keptResizes(o, prev, p.Namespace)
		}
		for _, r := range resizes {
			if why := expansionRefused(r, objs); why != "" {
				findings = append(findings, validate.Finding{
					Severity: validate.SeverityWarning, Site: s.Name, Object: id, Source: o.Source,
					Path:    "spec.volumeClaimTemplates[name=" + r.Template + "]",
					Check:   "claim-expansion",
					Message: fmt.Sprintf("the claims of template %s stay at %s: %s", r.Template, r.Old, why),
					Hint:    "migrate the data to new claims by hand (README, \"Changes Kubernetes will not apply\"), or use a StorageClass with allowVolumeExpansion: true",
				})
				continue
			}
			for _, c := range expansionClaims(o, r, engine) {
				if !rendered[objectKey(c, p.Namespace)] {
					claims = append(claims, c)
				}
			}
		}
	}
	if len(refused) > 0 {
		e := &ReplaceError{Site: s.Name, Profile: s.Source.File}
		slices.SortFunc(refused, func(a, b replacement) int { return strings.Compare(a.id, b.id) })
		for _, r := range refused {
			e.Objects = append(e.Objects, r.id)
			for _, c := range r.changes {
				e.Lines = append(e.Lines, fmt.Sprintf("%s: %s: %s", r.id, c.Path, c.Consequence))
			}
		}
		return nil, nil, e
	}
	return append(objs, claims...), findings, nil
}

// withReplace returns o annotated so the engine deletes and creates it
// again (a copy: the helm stage's objects are shared).
func withReplace(o object.Object, engine string) object.Object {
	if engine == "flux" {
		return annotated(o, fluxForce, "enabled")
	}
	return annotated(o, argoSyncOptions, argoReplace)
}

// annotated returns a copy of o with annotation k (an Argo CD sync option
// list is merged).
func annotated(o object.Object, k, v string) object.Object {
	doc := object.DeepCopy(o.Doc)
	meta, _ := doc["metadata"].(map[string]any)
	if meta == nil {
		meta = map[string]any{}
		doc["metadata"] = meta
	}
	ann, _ := meta["annotations"].(map[string]any)
	if ann == nil {
		ann = map[string]any{}
		meta["annotations"] = ann
	}
	if old, ok := ann[k].(string); ok && k == argoSyncOptions && old != "" {
		opts := strings.Split(old, ",")
		for _, x := range strings.Split(v, ",") {
			if !slices.Contains(opts, x) {
				opts = append(opts, x)
			}
		}
		v = strings.Join(opts, ",")
	}
	ann[k] = v
	o.Doc = doc
	return o
}

// keptResizes are the claim templates of sts whose claims the previous
// rendering expanded, at the template's size now.
func keptResizes(sts object.Object, prev map[string]object.Object, namespace string) []kube.ClaimResize {
	var out []kube.ClaimResize
	tmpls, _ := object.Dig(sts.Doc, "spec", "volumeClaimTemplates").([]any)
	for _, t := range tmpls {
		name, _ := object.Dig(t, "metadata", "name").(string)
		claim := object.Object{Doc: map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": name + "-" + sts.Name() + "-0", "namespace": sts.Namespace()}}}
		old, ok := prev[objectKey(claim, namespace)]
		if !ok || old.Annotations()[expandsAnnotation] != sts.Name() {
			continue
		}
		size, _ := object.Dig(t, "spec", "resources", "requests", "storage").(string)
		oldSize, _ := object.Dig(old.Doc, "spec", "resources", "requests", "storage").(string)
		sc, _ := object.Dig(t, "spec", "storageClassName").(string)
		modes, _ := object.Dig(t, "spec", "accessModes").([]any)
		out = append(out, kube.ClaimResize{Template: name, StorageClass: sc, AccessModes: modes, Old: oldSize, New: size})
	}
	return out
}

// expansionRefused says why the claims of r cannot be expanded in place,
// or "" when they can: their StorageClass, rendered by the site now,
// allows volume expansion.
func expansionRefused(r kube.ClaimResize, objs []object.Object) string {
	if r.StorageClass == "" {
		return "the claim template names no StorageClass (the cluster's default class is not known to tpgen)"
	}
	for _, o := range objs {
		if o.GroupKind() == "StorageClass.storage.k8s.io" && o.Name() == r.StorageClass {
			if o.Doc["allowVolumeExpansion"] == true {
				return ""
			}
			return fmt.Sprintf("StorageClass %s does not set allowVolumeExpansion: true", r.StorageClass)
		}
	}
	return fmt.Sprintf("StorageClass %s is not rendered by the site, so tpgen cannot tell whether it allows volume expansion", r.StorageClass)
}

// expansionClaims are the claims <template>-<sts>-<ordinal> of the
// StatefulSet's current ordinals, at the template's new size: applying
// them expands the existing claims in place. The engine must never prune
// them: they hold the data.
func expansionClaims(sts object.Object, r kube.ClaimResize, engine string) []object.Object {
	replicas := int64(1)
	if n, ok := toInt64(object.Dig(sts.Doc, "spec", "replicas")); ok {
		replicas = n
	}
	start, _ := toInt64(object.Dig(sts.Doc, "spec", "ordinals", "start"))
	var out []object.Object
	for i := start; i < start+replicas; i++ {
		meta := map[string]any{
			"name":        fmt.Sprintf("%s-%s-%d", r.Template, sts.Name(), i),
			"annotations": map[string]any{expandsAnnotation: sts.Name()},
		}
		if ns := sts.Namespace(); ns != "" {
			meta["namespace"] = ns
		}
		spec := map[string]any{
			"storageClassName": r.StorageClass,
			"resources":        map[string]any{"requests": map[string]any{"storage": r.New}},
		}
		if len(r.AccessModes) > 0 {
			spec["accessModes"] = slices.Clone(r.AccessModes) // strings only
		}
		c := object.Object{
			Doc:    map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": meta, "spec": spec},
			Tier:   sts.Tier,
			Source: "volume expansion of StatefulSet " + sts.Name(),
		}
		if engine == "flux" {
			c = annotated(c, fluxPrune, "disabled")
		} else {
			c = annotated(c, argoSyncOptions, argoNoPrune)
		}
		out = append(out, c)
	}
	return out
}

func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		return int64(n), true
	case uint64:
		return int64(n), true
	}
	return 0, false
}
