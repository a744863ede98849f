package migrate

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// Options of a migration.
type Options struct {
	// Target is the Kubernetes release to migrate to; zero is kube.Newest.
	Target kube.Release
	// MaxFileSize bounds each file read from SRC (0: no limit).
	MaxFileSize int64
}

// Message is one warning or refusal, about one object (or document) of a
// source file.
type Message struct {
	File    string `json:"file"`
	Line    int    `json:"line,omitempty"`
	Object  string `json:"object,omitempty"` // Kind/namespace/name
	Message string `json:"message"`
	Hint    string `json:"hint,omitempty"`
}

func (m Message) String() string {
	var b strings.Builder
	b.WriteString(m.File)
	if m.Line > 0 {
		fmt.Fprintf(&b, ":%d", m.Line)
	}
	b.WriteString(": ")
	if m.Object != "" {
		b.WriteString(m.Object + ": ")
	}
	b.WriteString(m.Message)
	return b.String()
}

// Status of one object.
const (
	Converted = "converted"
	Unchanged = "unchanged"
	Refused   = "refused"
)

// Entry is what became of one source object.
type Entry struct {
	Source string `json:"source"` // file:line in SRC
	Object string `json:"object"` // Kind/namespace/name
	From   string `json:"from"`   // apiVersion in SRC
	To     string `json:"to,omitempty"`
	File   string `json:"file,omitempty"` // path in DST
	Status string `json:"status"`
}

// Report says what a migration did, in source order.
type Report struct {
	Target   string    `json:"target"`
	Objects  []Entry   `json:"objects"`
	Warnings []Message `json:"warnings"`
	Refused  []Message `json:"refused"`
}

// File is one file to write into DST.
type File struct {
	Path string // slash-separated, relative to DST
	Data []byte
}

// Plan is the outcome of reading and converting SRC.
type Plan struct {
	Report Report
	// Files are the objects converted or kept, sorted by path, and the
	// marker file.
	Files []File
}

// item is one source object on its way through.
type item struct {
	file string
	line int
	doc  map[string]any
	from string
	to   string
	path string
	st   string
}

func (it *item) source() string { return fmt.Sprintf("%s:%d", it.file, it.line) }

// Migrate reads the manifests under the directory src and converts them
// for o.Target. The error is for what stops the whole run (SRC unreadable,
// a hostile file); what concerns one object is a refusal in the report.
func Migrate(src string, o Options) (*Plan, error) {
	target := o.Target
	if target.IsZero() {
		target = kube.Newest
	}
	root, err := os.OpenRoot(src)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", src, err)
	}
	defer root.Close()
	r := &run{target: target, report: Report{Target: target.String(), Objects: []Entry{}, Warnings: []Message{}, Refused: []Message{}}}
	lim := fsguard.Limit{Max: o.MaxFileSize, What: "file size", Raise: "--max-file-size"}
	skip := func(rel string, fi fs.FileInfo) bool {
		base := path.Base(rel)
		if strings.HasPrefix(base, ".") {
			return true // .git, editor files, the marker of an earlier run
		}
		// A link is left to Walk, which refuses one to a directory or
		// out of SRC; the file it names is read only if it is YAML.
		return !fi.IsDir() && fi.Mode()&fs.ModeSymlink == 0 && !isYAML(base)
	}
	err = fsguard.Walk(root, ".", src, lim, skip, func(rel string, data []byte) error {
		if isYAML(path.Base(rel)) {
			r.file(rel, data)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", src, err)
	}
	return r.plan(), nil
}

func isYAML(name string) bool {
	return strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml")
}

type run struct {
	target kube.Release
	items  []*item
	report Report
}

func (r *run) warn(file string, line int, obj, msg, hint string) {
	r.report.Warnings = append(r.report.Warnings, Message{File: file, Line: line, Object: obj, Message: msg, Hint: hint})
}

func (r *run) refuse(file string, line int, obj, msg, hint string) {
	r.report.Refused = append(r.report.Refused, Message{File: file, Line: line, Object: obj, Message: msg, Hint: hint})
}

// yamlLine finds the line yaml.v3 gives in its errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): `)

// file splits one source file into documents and takes each object.
func (r *run) file(rel string, data []byte) {
	if b := path.Base(rel); b == "kustomization.yaml" || b == "kustomization.yml" {
		r.warn(rel, 0, "", "skipped: a Kustomize configuration, not a Kubernetes object", "list the migrated files in a new kustomization.yaml if you need one")
		return
	}
	for _, c := range splitDocs(data) {
		if err := fsguard.DuplicateKeys(rel, c.data); err != nil {
			msg, hint, _ := strings.Cut(err.Error(), "\nhint: ")
			_, line, m := splitPos(msg)
			r.refuse(rel, c.line+line-1, "", m, hint)
			continue
		}
		var n yaml.Node
		if err := yaml.Unmarshal(c.data, &n); err != nil {
			line := c.line
			msg := strings.TrimPrefix(err.Error(), "yaml: ")
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				l, _ := strconv.Atoi(m[1])
				line, msg = c.line+l-1, strings.TrimPrefix(err.Error(), m[0])
			}
			r.refuse(rel, line, "", "unparsable YAML: "+msg, "fix the YAML; migrate reads plain manifests, not templates")
			continue
		}
		if len(n.Content) == 0 {
			continue // an empty document or only comments
		}
		line := c.line + n.Content[0].Line - 1
		if n.Content[0].Kind != yaml.MappingNode {
			r.warn(rel, line, "", "skipped: not a Kubernetes object (not a mapping)", "")
			continue
		}
		docs, err := object.Decode(c.data)
		if err != nil {
			r.refuse(rel, line, "", "unparsable YAML: "+strings.TrimPrefix(err.Error(), "document 1: "), "write each document as a mapping with apiVersion, kind and metadata")
			continue
		}
		for _, d := range docs {
			r.object(rel, line, d)
		}
	}
}

// splitPos splits "file:line:col: msg".
func splitPos(s string) (file string, line int, msg string) {
	parts := strings.SplitN(s, ":", 4)
	if len(parts) == 4 {
		if l, err := strconv.Atoi(parts[1]); err == nil {
			return parts[0], max(l, 1), strings.TrimSpace(parts[3])
		}
	}
	return "", 1, s
}

type chunk struct {
	line int // first line of the chunk in the file
	data []byte
}

// splitDocs splits a YAML stream on its "---" lines (as render/object
// does), keeping where each document starts.
func splitDocs(src []byte) []chunk {
	var out []chunk
	var cur bytes.Buffer
	start := 1
	n := 0
	for _, l := range bytes.SplitAfter(src, []byte("\n")) {
		n++
		t := bytes.TrimRight(l, " \t\r\n")
		if bytes.Equal(t, []byte("---")) || bytes.HasPrefix(t, []byte("--- ")) {
			out = append(out, chunk{start, bytes.Clone(cur.Bytes())})
			cur.Reset()
			start = n + 1
			continue
		}
		cur.Write(l)
	}
	return append(out, chunk{start, cur.Bytes()})
}

// object takes one decoded document.
func (r *run) object(file string, line int, doc map[string]any) {
	ob := object.Object{Doc: doc}
	apiVersion, kind := ob.APIVersion(), ob.Kind()
	switch {
	case apiVersion == "" && kind == "":
		// Not meant as an object (a values file, a compose file...).
		r.warn(file, line, "", "skipped: not a Kubernetes object (no apiVersion, no kind)", "")
		return
	case apiVersion == "" || kind == "":
		r.refuse(file, line, "", "not a Kubernetes object: no apiVersion or no kind", "give the document both, or move it out of SRC")
		return
	}
	if apiVersion == "v1" && strings.HasSuffix(kind, "List") && doc["items"] != nil {
		for i, it := range listOf(doc["items"]) {
			m := mapOf(it)
			if m == nil {
				r.refuse(file, line, kind, fmt.Sprintf("items[%d] is not a mapping", i), "write each item as an object")
				continue
			}
			r.object(file, line, m)
		}
		return
	}
	it := &item{file: file, line: line, doc: doc, from: apiVersion, to: apiVersion}
	id := ob.ID()
	name := ob.Name()
	if name == "" || strings.ContainsAny(name, "/\\") || name == "." || name == ".." || strings.ContainsAny(ob.Namespace(), "/\\") {
		r.refuse(file, line, id, fmt.Sprintf("metadata.name %q: not a name migrate can write as a file", name), "give the object a plain metadata.name (generateName needs kubectl create, not a GitOps tree)")
		r.entry(it, Refused)
		return
	}
	notes, ref := r.convert(it)
	if ref != nil {
		r.refuse(file, line, id, ref.msg, ref.hint)
		r.entry(it, Refused)
		return
	}
	for _, n := range notes {
		r.warn(file, line, id, n, "")
	}
	st := Unchanged
	if it.to != it.from {
		st = Converted
	}
	it.st = st
	r.items = append(r.items, it)
}

func (r *run) entry(it *item, st string) {
	ob := object.Object{Doc: it.doc}
	e := Entry{Source: it.source(), Object: ob.ID(), From: it.from, Status: st}
	if st != Refused {
		e.To, e.File = it.to, it.path
	}
	r.report.Objects = append(r.report.Objects, e)
}

// goneGroups are API groups of well-known projects that no longer exist:
// their custom resources have no automatic conversion.
var goneGroups = map[string]string{
	"certmanager.k8s.io": "cert-manager.io/v1 (cert-manager 0.11 renamed the group and changed its resources: https://cert-manager.io/docs/installation/upgrading/upgrading-0.10-0.11/)",
	"flux.weave.works":   "helm.toolkit.fluxcd.io/v2 HelmRelease (Flux v2)",
	"helm.fluxcd.io":     "helm.toolkit.fluxcd.io/v2 HelmRelease (Flux v2)",
}

// convert decides what becomes of one object and converts it in place.
func (r *run) convert(it *item) ([]string, *refusal) {
	doc := it.doc
	ob := object.Object{Doc: doc}
	kind := ob.Kind()
	group := ob.Group()
	if to, ok := goneGroups[group]; ok {
		return nil, refuse("migrate it by hand to "+to+", or remove it",
			"API group %s no longer exists: %s custom resources cannot be converted automatically", group, kind)
	}
	av, api := kube.Lifecycle(it.from, kind, r.target)
	switch av {
	case kube.NotYet:
		return []string{fmt.Sprintf("%s %s is served from Kubernetes %s only; the target %s does not serve it", it.from, kind, api.Introduced, r.target)}, nil
	case kube.Served:
		if api == (kube.API{}) && kube.KnownGroupVersion(it.from) && !kube.Builtin(it.from, kind) {
			hint := fmt.Sprintf("write it under the apiVersion Kubernetes defines for %s (see kubectl api-resources)", kind)
			if gv := currentHome(kind); gv != "" {
				hint = fmt.Sprintf("Kubernetes serves %s as apiVersion %s: write that, after checking the object is the one meant", kind, gv)
			}
			return nil, refuse(hint, "%s cannot hold kind %s: Kubernetes never served %s there", it.from, kind, kind)
		}
		return nil, nil
	}
	to, ok := successor(api, kind, r.target)
	if !ok {
		if av == kube.Deprecated {
			if api.Removed.IsZero() {
				return nil, nil // deprecated, no removal planned: nothing to do
			}
			return []string{fmt.Sprintf("%s %s is deprecated since %s and removed in %s; kept: the target %s serves no replacement", it.from, kind, api.Deprecated, api.Removed, r.target)}, nil
		}
		if kind == "PodSecurityPolicy" {
			return nil, refuse("use Pod Security Admission: label the namespaces pod-security.kubernetes.io/enforce (privileged, baseline or restricted), and remove the policy and its RBAC",
				"%s PodSecurityPolicy is removed in Kubernetes %s and has no successor", it.from, api.Removed)
		}
		return nil, refuse("remove it, or replace it by hand with what the Kubernetes deprecation guide advises",
			"%s %s is removed in Kubernetes %s and has no successor", it.from, kind, api.Removed)
	}
	conv := converters[kind]
	if conv == nil && !sameShape[kind] {
		return nil, refuse("convert it by hand to "+to, "no faithful conversion of %s %s to %s is known to tpgen", it.from, kind, to)
	}
	orig := object.DeepCopy(doc)
	doc["apiVersion"] = to
	var notes []string
	if conv != nil {
		n, ref := conv(doc, it.from)
		if ref != nil {
			restore(doc, orig)
			return nil, ref
		}
		notes = n
	}
	if s, ok := doc["status"]; ok {
		delete(doc, "status")
		if m := mapOf(s); len(m) > 0 {
			notes = append(notes, "status dropped (the API server writes it)")
		}
	}
	if kube.Builtin(to, kind) {
		if errs := kube.Check(doc); len(errs) > 0 {
			restore(doc, orig)
			return nil, refuse("fix the source object (the field is unknown or wrong in the new version too), then run migrate again",
				"converted to %s it does not pass strict decoding: %s", to, firstErrors(errs, 3))
		}
	}
	it.to = to
	why := fmt.Sprintf("removed in Kubernetes %s", api.Removed)
	if av == kube.Deprecated {
		why = fmt.Sprintf("deprecated since %s, removed in %s; %s is served by the target %s", api.Deprecated, api.Removed, to, r.target)
	}
	return append([]string{fmt.Sprintf("%s -> %s (%s %s)", it.from, to, it.from, why)}, notes...), nil
}

// stable are the group/versions a kind under the wrong one is looked up
// in, for the hint.
var stable = []string{
	"v1", "apps/v1", "batch/v1", "autoscaling/v2", "policy/v1", "networking.k8s.io/v1",
	"rbac.authorization.k8s.io/v1", "storage.k8s.io/v1", "scheduling.k8s.io/v1",
	"admissionregistration.k8s.io/v1", "apiextensions.k8s.io/v1", "coordination.k8s.io/v1",
	"discovery.k8s.io/v1", "events.k8s.io/v1", "node.k8s.io/v1", "certificates.k8s.io/v1",
	"flowcontrol.apiserver.k8s.io/v1",
}

// currentHome is the stable group/version serving kind, or "".
func currentHome(kind string) string {
	for _, gv := range stable {
		if kube.Builtin(gv, kind) {
			return gv
		}
	}
	return ""
}

// restore puts back the source object after a failed conversion (the
// report names it as written).
func restore(doc, orig map[string]any) {
	clear(doc)
	for k, v := range orig {
		doc[k] = v
	}
}

// successor is the newest replacement of api the target serves: the
// replacement's own replacement when the target removed it too.
func successor(api kube.API, kind string, target kube.Release) (string, bool) {
	to := api.Replacement
	for range 8 {
		if to == "" || strings.ContainsAny(to, " ()") {
			return "", false
		}
		av, next := kube.Lifecycle(to, kind, target)
		switch av {
		case kube.Removed:
			to = next.Replacement
			continue
		case kube.NotYet:
			return "", false
		}
		return to, true
	}
	return "", false
}

// Directories of DST that are not namespaces ('_' cannot start one).
const (
	ClusterDir     = "_cluster"
	NoNamespaceDir = "_no-namespace"
	// Marker is the file that says migrate wrote DST.
	Marker = ".tpgen-migrate"
)

// plan names every kept object's file and encodes it.
func (r *run) plan() *Plan {
	scope := map[string]bool{}
	for _, it := range r.items {
		ob := object.Object{Doc: it.doc}
		if ob.GroupKind() == "CustomResourceDefinition.apiextensions.k8s.io" {
			spec := mapOf(it.doc["spec"])
			names := mapOf(spec["names"])
			k, _ := names["kind"].(string)
			g, _ := spec["group"].(string)
			if s, _ := spec["scope"].(string); s == "Cluster" {
				scope[k+"."+g] = true
			}
		}
	}
	seen := map[string]*item{}
	var kept []*item
	for _, it := range r.items {
		ob := object.Object{Doc: it.doc}
		g := ob.Group()
		if g == "" {
			g = "core"
		}
		dir := ob.Namespace()
		switch {
		case kube.ClusterScoped(ob.GroupKind()) || scope[ob.GroupKind()]:
			dir = ClusterDir
			if ob.Namespace() != "" {
				delete(mapOf(it.doc["metadata"]), "namespace")
				r.warn(it.file, it.line, ob.ID(), "metadata.namespace dropped: the kind is cluster-scoped", "")
			}
		case dir == "":
			dir = NoNamespaceDir
		}
		it.path = dir + "/" + strings.ToLower(ob.Kind()) + "." + g + "_" + ob.Name() + ".yaml"
		key := strings.ToLower(it.path)
		if prev, dup := seen[key]; dup {
			msg := fmt.Sprintf("the same object as %s (both would be written to %s)", prev.source(), it.path)
			r.refuse(it.file, it.line, ob.ID(), msg, "keep one of the two in SRC")
			it.st = Refused
			r.entry(it, Refused)
			if prev.st != Refused {
				r.refuse(prev.file, prev.line, object.Object{Doc: prev.doc}.ID(), fmt.Sprintf("the same object as %s (both would be written to %s)", it.source(), it.path), "keep one of the two in SRC")
				prev.st = Refused
			}
			continue
		}
		seen[key] = it
		kept = append(kept, it)
	}
	p := &Plan{}
	var paths []string
	for _, it := range kept {
		if it.st == Refused {
			continue
		}
		var buf bytes.Buffer
		if err := object.Encode(&buf, it.doc); err != nil {
			r.refuse(it.file, it.line, object.Object{Doc: it.doc}.ID(), "encoding: "+err.Error(), "")
			it.st = Refused
			continue
		}
		p.Files = append(p.Files, File{Path: it.path, Data: buf.Bytes()})
		paths = append(paths, it.path)
	}
	// The entries of kept objects, in source order with the refused ones;
	// an object refused here keeps no warning.
	for _, it := range kept {
		r.entry(it, it.st)
	}
	gone := map[string]bool{}
	for _, it := range r.items {
		if it.st == Refused {
			gone[it.source()+" "+object.Object{Doc: it.doc}.ID()] = true
		}
	}
	r.report.Warnings = slices.DeleteFunc(r.report.Warnings, func(m Message) bool {
		return gone[fmt.Sprintf("%s:%d %s", m.File, m.Line, m.Object)]
	})
	slices.SortStableFunc(r.report.Objects, func(a, b Entry) int { return compareSource(a.Source, b.Source) })
	slices.SortStableFunc(r.report.Warnings, compareMessages)
	slices.SortStableFunc(r.report.Refused, compareMessages)
	slices.SortFunc(p.Files, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	p.Files = append(p.Files, File{Path: Marker, Data: marker(r.target, paths)})
	p.Report = r.report
	return p
}

func marker(target kube.Release, paths []string) []byte {
	slices.Sort(paths)
	var b bytes.Buffer
	fmt.Fprintf(&b, "# Written by tpgen migrate for Kubernetes %s. tpgen migrate replaces this\n# directory whole when it runs again; edit the files elsewhere.\n", target)
	for _, p := range paths {
		fmt.Fprintf(&b, "%s\n", p)
	}
	return b.Bytes()
}

func compareSource(a, b string) int {
	fa, la, _ := strings.Cut(a, ":")
	fb, lb, _ := strings.Cut(b, ":")
	na, _ := strconv.Atoi(la)
	nb, _ := strconv.Atoi(lb)
	return cmp.Or(strings.Compare(fa, fb), cmp.Compare(na, nb))
}

func compareMessages(a, b Message) int {
	return cmp.Or(strings.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), strings.Compare(a.Object, b.Object))
}

// Convert converts one object in place for target (zero: kube.Newest) as
// Migrate does, for a stage that meets legacy objects elsewhere (a
// module's manifests). It returns the warnings; an error is a refusal,
// its hint after "\nhint: ", and leaves doc as it was.
func Convert(doc map[string]any, target kube.Release) ([]string, error) {
	if target.IsZero() {
		target = kube.Newest
	}
	ob := object.Object{Doc: doc}
	if ob.APIVersion() == "" || ob.Kind() == "" {
		return nil, errors.New("not a Kubernetes object: no apiVersion or no kind")
	}
	r := &run{target: target}
	notes, ref := r.convert(&item{doc: doc, from: ob.APIVersion(), to: ob.APIVersion()})
	if ref != nil {
		if ref.hint != "" {
			return nil, fmt.Errorf("%s\nhint: %s", ref.msg, ref.hint)
		}
		return nil, errors.New(ref.msg)
	}
	return notes, nil
}
