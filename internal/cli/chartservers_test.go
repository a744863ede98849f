package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/tpgen/tpgen/internal/chartrepotest"
)

// chartServersCmd is the script command chart-servers: it serves the real
// charts of ../shared/helm-repo from a loopback Helm repository ($HELMREPO,
// no auth) and an in-process OCI registry ($OCIREPO, oci://HOST/charts,
// basic auth $REG_USER:$REG_PASS), both closed when the script ends. A
// script guards it with `[!shared] skip 'SKIPPED LOUDLY: ...'`.
func chartServersCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: chart-servers")
	}
	dir, err := sharedHelmRepo()
	if err != nil {
		ts.Fatalf("chart-servers: %v (guard the script with [!shared] skip)", err)
	}
	archives, err := filepath.Glob(filepath.Join(dir, "*.tgz"))
	ts.Check(err)
	repo := chartrepotest.StartHTTP(dir, "", "")
	ts.Defer(repo.Close)
	reg, err := chartrepotest.StartOCI("robot", "s3cret-token", archives...)
	ts.Check(err)
	ts.Defer(reg.Close)
	ts.Setenv("HELMREPO", repo.URL)
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
