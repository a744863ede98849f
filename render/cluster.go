package render

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/tpgen/tpgen/render/gitops"
	"github.com/tpgen/tpgen/render/header"
	"github.com/tpgen/tpgen/render/manifest"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/profile"
)

// ClusterResult is one cluster directory: DIR/clusters/<Name>/, the
// cluster-scoped objects of all its sites (and the objects of their
// components applied as cluster-admin), each written once.
type ClusterResult struct {
	Name  string
	Sites []string // sorted
	Files []output.File
	// Tree is Files as arranged, paths relative to the cluster directory,
	// each object file with its object (kustomization.yaml has none).
	Tree []manifest.File
	// Changed lists files written (empty when the tree was up to date).
	Changed []string
	// Skipped: every site of the cluster was kept (SiteResult.Skipped),
	// and so is the directory: no Files nor Tree.
	Skipped bool
}

// checkClusters refuses a site named like DIR's clusters directory, and
// sites of one cluster that disagree on how it is delivered (one cluster
// directory, one GitOps bootstrap).
func checkClusters(sites []*profile.Site, plans []*profile.Plan) error {
	var errs []error
	first := map[string]int{} // cluster -> index of its first site
	for i, s := range sites {
		if s.Name == ClustersDir {
			errs = append(errs, &SiteError{Site: s.Name, File: s.Source.File, Err: fmt.Errorf(
				"the site name %s is reserved: DIR/%s/ holds the cluster directories\nhint: rename the site", ClustersDir, ClustersDir)})
			continue
		}
		p := plans[i]
		j, ok := first[p.Cluster]
		if !ok {
			first[p.Cluster] = i
			continue
		}
		a, b := plans[j].GitOps, p.GitOps
		for _, f := range []struct{ name, x, y string }{
			{"engine", a.Engine, b.Engine},
			{"repoURL", a.RepoURL, b.RepoURL},
			{"revision", a.Revision, b.Revision},
			{"path", path.Clean(a.Path), path.Clean(b.Path)},
			{"namespace", a.Namespace, b.Namespace},
			{"decryption (secrets.sops.decryptionSecret; sops sites and others cannot share a cluster unit)", a.Decryption, b.Decryption},
		} {
			if f.x != f.y {
				errs = append(errs, fmt.Errorf("cluster %s: sites %s (%s) and %s (%s) disagree on gitops.%s (%s and %s); the sites of one cluster share its directory and its GitOps bootstrap\nhint: give them the same gitops.%s, or name different clusters (cluster: in the profiles)",
					p.Cluster, sites[j].Name, sites[j].Source.File, s.Name, s.Source.File, f.name, f.x, f.y, f.name))
			}
		}
	}
	return errors.Join(errs...)
}

// clusterUnits builds each cluster's directory from the sites' shares
// (results sorted by site name): an object several sites render alike is
// written once (by the first site's header); the same object with another
// content is refused, naming both sites. A declared namespace that is not
// provided and that no component renders gets its Namespace object.
func clusterUnits(results []SiteResult) ([]ClusterResult, error) {
	var names []string
	for _, r := range results {
		if r.plan != nil && !slices.Contains(names, r.Cluster) {
			names = append(names, r.Cluster)
		}
	}
	slices.Sort(names)
	// The sites of one cluster agree on their GitOps settings
	// (checkClusters): the first one's are the cluster's.
	engines := map[string]profile.GitOps{}
	for _, r := range results {
		if _, ok := engines[r.Cluster]; r.plan != nil && !ok {
			engines[r.Cluster] = r.plan.GitOps
		}
	}
	var out []ClusterResult
	var errs []error
	for _, c := range names {
		dir := clusterTier(c)
		type owner struct {
			file manifest.File
			site string
		}
		byPath := map[string]owner{}
		var files []manifest.File
		var sites, profiles []string
		for _, r := range results {
			if r.plan == nil || r.Cluster != c {
				continue
			}
			sites = append(sites, r.Name)
			profiles = append(profiles, filepath.ToSlash(r.Profile))
			for _, f := range r.clusterFiles {
				prev, ok := byPath[f.Path]
				if !ok {
					byPath[f.Path] = owner{f, r.Name}
					files = append(files, f)
					continue
				}
				if !bytes.Equal(body(prev.file.Data), body(f.Data)) {
					errs = append(errs, fmt.Errorf("cluster %s: sites %s and %s render %s differently (%s; %s): the cluster holds one\nhint: make the two sites render it alike, or name different clusters (cluster: in the profiles)",
						c, prev.site, r.Name, f.Object.ID(), prev.file.Object.Source, f.Object.Source))
				}
			}
		}
		for _, r := range results {
			if r.plan == nil || r.Cluster != c {
				continue
			}
			for _, ns := range r.plan.Namespaces {
				p := dir + "/namespace.core_" + ns.Name + ".yaml"
				if _, ok := byPath[p]; ns.Provided || ok {
					continue
				}
				ob := object.Object{Tier: dir, Source: "plan namespaces", Doc: map[string]any{
					"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": ns.Name},
				}}
				var buf bytes.Buffer
				buf.WriteString(header.Format(filepath.ToSlash(r.Profile), ob.Source) + "\n")
				if err := object.Encode(&buf, ob.Doc); err != nil {
					return nil, err
				}
				f := manifest.File{Path: p, Object: ob, Data: buf.Bytes()}
				byPath[p] = owner{f, r.Name}
				files = append(files, f)
			}
		}
		joined := header.Profiles(profiles)
		unit := ClusterResult{Name: c, Sites: sites}
		for _, f := range manifest.Unit(dir, files, joined, header.ClusterKustomization(c)) {
			f.Path = strings.TrimPrefix(f.Path, dir+"/")
			unit.Tree = append(unit.Tree, f)
		}
		// The cluster's GitOps bootstrap, in gitops/ of its directory:
		// the cluster administrator applies it once.
		boot, err := clusterBootstrap(c, sites, engines[c], files, joined)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		unit.Tree = append(unit.Tree, boot...)
		for _, f := range unit.Tree {
			unit.Files = append(unit.Files, output.File{Path: f.Path, Data: f.Data})
		}
		out = append(out, unit)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	slices.SortFunc(out, func(a, b ClusterResult) int { return cmp.Compare(a.Name, b.Name) })
	return out, nil
}

// body is a file's bytes after its header line (which names the site's
// profile).
func body(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}

// clusterBootstrap returns the files of a cluster unit's GitOps objects,
// relative to the unit's directory.
func clusterBootstrap(cluster string, sites []string, g profile.GitOps, files []manifest.File, profiles string) ([]manifest.File, error) {
	objs := make([]object.Object, 0, len(files))
	for _, f := range files {
		if f.Object.Doc != nil {
			objs = append(objs, f.Object)
		}
	}
	gobjs, err := gitops.ClusterObjects(gitops.ClusterOptions{Cluster: cluster, Engine: gitopsEngine(g), Sites: sites, Objects: objs})
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cluster, err)
	}
	dirs := gitops.ClusterDirs(g.Engine)
	arranged, err := manifest.Arrange(gobjs, manifest.Options{Namespace: g.Namespace, ClusterTier: dirs[0], Tiers: dirs, Profile: profiles})
	if err != nil {
		return nil, fmt.Errorf("cluster %s: %w", cluster, err)
	}
	return arranged, nil
}

// clusterStream builds, in a run that writes, each cluster directory as
// soon as the last of its sites is rendered, hands it to the output stage
// and lets go of the sites' shares: a rendering holds the clusters in
// progress, not the fleet's.
type clusterStream struct {
	w       *output.Writer
	sites   []*profile.Site
	results []SiteResult // by site index
	errs    []error      // by site index
	// cluster is the cluster of each site this run renders, by site index
	// ("" for a site kept or failed before rendering). It is set before
	// the sites render and only read after: siteDone tells a cluster's
	// sites by it, never by results, which other sites' goroutines write.
	cluster []string

	mu     sync.Mutex
	left   map[string]int // sites of the cluster still rendering
	units  map[string]ClusterResult
	failed map[string]error
}

// siteDone is called once site i is rendered and written beside.
func (cs *clusterStream) siteDone(i int) {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	c := cs.results[i].Cluster
	if cs.left[c]--; cs.left[c] > 0 {
		return
	}
	var mine []int
	for k := range cs.sites {
		// Every site of c is rendered (left is 0) and wrote its result
		// before its own siteDone took mu: reading it here is ordered.
		if cs.cluster[k] == c {
			if cs.errs[k] != nil {
				return // the run fails
			}
			mine = append(mine, k)
		}
	}
	shares := make([]SiteResult, 0, len(mine))
	for _, k := range mine {
		shares = append(shares, cs.results[k])
	}
	units, err := clusterUnits(shares)
	if err == nil {
		u := units[0]
		err = cs.w.Add(output.Site{Name: u.Name, Unit: output.UnitCluster, Files: u.Files})
		u.Tree = nil
		for j := range u.Files {
			u.Files[j].Data = nil // written beside the cluster directory
		}
		cs.units[c] = u
	}
	if err != nil {
		cs.failed[c] = err
	}
	for _, k := range mine {
		cs.results[k].clusterFiles, cs.results[k].ClusterObjects = nil, nil
	}
}

// done returns the cluster directories built, sorted by name, or their
// errors in that order.
func (cs *clusterStream) done() ([]ClusterResult, error) {
	var errs []error
	for _, c := range slices.Sorted(maps.Keys(cs.failed)) {
		errs = append(errs, cs.failed[c])
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	out := make([]ClusterResult, 0, len(cs.units))
	for _, c := range slices.Sorted(maps.Keys(cs.units)) {
		out = append(out, cs.units[c])
	}
	return out, nil
}
