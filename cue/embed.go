// Package cue embeds tpgen's CUE schemas: the site profile contract
// (profile.cue), the plan that turns a profile into charts, values and
// overlays (plan.cue, values.cue) and the network flow matrix (flows.cue),
// plus the template `tpgen init` fills. It
// is data; the Go pipeline loads it through render/profile.
package cue

import "embed"

// FS holds every .cue file of the tpgen package.
//
//go:embed *.cue
var FS embed.FS

// InitTemplate is the commented profile `tpgen init` writes (text/template).
//
//go:embed init.yaml.tmpl
var InitTemplate string
