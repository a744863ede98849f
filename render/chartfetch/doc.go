// Package chartfetch downloads chart archives from where users keep them:
// a Helm HTTP(S) repository (index.yaml) or an OCI registry (oci://),
// through the Helm SDK's repo and registry packages, in process (no helm
// binary, no plugins, no credential helper programs).
//
// In: a Ref (source, chart name, version or, for Resolve only, a range)
// with its credentials named by reference (environment variable names, a
// registry or Docker config file). Out: the archive bytes with their sha256
// digest and, for OCI, the manifest digest. Fetch downloads an archive
// already pinned (see render/chartlock) and refuses bytes that do not
// match the pin.
//
// Credentials go only to the host they belong to (scheme, host and port of
// the source): every request passes through one transport that removes
// the Authorization header from a request to any other host, a redirect
// included. Plain HTTP is refused unless Options.AllowHTTP is set, and then
// only to a loopback address. Nothing reads or writes the user's Helm
// configuration; a config file named by reference is only read. The
// package never prints and never renders.
package chartfetch
