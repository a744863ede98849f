package diff

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/tpgen/tpgen/render/kube"

	"github.com/tpgen/tpgen/render/object"
)

// Object is one Kubernetes object of a rendered tree.
type Object struct {
	Site string
	// Tier is the object's directory under the site: "enterprise",
	// "gitops/root", ...
	Tier string
	// File is the object's file, relative to the output directory.
	File string
	Doc  map[string]any
}

func (o Object) str(keys ...string) string {
	var v any = o.Doc
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	s, _ := v.(string)
	return s
}

// Key identifies an object in a fleet.
type Key struct {
	Site      string `json:"site"`
	Group     string `json:"group"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

// KeyOf returns o's identity.
func KeyOf(o Object) Key {
	g, _, ok := strings.Cut(o.str("apiVersion"), "/")
	if !ok {
		g = ""
	}
	return Key{Site: o.Site, Group: g, Kind: o.str("kind"), Namespace: o.str("metadata", "namespace"), Name: o.str("metadata", "name")}
}

// ID names the object as Kind/namespace/name (Kind/name when
// cluster-scoped), with the group for kinds outside the core group when
// two kinds could share a name: Kind.group.
func (k Key) ID() string {
	kind := k.Kind
	if k.Group != "" && ambiguousKinds[k.Kind] {
		kind += "." + k.Group
	}
	if k.Namespace != "" {
		return kind + "/" + k.Namespace + "/" + k.Name
	}
	return kind + "/" + k.Name
}

// ambiguousKinds are kinds that more than one common API group defines.
var ambiguousKinds = map[string]bool{"Kustomization": true, "Certificate": true, "Application": true}

// Op says what happened to an object or a field.
type Op string

// Ops.
const (
	Added   Op = "added"
	Removed Op = "removed"
	Changed Op = "changed"
)

// Change is one object added, removed or changed.
type Change struct {
	Op Op `json:"op"`
	Key
	// Tier is where the object is now (where it was, when removed).
	Tier string `json:"tier"`
	// OldTier is set when a changed object moved to another tier.
	OldTier string `json:"oldTier,omitempty"`
	// File is the object's file now (before, when removed).
	File string `json:"file"`
	// Fields are the changed fields (Changed only), noise left out.
	Fields []Field `json:"fields,omitempty"`
	// Attention lists the flags raised, sorted.
	Attention []string `json:"attention"`
	// Replace lists the changes Kubernetes will not apply in place
	// (Changed only; flag "replace"): the field and the consequence of
	// deleting and creating the object again.
	Replace []Replacement `json:"replace,omitempty"`
}

// Replacement is one change the API server refuses to apply in place.
type Replacement struct {
	Path        string `json:"path"`
	Consequence string `json:"consequence"`
}

// Field is one changed field.
type Field struct {
	Path string `json:"path"`
	Op   Op     `json:"op"`
	// Old and New are the values, encoded as JSON (strings quoted), cut
	// to maxValue characters; "" when absent. A multi-line string is
	// "(N lines)" and its line changes are in Text.
	Old string `json:"old,omitempty"`
	New string `json:"new,omitempty"`
	// Text lists the changed lines of a multi-line string, each "-line"
	// or "+line".
	Text []string `json:"text,omitempty"`
	// Redacted says the values are secret-like and hidden.
	Redacted bool `json:"redacted,omitempty"`
	// Attention lists the flags the field raises (of any leaf, for a
	// list item that comes or goes).
	Attention []string `json:"attention,omitempty"`
}

// Noise is one summarised label change: Objects objects of Site had label
// Label go from Old to New ("" when absent).
type Noise struct {
	Site    string `json:"site"`
	Label   string `json:"label"`
	Old     string `json:"old"`
	New     string `json:"new"`
	Objects int    `json:"objects"`
}

// TierSummary counts a tier's changes.
type TierSummary struct {
	Tier    string `json:"tier"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	Changed int    `json:"changed"`
	// Attention is the union of the flags of the tier's changes.
	Attention []string `json:"attention"`
}

// SiteSummary is one site's line of the summary.
type SiteSummary struct {
	Site string `json:"site"`
	// Status is "added" (the site is new), "removed" (gone), "changed" or
	// "unchanged" (nothing but noise, or nothing at all).
	Status string        `json:"status"`
	Tiers  []TierSummary `json:"tiers"`
}

// Report is the comparison of two renderings.
type Report struct {
	// Old and New describe the two sides, for headers.
	Old, New string
	Sites    []SiteSummary
	Changes  []Change
	Noise    []Noise
	// Upgrades are the sites whose release changes (set by the caller,
	// which knows the modules' upgrade rules), by site.
	Upgrades []Upgrade
}

// Differs says whether the renderings differ at all, noise included.
func (r *Report) Differs() bool {
	return len(r.Changes) > 0 || len(r.Noise) > 0 || len(r.Upgrades) > 0
}

// Options of Compare.
type Options struct {
	// Old and New describe the sides (Report.Old, Report.New).
	Old, New string
	// Tiers orders the tiers in the report; unknown tiers come after, by
	// name.
	Tiers []string
}

// Compare matches old and new objects by identity and reports the
// differences; see the package doc.
func Compare(old, new []Object, o Options) *Report {
	r := &Report{Old: o.Old, New: o.New}
	oldBy := index(old)
	newBy := index(new)
	sites := map[string]bool{}
	oldSites := map[string]bool{}
	newSites := map[string]bool{}
	for k := range oldBy {
		sites[k.Site], oldSites[k.Site] = true, true
	}
	for k := range newBy {
		sites[k.Site], newSites[k.Site] = true, true
	}
	noise := map[Noise]int{}
	portMaps := portMaps(new)
	for k, n := range newBy {
		ob, ok := oldBy[k]
		if !ok {
			r.Changes = append(r.Changes, Change{Op: Added, Key: k, Tier: n.Tier, File: n.File, Attention: kindFlags(k, n.Doc, Added)})
			continue
		}
		fields, labels := compareDocs(k, ob.Doc, n.Doc)
		seen := map[Noise]bool{}
		for _, l := range labels {
			nk := Noise{Site: k.Site, Label: l.Path, Old: l.Old, New: l.New}
			if !seen[nk] { // a label repeated in a pod template counts once
				seen[nk] = true
				noise[nk]++
			}
		}
		if len(fields) == 0 && ob.Tier == n.Tier {
			continue
		}
		c := Change{Op: Changed, Key: k, Tier: n.Tier, File: n.File, Fields: fields}
		if ob.Tier != n.Tier {
			c.OldTier = ob.Tier
		}
		flags := kindFlags(k, n.Doc, Changed)
		for _, f := range fields {
			flags = append(flags, f.Attention...)
		}
		gk := k.Kind
		if k.Group != "" {
			gk += "." + k.Group
		}
		for _, ic := range kube.ImmutableChanges(gk, ob.Doc, n.Doc) {
			c.Replace = append(c.Replace, Replacement{Path: ic.Path, Consequence: ic.Consequence})
			flags = append(flags, FlagReplace)
		}
		if portMaps[k] && newEntries(ob.Doc, n.Doc) {
			flags = append(flags, FlagPorts)
		}
		c.Attention = sortedSet(flags)
		r.Changes = append(r.Changes, c)
	}
	for k, ob := range oldBy {
		if _, ok := newBy[k]; !ok {
			r.Changes = append(r.Changes, Change{Op: Removed, Key: k, Tier: ob.Tier, File: ob.File, Attention: kindFlags(k, ob.Doc, Removed)})
		}
	}
	rank := func(t string) int {
		if i := slices.Index(o.Tiers, t); i >= 0 {
			return i
		}
		return len(o.Tiers)
	}
	slices.SortFunc(r.Changes, func(a, b Change) int {
		return cmp.Or(
			cmp.Compare(a.Key.Site, b.Key.Site),
			cmp.Compare(rank(a.Tier), rank(b.Tier)),
			cmp.Compare(a.Tier, b.Tier),
			cmp.Compare(a.Key.Kind, b.Key.Kind),
			cmp.Compare(a.Key.Group, b.Key.Group),
			cmp.Compare(a.Key.Namespace, b.Key.Namespace),
			cmp.Compare(a.Key.Name, b.Key.Name),
		)
	})
	for n, count := range noise {
		n.Objects = count
		r.Noise = append(r.Noise, n)
	}
	slices.SortFunc(r.Noise, func(a, b Noise) int {
		return cmp.Or(cmp.Compare(a.Site, b.Site), cmp.Compare(a.Label, b.Label), cmp.Compare(a.Old, b.Old), cmp.Compare(a.New, b.New))
	})
	names := make([]string, 0, len(sites))
	for s := range sites {
		names = append(names, s)
	}
	slices.Sort(names)
	for _, s := range names {
		sum := SiteSummary{Site: s, Status: "unchanged"}
		switch {
		case !oldSites[s]:
			sum.Status = "added"
		case !newSites[s]:
			sum.Status = "removed"
		}
		for _, c := range r.Changes {
			if c.Key.Site != s {
				continue
			}
			if sum.Status == "unchanged" {
				sum.Status = "changed"
			}
			if len(sum.Tiers) == 0 || sum.Tiers[len(sum.Tiers)-1].Tier != c.Tier {
				sum.Tiers = append(sum.Tiers, TierSummary{Tier: c.Tier})
			}
			t := &sum.Tiers[len(sum.Tiers)-1]
			switch c.Op {
			case Added:
				t.Added++
			case Removed:
				t.Removed++
			default:
				t.Changed++
			}
			t.Attention = sortedSet(append(t.Attention, c.Attention...))
		}
		r.Sites = append(r.Sites, sum)
	}
	return r
}

func index(objs []Object) map[Key]Object {
	out := make(map[Key]Object, len(objs))
	for _, o := range objs {
		out[KeyOf(o)] = o
	}
	return out
}

func sortedSet(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// ---- field comparison ----

// seg is one step of a path: a map key, a list item by name, or a list
// index.
type seg struct {
	key   string
	name  string // list item selected by its name field
	index int    // list item by position, when key and name are empty
	item  bool   // a list item (name or index)
}

func pathString(p []seg) string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.item && s.name != "":
			fmt.Fprintf(&b, "[name=%s]", s.name)
		case s.item:
			fmt.Fprintf(&b, "[%d]", s.index)
		case plainKey.MatchString(s.key):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.key)
		default:
			fmt.Fprintf(&b, "[%s]", strconv.Quote(s.key))
		}
	}
	return b.String()
}

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// noiseLabels are labels every chart or release bump changes on every
// object; their changes are summarised per site.
var noiseLabels = map[string]bool{"helm.sh/chart": true, "app.kubernetes.io/version": true}

func isNoise(p []seg) bool {
	n := len(p)
	return n >= 2 && !p[n-1].item && noiseLabels[p[n-1].key] && !p[n-2].item && p[n-2].key == "labels"
}

// walker collects the changes of one object.
type walker struct {
	key    Key
	fields []Field
	noise  []Field
}

func compareDocs(k Key, a, b map[string]any) (fields, noise []Field) {
	w := &walker{key: k}
	w.walk(nil, a, b, true, true)
	return w.fields, w.noise
}

func (w *walker) walk(p []seg, a, b any, hasA, hasB bool) {
	// A map field that comes or goes is listed key by key, each key judged
	// (flagged, redacted) on its own; a list item stays whole.
	inItem := len(p) > 0 && p[len(p)-1].item
	if m, ok := a.(map[string]any); ok && hasA && !hasB && len(m) > 0 && !inItem {
		for _, k := range sortedKeys(m) {
			w.walk(append(p, seg{key: k}), m[k], nil, true, false)
		}
		return
	}
	if m, ok := b.(map[string]any); ok && hasB && !hasA && len(m) > 0 && !inItem {
		for _, k := range sortedKeys(m) {
			w.walk(append(p, seg{key: k}), nil, m[k], false, true)
		}
		return
	}
	if hasA && hasB {
		am, aok := a.(map[string]any)
		bm, bok := b.(map[string]any)
		if aok && bok {
			for _, k := range object.UnionKeys(am, bm) {
				av, ha := am[k]
				bv, hb := bm[k]
				w.walk(append(p, seg{key: k}), av, bv, ha, hb)
			}
			return
		}
		al, aok := a.([]any)
		bl, bok := b.([]any)
		if aok && bok && !scalars(al) && !scalars(bl) {
			w.walkList(p, al, bl)
			return
		}
		if reflect.DeepEqual(a, b) {
			return
		}
	}
	path := slices.Clone(p)
	if isNoise(path) {
		w.noise = append(w.noise, Field{Path: path[len(path)-1].key, Old: label(a), New: label(b)})
		return
	}
	w.fields = append(w.fields, field(w.key, path, a, b, hasA, hasB))
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func label(v any) string { s, _ := v.(string); return s }

// walkList matches items by name when every item of both lists is a map
// with a distinct name (or metadata.name). Otherwise equal items match
// wherever they are; the others pair up in order when as many went as
// came (a field changed in place), or are listed as removed and added.
func (w *walker) walkList(p []seg, a, b []any) {
	an, aok := names(a)
	bn, bok := names(b)
	if aok && bok {
		for i, n := range bn {
			j := slices.Index(an, n)
			var av any
			if j >= 0 {
				av = a[j]
			}
			w.walk(append(p, seg{item: true, name: n}), av, b[i], j >= 0, true)
		}
		for j, n := range an {
			if !slices.Contains(bn, n) {
				w.walk(append(p, seg{item: true, name: n}), a[j], nil, true, false)
			}
		}
		return
	}
	usedA := make([]bool, len(a))
	var restB []int
	for i, bv := range b {
		j := slices.IndexFunc(a, func(av any) bool { return reflect.DeepEqual(av, bv) })
		for j >= 0 && usedA[j] {
			k := slices.IndexFunc(a[j+1:], func(av any) bool { return reflect.DeepEqual(av, bv) })
			if k < 0 {
				j = -1
				break
			}
			j += 1 + k
		}
		if j >= 0 {
			usedA[j] = true
			continue
		}
		restB = append(restB, i)
	}
	var restA []int
	for j, used := range usedA {
		if !used {
			restA = append(restA, j)
		}
	}
	if len(restA) == len(restB) {
		for n, i := range restB {
			w.walk(append(p, seg{item: true, index: i}), a[restA[n]], b[i], true, true)
		}
		return
	}
	for _, j := range restA {
		w.walk(append(p, seg{item: true, index: j}), a[j], nil, true, false)
	}
	for _, i := range restB {
		w.walk(append(p, seg{item: true, index: i}), nil, b[i], false, true)
	}
}

func names(l []any) ([]string, bool) {
	out := make([]string, 0, len(l))
	for _, v := range l {
		m, ok := v.(map[string]any)
		if !ok {
			return nil, false
		}
		n, ok := m["name"].(string)
		if !ok { // volumeClaimTemplates, ...
			meta, _ := m["metadata"].(map[string]any)
			n, ok = meta["name"].(string)
		}
		if !ok || n == "" || slices.Contains(out, n) {
			return nil, false
		}
		out = append(out, n)
	}
	return out, true
}

// scalars says whether l holds no map or list: such a list (args, sync
// options) is compared as one value.
func scalars(l []any) bool {
	for _, v := range l {
		switch v.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// maxValue caps a printed value, in runes.
const maxValue = 200

// maxTextLines caps the lines of a multi-line string the line diff
// compares.
const maxTextLines = 2000

func field(k Key, p []seg, a, b any, hasA, hasB bool) Field {
	f := Field{Path: pathString(p), Op: Changed, Attention: treeFlags(k, p, a, b)}
	switch {
	case !hasA:
		f.Op = Added
	case !hasB:
		f.Op = Removed
	}
	// A map or list is redacted leaf by leaf (redactTree), a scalar whole.
	if hide(k, p, a) || hide(k, p, b) {
		f.Redacted = true
		if hasA {
			f.Old = redactedMark
		}
		if hasB {
			f.New = redactedMark
		}
		return f
	}
	as, aText := a.(string)
	bs, bText := b.(string)
	if hasA && hasB && aText && bText && (strings.Contains(as, "\n") || strings.Contains(bs, "\n")) {
		f.Old, f.New = lineCount(as), lineCount(bs)
		f.Text = lineDiff(as, bs)
		return f
	}
	if hasA {
		f.Old = encode(redactTree(k, p, a))
	}
	if hasB {
		f.New = encode(redactTree(k, p, b))
	}
	f.Redacted = strings.Contains(f.Old, redactedMark) || strings.Contains(f.New, redactedMark)
	return f
}

func lineCount(s string) string {
	return fmt.Sprintf("(%d lines)", len(strings.Split(strings.TrimSuffix(s, "\n"), "\n")))
}

// encode prints v as compact JSON, cut to maxValue runes.
func encode(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	s := strings.TrimSuffix(buf.String(), "\n")
	if r := []rune(s); len(r) > maxValue {
		s = string(r[:maxValue]) + "…"
	}
	return s
}

// lineDiff lists the removed and added lines of a text (longest common
// subsequence); texts too long to compare are summarised.
func lineDiff(a, b string) []string {
	al := strings.Split(strings.TrimSuffix(a, "\n"), "\n")
	bl := strings.Split(strings.TrimSuffix(b, "\n"), "\n")
	if len(al) > maxTextLines || len(bl) > maxTextLines {
		return []string{fmt.Sprintf("~(texts of %d and %d lines, too long to compare line by line)", len(al), len(bl))}
	}
	// lcs[i][j]: length of the LCS of al[i:] and bl[j:].
	lcs := make([][]int, len(al)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(bl)+1)
	}
	for i := len(al) - 1; i >= 0; i-- {
		for j := len(bl) - 1; j >= 0; j-- {
			if al[i] == bl[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []string
	i, j := 0, 0
	for i < len(al) || j < len(bl) {
		switch {
		case i < len(al) && j < len(bl) && al[i] == bl[j]:
			i++
			j++
		case i < len(al) && (j == len(bl) || lcs[i+1][j] >= lcs[i][j+1]):
			out = append(out, "-"+cut(al[i]))
			i++
		default:
			out = append(out, "+"+cut(bl[j]))
			j++
		}
	}
	return out
}

func cut(s string) string {
	if r := []rune(s); len(r) > maxValue {
		return string(r[:maxValue]) + "…"
	}
	return s
}
