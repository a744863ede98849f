// Package review holds the verbs that look at a rendering without writing
// it: Diff renders the profiles in memory (render.Run) and compares the
// objects, by identity, with the output directory at a Git revision or on
// disk (read by render/gitrev, parsed by render/tree, compared by
// render/diff); Flows and FlowsAt evaluate each profile's flow matrix,
// now or at a revision (render/profile, render/flows); Graph draws what
// Run rendered (render/graph).
//
// In: render.Options (and a base revision). Out: the reports' values,
// which internal/cli prints. It never writes files (FlowsAt's temporary
// copy of the profiles aside), never prints and never exits.
package review
