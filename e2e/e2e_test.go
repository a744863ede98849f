//go:build e2e

package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/output"
	"github.com/tpgen/tpgen/render/tree"
)

// The operators of the release (FACTS §1) and the GitOps engines, as
// upstream ships their CRDs in ../shared/crds.
var (
	operatorCRDs = []string{"strimzi-0.33.2", "percona-psmdb-1.13.0", "cert-manager-v1.12.0"}
	gitopsCRDs   = []string{"argo-cd-v3.5.1", "flux-v2"}
)

func renderTo(t *testing.T, paths []string, out string) (*render.Result, error) {
	t.Helper()
	return render.Run(context.Background(), render.Options{
		Paths: paths, WriteOptions: render.WriteOptions{OutDir: out}, Jobs: 2,
		// out is a temporary directory in no repository: name the path the
		// GitOps objects sync (the API server does not resolve it).
		GitOpsPath: "deploy",
	})
}

// file is one object of the rendered tree.
type file struct {
	path string
	obj  object.Object
}

// readTier reads a tier directory (render/tree) in its kustomization.yaml
// order (the apply order tpgen writes).
func readTier(t *testing.T, dir string) []file {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "kustomization.yaml"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var k struct{ Resources []string }
	if err := yaml.Unmarshal(b, &k); err != nil {
		t.Fatal(err)
	}
	if len(k.Resources) == 0 {
		return nil
	}
	out := readDir(t, dir, tree.Options{Files: k.Resources})
	slices.SortStableFunc(out, func(a, b file) int {
		return slices.Index(k.Resources, filepath.Base(a.path)) - slices.Index(k.Resources, filepath.Base(b.path))
	})
	return out
}

// readDir reads the objects of the files under dir (render/tree).
func readDir(t *testing.T, dir string, o tree.Options) []file {
	t.Helper()
	parent, name := filepath.Split(filepath.Clean(dir))
	root, err := os.OpenRoot(parent)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	objs, err := tree.Read(root, parent, name, o)
	if err != nil {
		t.Fatal(err)
	}
	var out []file
	for _, ob := range objs {
		out = append(out, file{path: filepath.Join(dir, filepath.FromSlash(ob.File)), obj: ob.Object})
	}
	return out
}

// readTree reads every object under dir (for gitops/, whose layout is the
// GitOps stage's): Namespaces and CRDs first, then by path.
func readTree(t *testing.T, dir string) []file {
	t.Helper()
	out := readDir(t, dir, tree.Options{})
	first := func(f file) int {
		switch f.obj.Kind() {
		case "CustomResourceDefinition":
			return 0
		case "Namespace":
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b file) int { return first(a) - first(b) })
	return out
}

// upstreamCRDs reads the CRDs of the given ../shared/crds directories, by
// name.
func upstreamCRDs(t *testing.T, sharedDir string, dirs []string) map[string]file {
	t.Helper()
	out := map[string]file{}
	for _, d := range dirs {
		for _, f := range readTree(t, filepath.Join(sharedDir, "crds", d)) {
			if f.obj.Kind() == "CustomResourceDefinition" {
				out[f.obj.Name()] = f
			}
		}
	}
	return out
}

// applier applies objects and keeps the server's verdicts.
type applier struct {
	s        *server
	applied  int
	rejected []string
}

func (a *applier) apply(ctx context.Context, fs []file) {
	for _, f := range fs {
		if err := a.s.apply(ctx, f.obj.Doc); err != nil {
			a.rejected = append(a.rejected, fmt.Sprintf("%s (%s): %v", f.obj.ID(), f.path, err))
			continue
		}
		a.applied++
	}
}

func crdNames(fs []file) []string {
	var out []string
	for _, f := range fs {
		if f.obj.Kind() == "CustomResourceDefinition" {
			out = append(out, f.obj.Name())
		}
	}
	return out
}

// TestExampleSitesOnAPIServer: every example site, whole, accepted by a
// real API server, its custom resources against the operators' own CRDs.
func TestExampleSitesOnAPIServer(t *testing.T) {
	sharedDir := shared.Dir(t)
	out := t.TempDir()
	res, err := renderTo(t, []string{"../profiles"}, out)
	if err != nil {
		t.Fatalf("rendering the example fleet: %v", err)
	}
	upstream := upstreamCRDs(t, sharedDir, operatorCRDs)
	engines := upstreamCRDs(t, sharedDir, gitopsCRDs)
	total := 0
	for _, site := range res.Sites {
		t.Run(site.Name, func(t *testing.T) {
			clusterDir := filepath.Join(out, render.ClustersDir, site.Cluster)
			applied := applySite(t, sharedDir, filepath.Join(out, site.Name), clusterDir, site.Tiers, upstream, engines)
			if site.Name == "nijmegen" {
				// The restore Job is rendered, not synced (FACTS: run by hand).
				if _, err := os.Stat(filepath.Join(out, site.Name, "manual", "influxdb-restore", "job.batch_influxdb-restore.yaml")); err != nil {
					t.Errorf("the restore Job is not rendered into manual/: %v", err)
				}
			}
			// Every object file of the site (its components and gitops/)
			// and of its cluster directory, the upstream CRDs replacing
			// its own, and the engines' CRDs.
			want := len(engines) + applied.provided
			var files []output.File
			for _, f := range site.Files {
				// Manual components are rendered, never synced nor applied.
				if !strings.HasPrefix(f.Path, "manual/") {
					files = append(files, f)
				}
			}
			for _, c := range res.Clusters {
				if c.Name == site.Cluster {
					for _, f := range c.Files {
						if f.Path == "kustomization.yaml" || strings.HasPrefix(f.Path, "gitops/") {
							continue
						}
						files = append(files, f)
					}
				}
			}
			for _, f := range files {
				switch {
				case strings.HasSuffix(f.Path, "/kustomization.yaml"):
				// The cluster directory's files are at its root: match the
				// base name (the upstream CRD replacing each is applied too).
				case strings.HasPrefix(filepath.Base(f.Path), "customresourcedefinition."):
					want += 2
				default:
					want++
				}
			}
			if applied.n != want {
				t.Errorf("%d objects applied, want %d", applied.n, want)
			}
			total += applied.n
		})
	}
	t.Logf("%d sites, %d objects applied", len(res.Sites), total)
}

// applied counts what applySite applied: every object, and the upstream
// CRDs of the APIs the cluster provides (profile provided.apis).
type applied struct{ n, provided int }

// applySite applies one rendered site to a fresh API server in the order
// of the package doc, reports every rejection, and returns how many
// objects the server accepted.
func applySite(t *testing.T, sharedDir, dir, clusterDir string, tiers []string, upstream, engines map[string]file) applied {
	ctx := context.Background()
	t0 := time.Now()
	a := &applier{s: startServer(t, sharedDir)}

	// 0. The APIs the cluster provides: the upstream CRDs of the custom
	// kinds the site uses and does not define (cert-manager of a cluster
	// that has it).
	cluster := readTier(t, clusterDir)
	var siteObjs []file
	for _, tier := range tiers {
		siteObjs = append(siteObjs, readTier(t, filepath.Join(dir, tier))...)
	}
	provided := providedCRDs(append(slices.Clone(cluster), siteObjs...), upstream)
	a.apply(ctx, provided)
	if err := a.s.waitEstablished(ctx, crdNames(provided)); err != nil {
		a.rejected = append(a.rejected, err.Error())
	}

	// 1. The cluster directory, the site's own CRDs included.
	a.apply(ctx, cluster)
	own := crdNames(cluster)
	if err := a.s.waitEstablished(ctx, own); err != nil {
		a.rejected = append(a.rejected, err.Error())
	}
	if len(a.rejected) > 0 {
		t.Fatalf("the API server refused the cluster tier:\n%s", strings.Join(a.rejected, "\n"))
	}

	// 2. The upstream CRDs of the same names replace them.
	var replacements []file
	for _, name := range own {
		f, ok := upstream[name]
		if !ok {
			t.Errorf("no upstream CRD named %s in %s", name, strings.Join(operatorCRDs, ", "))
			continue
		}
		replacements = append(replacements, f)
	}
	a.apply(ctx, replacements)
	if err := a.s.waitEstablished(ctx, own); err != nil {
		a.rejected = append(a.rejected, err.Error())
	}

	// 3. The site's components, in install order (those of the cluster
	// directory have no directory in the site).
	for _, tier := range tiers {
		a.apply(ctx, readTier(t, filepath.Join(dir, tier)))
	}

	// 4. The GitOps objects, last, with the engines' CRDs.
	gitops := filepath.Join(dir, "gitops")
	if st, err := os.Stat(gitops); err != nil || !st.IsDir() {
		t.Errorf("the rendered site has no gitops/ directory: %v", err)
	} else {
		var crds []file
		for _, f := range engines {
			crds = append(crds, f)
		}
		slices.SortFunc(crds, func(x, y file) int { return strings.Compare(x.obj.Name(), y.obj.Name()) })
		a.apply(ctx, crds)
		if err := a.s.waitEstablished(ctx, crdNames(crds)); err != nil {
			a.rejected = append(a.rejected, err.Error())
		}
		objs := readTree(t, gitops)
		for _, ns := range namespacesOf(objs) {
			if err := a.s.ensureNamespace(ctx, ns); err != nil {
				a.rejected = append(a.rejected, fmt.Sprintf("Namespace/%s: %v", ns, err))
			}
		}
		a.apply(ctx, objs)
	}

	t.Logf("%s: %d objects applied (%d upstream CRDs replaced the site's own) in %v",
		filepath.Base(dir), a.applied, len(replacements), time.Since(t0).Round(time.Millisecond))
	if len(a.rejected) > 0 {
		t.Errorf("the API server rejected %d object(s):\n%s", len(a.rejected), strings.Join(a.rejected, "\n"))
	}
	return applied{n: a.applied, provided: len(provided)}
}

// providedCRDs are the upstream CRDs of the custom kinds objects use that
// no CRD among them defines, in name order.
func providedCRDs(objs []file, upstream map[string]file) []file {
	defined := map[string]bool{}
	for _, f := range objs {
		if f.obj.Kind() == "CustomResourceDefinition" {
			g, _ := object.Dig(f.obj.Doc, "spec", "group").(string)
			k, _ := object.Dig(f.obj.Doc, "spec", "names", "kind").(string)
			defined[k+"."+g] = true
		}
	}
	byKind := map[string]file{}
	for _, f := range upstream {
		g, _ := object.Dig(f.obj.Doc, "spec", "group").(string)
		k, _ := object.Dig(f.obj.Doc, "spec", "names", "kind").(string)
		byKind[k+"."+g] = f
	}
	seen := map[string]bool{}
	var out []file
	for _, f := range objs {
		gk := f.obj.GroupKind()
		if c, ok := byKind[gk]; ok && !defined[gk] && !seen[gk] {
			seen[gk] = true
			out = append(out, c)
		}
	}
	slices.SortFunc(out, func(x, y file) int { return strings.Compare(x.obj.Name(), y.obj.Name()) })
	return out
}

// namespacesOf lists the namespaces objects live in that none of them
// creates (the GitOps engine's own, which the cluster has).
func namespacesOf(fs []file) []string {
	made := map[string]bool{}
	for _, f := range fs {
		if f.obj.Kind() == "Namespace" {
			made[f.obj.Name()] = true
		}
	}
	var out []string
	for _, f := range fs {
		if ns := f.obj.Namespace(); ns != "" && !made[ns] && !slices.Contains(out, ns) {
			out = append(out, ns)
		}
	}
	return out
}
