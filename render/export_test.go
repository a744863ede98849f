package render

// GitOpsOptions lets tests wire a site for another engine than its own.
var GitOpsOptions = gitopsOptions
