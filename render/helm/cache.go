package helm

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"hash"
	"slices"
	"strings"
	"sync"

	"helm.sh/helm/v3/pkg/chart"

	"github.com/tpgen/tpgen/internal/memo"
	"github.com/tpgen/tpgen/render/object"
)

// DefaultCacheSize bounds a Cache made by NewCache(0): the rendered text
// of the charts it holds (their decoded objects take a few times more).
const DefaultCacheSize = 16 << 20

// maxEntries bounds the entries of a Cache whatever their size.
const maxEntries = 4096

// Cache memoizes Render across the sites of one run: a fleet's sites
// render the same chart with the same values, Capabilities, release and
// namespace again and again (issue 17: three of the five ThingPark tiers
// see one to three distinct value sets across 100 sites), and each hit
// skips the template run and the parse of its output. The key digests
// every input of the rendering (the chart's metadata, templates, values,
// files and schema, recursively through its dependencies, the values,
// the release, the namespace, the tier, the Kubernetes version and the
// API versions), so a hit returns what a run would. Only successful
// renderings are kept, from their second in the run on (one rendered once
// costs no memory); a hit still meets Options.Bound. Entries are
// evicted oldest first beyond the size given to NewCache. Safe for
// concurrent use; two sites that miss the same key at once both render.
type Cache struct {
	mu      sync.Mutex
	max     int64
	size    int64
	entries map[[sha256.Size]byte]*cacheEntry
	order   [][sha256.Size]byte // insertion order, for eviction
	seen    memo.Seen           // a rendering is kept from its second on
	hits    int
}

type cacheEntry struct {
	objs           []object.Object
	docs           int
	bytes, largest int64
}

// NewCache returns a cache holding at most max bytes of rendered text
// (DefaultCacheSize when max <= 0).
func NewCache(max int64) *Cache {
	if max <= 0 {
		max = DefaultCacheSize
	}
	return &Cache{max: max, entries: map[[sha256.Size]byte]*cacheEntry{}}
}

// Hits is the number of renderings served from the cache.
func (c *Cache) Hits() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits
}

func (c *Cache) get(k [sha256.Size]byte) *cacheEntry {
	c.mu.Lock()
	defer c.mu.Unlock()
	e := c.entries[k]
	if e != nil {
		c.hits++
	}
	return e
}

// put keeps e for k and says whether it did: then e's objects are the
// cache's, and the caller must hand out copies.
func (c *Cache) put(k [sha256.Size]byte, e *cacheEntry) bool {
	if e.bytes > c.max {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[k]; ok || !c.seen.Again(k) {
		return false
	}
	for (c.size+e.bytes > c.max || len(c.order) >= maxEntries) && len(c.order) > 0 {
		old := c.order[0]
		c.order = c.order[1:]
		c.size -= c.entries[old].bytes
		delete(c.entries, old)
	}
	c.entries[k] = e
	c.order = append(c.order, k)
	c.size += e.bytes
	return true
}

// copies returns the entry's objects, each with its own document, for the
// tier asked (the stages after Helm change documents in place).
func (e *cacheEntry) copies(tier string) []object.Object {
	out := make([]object.Object, len(e.objs))
	for i, ob := range e.objs {
		ob.Doc = object.DeepCopy(ob.Doc)
		ob.Tier = tier
		out[i] = ob
	}
	return out
}

// cacheKey digests the inputs of one rendering; ok is false when one
// cannot be digested (the rendering is then not cached).
func cacheKey(ch *chart.Chart, o Options) (k [sha256.Size]byte, ok bool) {
	h := sha256.New()
	if err := digestChart(h, ch, 0); err != nil {
		return k, false
	}
	// The values' digest tells apart what their JSON encoding would
	// merge (an int 1, a float64 1 and a json.Number "1" render
	// differently: kindOf, printf "%T"); values of another Go type are
	// not cached.
	vals, ok := memo.Digest(map[string]any(o.Values))
	if !ok {
		return k, false
	}
	apis := slices.Clone(o.APIVersions)
	slices.Sort(apis)
	fmt.Fprintf(h, "release %q\nnamespace %q\ntier %q\nkube %q\napis %q\nvalues %x\n",
		o.Release, o.Namespace, o.Tier, o.KubeVersion, strings.Join(apis, " "), vals)
	h.Sum(k[:0])
	return k, true
}

// digestChart writes what rendering reads of ch: its metadata, lock,
// values, schema, templates and files, then its dependencies'.
func digestChart(h hash.Hash, ch *chart.Chart, depth int) error {
	if depth > 64 {
		return fmt.Errorf("chart dependencies nested too deep")
	}
	for _, v := range []any{ch.Metadata, ch.Lock, ch.Values} {
		b, err := json.Marshal(v)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "chart %d %d\n", depth, len(b))
		h.Write(b)
	}
	fmt.Fprintf(h, "schema %d\n", len(ch.Schema))
	h.Write(ch.Schema)
	for _, set := range [][]*chart.File{ch.Templates, ch.Files} {
		fmt.Fprintf(h, "files %d\n", len(set))
		for _, f := range set {
			fmt.Fprintf(h, "file %q %d\n", f.Name, len(f.Data))
			h.Write(f.Data)
		}
	}
	deps := ch.Dependencies()
	fmt.Fprintf(h, "dependencies %d\n", len(deps))
	for _, d := range deps {
		if err := digestChart(h, d, depth+1); err != nil {
			return err
		}
	}
	return nil
}
