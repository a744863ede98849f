// Package profile is the first stage of the pipeline: it finds site profiles
// (YAML or CUE) and the fleet defaults beside them, finds the platform
// module each selects (its module field, render/module), checks it
// against the module's CUE schema (#Profile, with the engine's #Site), and
// evaluates the site's plan (charts, values, overlays), also defined in
// the module's CUE. A fleet may mix modules. Profiles are read from disk
// through internal/fsguard, or from an fs.FS (Loader.FS: a revision's
// profiles, a profile made in memory).
//
// In: file and directory paths. Out: Sites, each holding the validated
// profile and its Plan as plain Go values, or a diag.List with every problem
// positioned in the user's files: every independent error, each field with
// errors validated on its own too (CUE reports a value's fatal errors
// only). No secret value is accepted (render/secret, the detector the
// validation stage and diff use), and no message repeats a value found
// where a Secret reference belongs or that the detector calls a secret.
// It knows nothing of a platform: the rules and the plan are data in the
// module (render/module).
// It never prints and never writes files.
//
// Bounds: LoadAllContext and PlanContext stop an evaluation at a time or
// heap-growth limit (EvalLimits) or when their context is cancelled; CUE
// cannot be interrupted, so the evaluation is left running and the Loader
// refuses further use.
//
// Concurrency: a Loader owns one cue.Context and must not be used from two
// goroutines at once; make one Loader per worker. A Pool does: it loads
// and plans a fleet with several Loaders at once, each site planned by the
// Loader that loaded it, and answers as one Loader would (the same
// sites, plans and errors, in the same order). Each module's package is
// parsed once per process and built once per Loader that uses it. A
// Site's Profile holds its Loader's context alive: drop it once planned.
package profile
