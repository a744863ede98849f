package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/repo"

	"github.com/tpgen/tpgen/internal/chartrepotest"
)

// chartServersCmd is the script command chart-servers [DIR]: it serves
// charts from a loopback Helm repository ($HELMREPO, no auth) and an
// in-process OCI registry ($OCIREPO, oci://HOST/charts, basic auth
// $REG_USER:$REG_PASS), both closed when the script ends. Without DIR the
// charts are the real ones of ../shared/helm-repo (guard the script with
// `[!shared] skip 'SKIPPED LOUDLY: ...'`); with DIR, every chart directory
// in DIR, packaged.
func chartServersCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) > 1 {
		ts.Fatalf("usage: chart-servers [DIR]")
	}
	var dir string
	if len(args) == 0 {
		var err error
		if dir, err = sharedHelmRepo(); err != nil {
			ts.Fatalf("chart-servers: %v (guard the script with [!shared] skip)", err)
		}
	} else {
		dir = ts.MkAbs(".chart-repo")
		ts.Check(os.MkdirAll(dir, 0o755))
		entries, err := os.ReadDir(ts.MkAbs(args[0]))
		ts.Check(err)
		for _, e := range entries {
			ch, err := loader.LoadDir(filepath.Join(ts.MkAbs(args[0]), e.Name()))
			ts.Check(err)
			_, err = chartutil.Save(ch, dir)
			ts.Check(err)
		}
		idx, err := repo.IndexDirectory(dir, "")
		ts.Check(err)
		ts.Check(idx.WriteFile(filepath.Join(dir, "index.yaml"), 0o644))
	}
	archives, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
	ts.Check(err)
	srv := chartrepotest.StartHTTP(dir, "", "")
	ts.Defer(srv.Close)
	reg, err := chartrepotest.StartOCI("robot", "s3cret-token", archives...)
	ts.Check(err)
	ts.Defer(reg.Close)
	ts.Setenv("HELMREPO", srv.URL)
	ts.Setenv("OCIREPO", "oci://"+reg.Host()+"/charts")
	ts.Setenv("REG_USER", "robot")
	ts.Setenv("REG_PASS", "s3cret-token")
}

// sharedCondition answers the script condition [shared].
func sharedCondition(cond string) (bool, error) {
	if cond != "shared" {
		return false, fmt.Errorf("unknown condition %q", cond)
	}
	_, err := sharedHelmRepo()
	return err == nil, nil
}

// sharedHelmRepo is ../shared/helm-repo from the module root.
func sharedHelmRepo() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	d := filepath.Join(strings.TrimSuffix(wd, filepath.Join("internal", "cli")), "..", "shared", "helm-repo")
	_, err = os.Stat(filepath.Join(d, "index.yaml"))
	return d, err
}
