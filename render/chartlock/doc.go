// Package chartlock pins charts from Helm repositories and OCI registries
// by content and keeps their archives in a content-addressed cache.
//
// A lockfile (tpgen.lock, beside the profiles) lists per chart its source,
// name, requested version (a range only when the profile gives one), the
// exact version, the sha256 of the archive and, for OCI, the manifest
// digest: sorted, without timestamps, the same bytes for the same pins.
// The cache (Cache) stores archives under their sha256 and checks it on
// every read; writes go to a temporary file renamed into place, so renders
// running at once share it safely. Loader gives render a chart from the
// lock and the cache only: it never resolves a version, fetches a missing
// archive by its pinned digest (unless offline) and refuses bytes that do
// not match the lock. The package never prints.
package chartlock
