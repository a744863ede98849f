// Package output is the last stage: it owns the output directory. It writes
// rendered sites into DIR/<site>/, records what it wrote in an index, prunes
// what is no longer rendered, and compares a rendering with DIR (drift).
//
// In: DIR and, per site, its files (paths relative to the site directory,
// bytes), its profile and a digest of its inputs. Out: what changed, or the
// drift found.
//
// Rules:
//   - DIR/.tpgen-index.json lists every file tpgen owns with its sha256, the
//     tpgen version, and input digests. A file not listed is not tpgen's:
//     it is never changed or removed, and a site's foreign files survive
//     its re-render. A DIR that holds files but no index is refused unless
//     Force is set.
//   - A site's tree is built beside it (.tpgen-tmp-<site>, holding the new
//     files and the site's foreign files) and exchanged with it in one
//     rename (renameat2 RENAME_EXCHANGE on Linux; elsewhere two renames,
//     repaired on the next run). Killed at any moment, a site is its old
//     tree or its new one. The index is written (atomically) before the
//     first swap as the union of the old and new ownership, and exactly
//     after the last, so no owned file is ever taken for a foreign one.
//   - DIR is opened as an os.Root: nothing outside it is ever created,
//     written, linked or removed. The index is input and parsed strictly
//     (site names are DNS-1123 labels, files clean relative paths inside
//     their site). A site directory that is a symbolic link is refused; a
//     link inside a site is an entry like a file, never followed.
//   - Nothing is written when nothing changed.
//   - One writer at a time: DIR is locked (flock) while writing.
//
// It never renders and never prints.
package output
