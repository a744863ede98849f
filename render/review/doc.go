// Package review holds the verbs that look at a rendering without writing
// it: Diff renders the profiles in memory (render.Run) and compares the
// objects, by identity, with the output directory at a Git revision or on
// disk (read by render/gitrev, parsed by render/tree, compared by
// render/diff), each site directory and each cluster directory
// (clusters/<cluster>) a unit, and adds each site's release change (the
// base index's release against the plan's) with its module's verdict and
// the ordered steps (upgrade.go); Flows and FlowsAt evaluate each profile's
// flow matrix with its module (render/module), now or at a revision whose
// profiles are read into memory (render/profile, render/flows); Graph
// draws what Run rendered for the sites asked for (render/graph).
//
// In: render.Options (and a base revision). Out: the reports' values,
// which internal/cli prints. It never writes files, never prints and
// never exits.
package review
