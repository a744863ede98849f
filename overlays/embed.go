// Package overlays embeds tpgen's Kustomize components (one directory each,
// holding a kustomization.yaml of kind Component). The plan (cue/plan.cue)
// names which ones apply to a site.
package overlays

import "embed"

// FS holds every overlay directory.
//
//go:embed all:*
var FS embed.FS
