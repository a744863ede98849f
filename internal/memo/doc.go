// Package memo is a bounded, concurrency-safe map from a content digest
// to a value, for the pure functions the render pipeline computes once
// per distinct input across a fleet's sites (issue 17): decoding and
// encoding objects, scanning them for credentials, checking them against
// the Kubernetes schema (Digest keys the last two, which tell Go types
// apart). Entries are evicted
// oldest first beyond a size in bytes the caller accounts for; one entry
// over a sixteenth of the bound is not kept (it would evict the others).
// A value is kept from its second computation on (Seen), so one computed
// once in a run costs no memory. The values are shared: callers hand out
// copies.
package memo
