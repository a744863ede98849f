package chartfetch

import (
	"context"
	"fmt"
	"strings"

	"helm.sh/helm/v3/pkg/repo"
	"sigs.k8s.io/yaml"
)

// resolveHTTP reads the repository's index.yaml, picks the chart version
// (repo.IndexFile.Get: an exact match, else the highest the range
// accepts) and downloads its first URL. The index's digest, when given,
// must match the archive. want, when set, is the digest the caller pins:
// of several URLs the first is used, as Helm does.
func (f *Fetcher) resolveHTTP(ctx context.Context, ref Ref, _ string) (Archive, error) {
	u, err := ref.location()
	if err != nil {
		return Archive{}, err
	}
	if err := checkScheme(u, f.opts.AllowHTTP); err != nil {
		return Archive{}, err
	}
	host := hostPort(u)
	cred, err := f.credentials(ref.Auth, host)
	if err != nil {
		return Archive{}, err
	}
	c := f.client(host)
	base := strings.TrimSuffix(u.String(), "/")
	b, err := get(ctx, c, base+"/index.yaml", cred, MaxIndex)
	if err != nil {
		return Archive{}, fmt.Errorf("reading the repository index: %w", err)
	}
	var idx repo.IndexFile
	if err := yaml.Unmarshal(b, &idx); err != nil {
		return Archive{}, fmt.Errorf("reading the repository index %s/index.yaml: %v", base, err)
	}
	idx.SortEntries()
	cv, err := idx.Get(ref.Name, ref.Version)
	if err != nil {
		return Archive{}, fmt.Errorf("%s/index.yaml has no version of %s matching %s\nhint: list the versions with `helm search repo %s --versions`; correct the chart's name or version", base, ref.Name, ref.Version, ref.Name)
	}
	if len(cv.URLs) == 0 {
		return Archive{}, fmt.Errorf("%s/index.yaml: %s %s has no URL", base, ref.Name, cv.Version)
	}
	at, err := repo.ResolveReferenceURL(base, cv.URLs[0])
	if err != nil {
		return Archive{}, err
	}
	data, err := get(ctx, c, at, cred, MaxArchive)
	if err != nil {
		return Archive{}, fmt.Errorf("downloading the archive: %w", err)
	}
	d := Digest(data)
	if cv.Digest != "" && "sha256:"+strings.TrimPrefix(cv.Digest, "sha256:") != d {
		return Archive{}, fmt.Errorf("the archive %s has digest %s, the repository index says sha256:%s: refused", redact(at), d, strings.TrimPrefix(cv.Digest, "sha256:"))
	}
	return Archive{Version: cv.Version, Digest: d, Data: data}, nil
}
