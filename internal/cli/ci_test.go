package cli

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render/output"
)

// ciInstallScripts returns the shell step that installs tpgen in each CI
// example.
func ciInstallScripts(t *testing.T) map[string]string {
	t.Helper()
	out := map[string]string{}
	var gh struct {
		Jobs map[string]struct {
			Steps []struct{ Name, Run string }
		}
	}
	b, err := os.ReadFile("../../examples/ci/github-actions.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &gh))
	for _, s := range gh.Jobs["check"].Steps {
		if strings.Contains(s.Run, "go install") {
			out["github-actions"] = s.Run
		}
	}
	var gl map[string]struct{ Script []string }
	b, err = os.ReadFile("../../examples/ci/gitlab-ci.yml")
	require.NoError(t, err)
	require.NoError(t, yaml.Unmarshal(b, &gl))
	for _, s := range gl["tpgen:check"].Script {
		if strings.Contains(s, "go install") {
			out["gitlab-ci"] = s
		}
	}
	require.Len(t, out, 2, "an install step in each CI example")
	return out
}

// TestCIInstallsTheTreesVersion runs the CI examples' install step (with a
// fake go): it installs the tpgen version recorded in the index, and
// refuses a tree rendered by a build without a release version (issue 11:
// the examples installed a version that does not exist, and a local build
// wrote devel into the index, so the check failed forever).
func TestCIInstallsTheTreesVersion(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	tests := []struct {
		index   string // the version in deploy/.tpgen-index.json
		install string // the go command run, "" for none
		fail    string // the message of a refusal
	}{
		{index: "v1.2.3", install: "install github.com/tpgen/tpgen/cmd/tpgen@v1.2.3"},
		{index: "v0.0.0-20261130194500-0123456789ab", install: "install github.com/tpgen/tpgen/cmd/tpgen@v0.0.0-20261130194500-0123456789ab"},
		{index: "devel", fail: "deploy/ was rendered by tpgen 'devel', a build without a release version"},
		{index: "devel+0123456789ab.dirty", fail: "deploy/ was rendered by tpgen 'devel+0123456789ab.dirty', a build without a release version"},
	}
	for name, script := range ciInstallScripts(t) {
		for _, tt := range tests {
			t.Run(name+"/"+tt.index, func(t *testing.T) {
				dir := t.TempDir()
				bin := filepath.Join(dir, "bin")
				require.NoError(t, os.MkdirAll(filepath.Join(dir, "deploy"), 0o755))
				require.NoError(t, os.MkdirAll(bin, 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "deploy", output.IndexFile), output.NewIndex(tt.index, nil).Encode(), 0o644))
				require.NoError(t, os.WriteFile(filepath.Join(bin, "go"), []byte("#!/bin/sh\necho \"$@\" > \"$GOLOG\"\n"), 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(bin, "tpgen"), []byte("#!/bin/sh\necho tpgen "+tt.index+"\n"), 0o755))
				cmd := exec.Command(sh, "-ec", script)
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"), "GOLOG="+filepath.Join(dir, "go.log"))
				out, err := cmd.CombinedOutput()
				logged, _ := os.ReadFile(filepath.Join(dir, "go.log"))
				if tt.fail != "" {
					require.Error(t, err, "%s", out)
					require.Contains(t, string(out), tt.fail)
					require.Empty(t, logged, "nothing installed")
					return
				}
				require.NoError(t, err, "%s", out)
				require.Equal(t, tt.install+"\n", string(logged))
			})
		}
	}
}
