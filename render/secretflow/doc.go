// Package secretflow carries secret values that a chart takes by value
// through rendering without any of them entering the tree (issue 14
// item 3). It is a step after rendering, not a stage of its own: the
// orchestrator calls it on a chart's output and on a site's objects.
//
// A plan puts a marker where a chart takes a secret by value: the text
// ((tpgen-secret:NAME/KEY)), which names key KEY of the Secret NAME the
// profile references, is deterministic and holds nothing secret. It
// survives being embedded in a larger string and base64 encoding by
// b64enc, so a chart renders its Secrets from markers as it would from
// values.
//
// In: a chart's values and a function that renders it (Guard), then a
// site's objects and its secret workflow (Deliver). Out: the objects with
// every Secret that carries a marker turned into what the workflow needs:
// an ExternalSecret (External Secrets Operator), nothing but an entry of
// the Secrets the operator creates beforehand (preCreated), or the
// SOPS-encrypted Secret the profile names (sops).
//
// A marker anywhere else is an error naming the chart, template, object
// and field: in a ConfigMap, an env value, an annotation or a label, and
// anything derived from one (a checksum, an encoding): Guard renders the
// chart a second time with every marker spelled differently
// (~~TPGEN-SECRET:NAME/KEY~~) and reports every field that differs
// outside the Secrets' marker positions.
//
// It never reads a secret value (there is none to read), never prints,
// and reads files only through the function Deliver is given.
//
// Concurrency: every function may be called from several goroutines.
package secretflow
