package output

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/tpgen/tpgen/internal/fsguard"
)

// IndexFile is the index's name in DIR.
const IndexFile = ".tpgen-index.json"

// Index records what tpgen owns in DIR.
type Index struct {
	// Tpgen is the version of tpgen that wrote DIR.
	Tpgen string `json:"tpgen"`
	// Inputs seals the index: the digest of everything else it records
	// (the version, every unit with its input digest and files). An
	// index whose seal does not match was edited by hand, or left by a
	// killed run: a renderer trusts none of its claims (Sealed).
	Inputs string               `json:"inputs"`
	Sites  map[string]IndexSite `json:"sites"`
	// Clusters are the cluster directories (DIR/clusters/<name>/).
	Clusters map[string]IndexCluster `json:"clusters,omitempty"`

	// parsed memoizes Sealed for an index ParseIndex returned (which
	// nothing changes).
	parsed *sealMemo
}

type sealMemo struct {
	once sync.Once
	ok   bool
}

// IndexCluster is one cluster directory of the index.
type IndexCluster struct {
	// Files maps each owned file (relative to the cluster directory) to
	// the sha256 of what tpgen wrote.
	Files map[string]string `json:"files"`
}

// IndexSite is one site of the index.
type IndexSite struct {
	Profile string `json:"profile"`
	// Cluster names the site's cluster when it is not the site's name.
	Cluster string `json:"cluster,omitempty"`
	// Release is the release of the site's platform its plan rendered
	// (the plan's release; empty for a module without releases): what a
	// release change is checked against (the module's upgrade rule).
	Release string `json:"release,omitempty"`
	// Inputs digests the site's inputs (profile, fleet defaults, overlays,
	// charts, tpgen's embedded data).
	Inputs string `json:"inputs"`
	// Files maps each owned file (relative to the site directory) to the
	// sha256 of what tpgen wrote.
	Files map[string]string `json:"files"`
	// Key digests what a render knows of the site before evaluating its
	// profile: tpgen's version, the options of the run that shape the
	// output, the profile's path, input root and fleet defaults files.
	Key string `json:"key,omitempty"`
	// Reads maps everything the site was made from (its profile, fleet
	// defaults, module, charts, overlays, SOPS and CRD files, each a file,
	// a directory tree or a listing, named as render names them) to its
	// digest. With Key, it lets a render keep the site without
	// evaluating its profile (render's preKept).
	Reads map[string]string `json:"reads,omitempty"`
	// Tiers are the site's components in graph order.
	Tiers []string `json:"tiers,omitempty"`
}

// cluster is the site's cluster (named name).
func (s IndexSite) cluster(name string) string {
	if s.Cluster != "" {
		return s.Cluster
	}
	return name
}

// Hash is the digest recorded for a file's bytes.
func Hash(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// NewIndex returns the index of sites rendered into an empty DIR.
func NewIndex(version string, sites []Site) *Index {
	return next(&Index{Sites: map[string]IndexSite{}}, version, sites, nil)
}

// IndexOf returns the index of exactly sites, rendered into an empty
// DIR; the entries of the units kept (Keep) are prev's.
func IndexOf(prev *Index, version string, sites []Site) *Index {
	old := &Index{Sites: map[string]IndexSite{}, Clusters: map[string]IndexCluster{}}
	for _, s := range sites {
		switch {
		case !s.Keep || prev == nil:
		case s.Unit == UnitCluster:
			old.Clusters[s.Name] = prev.Clusters[s.Name]
		default:
			old.Sites[s.Name] = prev.Sites[s.Name]
		}
	}
	return next(old, version, sites, nil)
}

// Encode returns the index's bytes: indented JSON, keys sorted.
func (x *Index) Encode() []byte {
	b, err := json.MarshalIndent(x, "", "  ")
	if err != nil {
		panic(err) // strings and maps of strings always encode
	}
	return append(b, '\n')
}

// next returns the index after rendering sites over old: their entries
// replaced, and the entries of pruned sites dropped.
func next(old *Index, version string, sites []Site, pruned []string) *Index {
	x := &Index{Tpgen: version, Sites: map[string]IndexSite{}, Clusters: map[string]IndexCluster{}}
	// same: x records what old does (every unit kept as recorded, none
	// pruned), so old's seal is x's.
	same := version == old.Tpgen && len(pruned) == 0
	for name, s := range old.Sites {
		if !slices.Contains(pruned, name) {
			x.Sites[name] = s
		}
	}
	for name, c := range old.Clusters {
		x.Clusters[name] = c
	}
	for _, s := range sites {
		same = same && s.Keep && (s.Reads == nil || s.Unit != UnitSite)
		if s.Keep {
			// Its entry stays old's; what it read is refreshed when the
			// run says it (Reads set): its inputs digest was found equal.
			if is, ok := x.Sites[s.Name]; ok && s.Unit == UnitSite && s.Reads != nil {
				is.Key, is.Reads, is.Tiers = s.Key, s.Reads, s.Tiers
				x.Sites[s.Name] = is
			}
			continue
		}
		files := s.digests()
		if s.Unit == UnitCluster {
			x.Clusters[s.Name] = IndexCluster{Files: files}
			continue
		}
		is := IndexSite{Profile: s.Profile, Release: s.Release, Inputs: s.Inputs, Files: files}
		if s.Key != "" { // what it read is recorded, with its tiers
			is.Key, is.Reads, is.Tiers = s.Key, s.Reads, s.Tiers
		}
		if s.Cluster != s.Name {
			is.Cluster = s.Cluster
		}
		x.Sites[s.Name] = is
	}
	for _, n := range prunedClusters(old, sites, pruned) {
		delete(x.Clusters, n)
		same = false
	}
	if len(x.Clusters) == 0 {
		x.Clusters = nil
	}
	if x.Inputs = old.Inputs; !same || !old.Sealed() {
		x.Inputs = x.seal()
	}
	return x
}

// seal digests what x records but the seal itself.
func (x *Index) seal() string {
	h := sha256.New()
	var b []byte
	line := func() {
		b = append(b, '\n')
		h.Write(b)
		b = b[:0]
	}
	b = strconv.AppendQuote(append(b, "tpgen "...), x.Tpgen)
	line()
	files := func(fs map[string]string) {
		for _, p := range slices.Sorted(maps.Keys(fs)) {
			b = append(strconv.AppendQuote(append(b, "  "...), p), ' ')
			b = append(b, fs[p]...)
			line()
		}
	}
	for _, n := range slices.Sorted(maps.Keys(x.Sites)) {
		s := x.Sites[n]
		b = strconv.AppendQuote(append(b, "site "...), n)
		b = strconv.AppendQuote(append(b, ' '), s.Profile)
		b = strconv.AppendQuote(append(b, ' '), s.Cluster)
		b = append(append(b, ' '), s.Inputs...)
		b = strconv.AppendInt(append(b, ' '), int64(len(s.Files)), 10)
		b = strconv.AppendQuote(append(b, " release "...), s.Release)
		line()
		files(s.Files)
		b = append(append(b, "  key "...), s.Key...)
		for _, t := range s.Tiers {
			b = strconv.AppendQuote(append(b, ' '), t)
		}
		b = strconv.AppendInt(append(b, " reads "...), int64(len(s.Reads)), 10)
		line()
		files(s.Reads)
	}
	for _, n := range slices.Sorted(maps.Keys(x.Clusters)) {
		b = strconv.AppendQuote(append(b, "cluster "...), n)
		b = strconv.AppendInt(append(b, ' '), int64(len(x.Clusters[n].Files)), 10)
		line()
		files(x.Clusters[n].Files)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// same says whether x records what old does, and old is sealed: then
// x's encoding is old's (as tpgen writes it), and need not be compared.
func (x *Index) same(old *Index) bool {
	return x.Tpgen == old.Tpgen && x.Inputs == old.Inputs && old.Sealed()
}

// Sealed says whether x is as tpgen wrote it: its seal matches what it
// records. Only a sealed index's digests may spare a unit its rendering
// (Intact then checks the files against them).
func (x *Index) Sealed() bool {
	switch {
	case x == nil:
		return false
	case x.parsed != nil:
		x.parsed.once.Do(func() { x.parsed.ok = x.Inputs == x.seal() })
		return x.parsed.ok
	}
	return x.Inputs == x.seal()
}

// union returns an index owning every file of a and of b (b's hash wins).
func union(a, b *Index) *Index {
	x := &Index{Tpgen: b.Tpgen, Inputs: b.Inputs, Sites: map[string]IndexSite{}, Clusters: map[string]IndexCluster{}}
	for _, ix := range []*Index{a, b} {
		for name, c := range ix.Clusters {
			files := map[string]string{}
			for p, h := range x.Clusters[name].Files {
				files[p] = h
			}
			for p, h := range c.Files {
				files[p] = h
			}
			x.Clusters[name] = IndexCluster{Files: files}
		}
	}
	if len(x.Clusters) == 0 {
		x.Clusters = nil
	}
	for name, s := range a.Sites {
		x.Sites[name] = s
	}
	for name, s := range b.Sites {
		prev, ok := x.Sites[name]
		if !ok {
			x.Sites[name] = s
			continue
		}
		files := make(map[string]string, len(prev.Files)+len(s.Files))
		for p, h := range prev.Files {
			files[p] = h
		}
		for p, h := range s.Files {
			files[p] = h
		}
		s.Files = files
		x.Sites[name] = s
	}
	return x
}

// maxIndexSize bounds the index read from DIR.
const maxIndexSize = 64 << 20

// IndexLimit bounds an index read from DIR wherever it is read: it grows
// with the fleet (about 30 KB a site), so --max-file-size, which bounds
// the inputs, must not bound it (a large fleet's index would be ignored,
// and with it the previous tree's objects and releases).
var IndexLimit = fsguard.Limit{Max: maxIndexSize, What: "index size", Raise: "nothing: an index this large is not tpgen's"}

// readIndex reads DIR's index; ok is false when there is none.
func readIndex(t *tree) (x *Index, data []byte, ok bool, err error) {
	return readIndexKnown(t, nil, nil)
}

// readIndexKnown is readIndex that takes known, parsed from knownData,
// when DIR's index holds exactly knownData.
func readIndexKnown(t *tree, known *Index, knownData []byte) (x *Index, data []byte, ok bool, err error) {
	p := t.path(IndexFile)
	data, err = fsguard.ReadFile(t.root, IndexFile, p, IndexLimit)
	if errors.Is(err, fs.ErrNotExist) {
		return &Index{Sites: map[string]IndexSite{}}, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, fmt.Errorf("reading the index: %w", err)
	}
	if known != nil && knownData != nil && bytes.Equal(data, knownData) {
		return known, data, true, nil // parsed by the caller already
	}
	if x, err = ParseIndex(data); err != nil {
		return nil, nil, false, fmt.Errorf("reading %s: %w\nhint: the index is tpgen's; restore it from Git (git checkout -- %s), or delete it and render with --force", p, err, p)
	}
	return x, data, true, nil
}

// ParseIndex decodes an index strictly: unknown fields and duplicate keys
// are errors (an index of another tpgen, or a hand-edited one, is not
// silently misread),
// every site name is a DNS-1123 label and every file a clean relative path
// inside its site directory, so that nothing the index says can reach
// outside DIR.
func ParseIndex(data []byte) (*Index, error) {
	// A key twice (two entries for one site or file) is refused, not
	// resolved by the last one silently.
	if err := duplicateKeys(data); err != nil {
		return nil, err
	}
	x := &Index{}
	d := json.NewDecoder(bytes.NewReader(data))
	d.DisallowUnknownFields()
	if err := d.Decode(x); err != nil {
		return nil, err
	}
	if d.More() {
		return nil, errors.New("trailing data after the index")
	}
	if x.Sites == nil {
		x.Sites = map[string]IndexSite{}
	}
	x.parsed = &sealMemo{}
	names := make([]string, 0, len(x.Sites))
	for n := range x.Sites {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if err := checkSiteName(n); err != nil {
			return nil, err
		}
		if c := x.Sites[n].Cluster; c != "" {
			if err := checkName("cluster", c); err != nil {
				return nil, fmt.Errorf("site %s: %w", n, err)
			}
		}
		if err := checkFiles("site "+n, x.Sites[n].Files); err != nil {
			return nil, err
		}
		if err := checkReads("site "+n, x.Sites[n]); err != nil {
			return nil, err
		}
	}
	for _, n := range slices.Sorted(maps.Keys(x.Clusters)) {
		if err := checkName("cluster", n); err != nil {
			return nil, err
		}
		if err := checkFiles("cluster "+n, x.Clusters[n].Files); err != nil {
			return nil, err
		}
	}
	return x, nil
}

func checkFiles(unit string, files map[string]string) error {
	ok := true
	for f, h := range files {
		ok = ok && checkFilePath(f) == nil && isHash(h)
	}
	if ok {
		return nil
	}
	for _, f := range slices.Sorted(maps.Keys(files)) { // the first, by name
		if err := checkFilePath(f); err != nil {
			return fmt.Errorf("%s: %w", unit, err)
		}
		if h := files[f]; !isHash(h) {
			return fmt.Errorf("%s: file %q: hash %q is not sha256:<64 hex digits>", unit, f, h)
		}
	}
	return nil
}

// isHash says whether h is sha256:<64 lowercase hex digits>.
func isHash(h string) bool {
	d, ok := strings.CutPrefix(h, "sha256:")
	if !ok || len(d) != 64 {
		return false
	}
	for i := range len(d) {
		if c := d[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// checkReads refuses a site's Key, Reads or Tiers that tpgen did not
// write: a read is named kind:path (render's kinds), its digest a sha256.
func checkReads(unit string, s IndexSite) error {
	if s.Key != "" && !isHash(s.Key) {
		return fmt.Errorf("%s: key %q is not sha256:<64 hex digits>", unit, s.Key)
	}
	for _, r := range slices.Sorted(maps.Keys(s.Reads)) {
		kind, p, _ := strings.Cut(r, ":")
		if !slices.Contains(ReadKinds, kind) || p == "" || strings.ContainsRune(r, 0) {
			return fmt.Errorf("%s: read %q: not one of %s followed by a path", unit, r, strings.Join(ReadKinds, ":, ")+":")
		}
		if h := s.Reads[r]; !isHash(h) {
			return fmt.Errorf("%s: read %q: digest %q is not sha256:<64 hex digits>", unit, r, h)
		}
	}
	for _, t := range s.Tiers {
		if t == "" || strings.ContainsRune(t, 0) {
			return fmt.Errorf("%s: tier %q: not a component name", unit, t)
		}
	}
	return nil
}

// ReadKinds are the kinds of what an index records a site read (the
// prefix of a Reads key): a file, a directory tree, a directory's
// listing, a path's type, a built-in module, the overlays a library
// caller passed.
var ReadKinds = []string{"file", "tree", "list", "node", "builtin", "overlays"}

// checkSiteName refuses a site name that is not a DNS-1123 label (such as
// "", ".", ".." or "../x"): a site is one directory directly in DIR.
func checkSiteName(n string) error { return checkName("site", n) }

// checkName refuses a unit name (what: site or cluster) that is not a
// DNS-1123 label.
func checkName(what, n string) error {
	if errs := validation.IsDNS1123Label(n); len(errs) > 0 {
		return fmt.Errorf("%s %q: not a DNS-1123 label (%s)", what, n, errs[0])
	}
	return nil
}

// checkFilePath refuses a file path that is not clean, relative,
// slash-separated and inside its site directory.
func checkFilePath(p string) error {
	if !fs.ValidPath(p) || p == "." || strings.ContainsAny(p, "\\\x00") {
		return fmt.Errorf("file %q: not a clean relative path inside the site directory (no leading /, no . or .. element, no empty element, no backslash)", p)
	}
	return nil
}

// checkSites refuses sites that the index could not record.
func checkSites(sites []Site) error {
	for _, s := range sites {
		what := "site"
		if s.Unit == UnitCluster {
			what = "cluster"
		}
		if err := checkName(what, s.Name); err != nil {
			return err
		}
		if s.Unit == UnitSite && s.Name == ClustersDir {
			return fmt.Errorf("site %q: the name is reserved for the cluster directories", s.Name)
		}
		for _, f := range s.Files {
			if err := checkFilePath(f.Path); err != nil {
				return fmt.Errorf("site %s: %w", s.Name, err)
			}
		}
	}
	return nil
}

// writeIndex replaces DIR's index atomically.
func writeIndex(t *tree, data []byte) error {
	const tmp = ".tpgen-tmp-index.json"
	if err := t.root.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return t.root.Rename(tmp, IndexFile)
}
