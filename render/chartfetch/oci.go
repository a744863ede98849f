package chartfetch

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/registry"
	"oras.land/oras-go/v2/registry/remote/auth"
)

// registryClient returns a Helm registry client for ref's host: its HTTP
// client is guarded, its credential is the one ref names (given to that
// host:port only), and it reads no credentials file (os.DevNull) and
// never logs in, so nothing of the user's Helm or Docker configuration is
// read for credentials or written.
func (f *Fetcher) registryClient(ref Ref) (*registry.Client, string, error) {
	u, err := ref.location()
	if err != nil {
		return nil, "", err
	}
	plain := f.opts.AllowHTTP && loopback(u.Hostname())
	if plain {
		u.Scheme = "http"
	}
	host := hostPort(u)
	cred, err := f.credentials(ref.Auth, host)
	if err != nil {
		return nil, "", err
	}
	hc := f.client(host)
	ac := auth.Client{Client: hc, Cache: auth.NewCache()}
	if cred != nil {
		ac.Credential = auth.StaticCredential(u.Host, auth.Credential{Username: cred.user, Password: cred.pass})
	}
	opts := []registry.ClientOption{
		registry.ClientOptHTTPClient(hc),
		registry.ClientOptAuthorizer(ac),
		registry.ClientOptCredentialsFile(os.DevNull),
	}
	if plain {
		opts = append(opts, registry.ClientOptPlainHTTP())
	}
	c, err := registry.NewClient(opts...)
	if err != nil {
		return nil, "", err
	}
	repoRef := strings.TrimSuffix(strings.TrimPrefix(ref.Source, OCIScheme), "/") + "/" + ref.Name
	return c, repoRef, nil
}

// resolveOCI pulls ref's chart: by manifest digest when given, else by
// its version tag (for a range: the highest tag it accepts).
func (f *Fetcher) resolveOCI(ctx context.Context, ref Ref, manifest string) (Archive, error) {
	if err := ctx.Err(); err != nil {
		return Archive{}, err
	}
	c, repoRef, err := f.registryClient(ref)
	if err != nil {
		return Archive{}, err
	}
	version := ref.Version
	if manifest == "" && !Exact(version) {
		if version, err = highestTag(c, repoRef, version); err != nil {
			return Archive{}, err
		}
	}
	pull := repoRef + ":" + strings.ReplaceAll(version, "+", "_")
	if manifest != "" {
		pull = repoRef + "@" + manifest
	}
	res, err := c.Pull(pull, registry.PullOptWithChart(true))
	if err != nil {
		return Archive{}, fmt.Errorf("pulling %s: %w", pull, unwrapURLError(err))
	}
	if res.Chart.Meta == nil || res.Chart.Meta.Name != ref.Name {
		return Archive{}, fmt.Errorf("pulling %s: the artifact is not chart %s", pull, ref.Name)
	}
	if manifest != "" && res.Manifest.Digest != manifest {
		return Archive{}, fmt.Errorf("pulling %s: the registry served manifest %s: refused", pull, res.Manifest.Digest)
	}
	d := Digest(res.Chart.Data)
	if d != res.Chart.Digest {
		return Archive{}, fmt.Errorf("pulling %s: the chart layer's bytes do not match its digest %s: refused", pull, res.Chart.Digest)
	}
	return Archive{Version: res.Chart.Meta.Version, Digest: d, Manifest: res.Manifest.Digest, Data: res.Chart.Data}, nil
}

// highestTag returns the highest tag of repoRef that the range accepts.
func highestTag(c *registry.Client, repoRef, rng string) (string, error) {
	con, err := semver.NewConstraint(rng)
	if err != nil {
		return "", fmt.Errorf("version %q is neither a version nor a range: %v", rng, err)
	}
	tags, err := c.Tags(repoRef)
	if err != nil {
		return "", fmt.Errorf("listing the tags of %s: %w", repoRef, unwrapURLError(err))
	}
	for _, t := range tags { // highest first
		if v, err := semver.NewVersion(t); err == nil && con.Check(v) {
			return t, nil
		}
	}
	return "", fmt.Errorf("%s has no version matching %s", repoRef, rng)
}
