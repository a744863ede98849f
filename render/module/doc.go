// Package module finds platform modules: the directories of data (a CUE
// package with #Profile and #Plan, charts/, manifests/, overlays/, an
// optional init.yaml.tmpl) that say what a site of one platform is and how
// it renders. Built-in modules are embedded (package modules); a user
// module is a directory on disk, read whole through internal/fsguard
// (bounded, regular files only, no link that leaves the module root) into
// memory.
//
// In: a profile's module selector (a name, or a ./ or ../ path), the
// profile's directory and input root, and the module search path. Out: a
// Module whose FS holds the module's files, or an error saying what is
// wrong and which modules are known (a hint line).
//
// It also owns the engine's CUE file (tpgen.engine.cue: #Site and the
// generic definitions every module's package gets); render/profile
// injects it into each module's package. It knows nothing of a
// particular platform, evaluates no CUE and never prints.
package module
