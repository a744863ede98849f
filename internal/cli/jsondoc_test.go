package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/require"
)

// docSchemas compiles docs/json/*.schema.json, by kind.
func docSchemas(t *testing.T) map[string]*jsonschema.Schema {
	t.Helper()
	files, err := filepath.Glob("../../docs/json/*.schema.json")
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	ids := map[string]string{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		require.NoError(t, err, f)
		id := doc.(map[string]any)["$id"].(string)
		require.NoError(t, c.AddResource(id, doc), f)
		ids[filepath.Base(f)] = id
	}
	out := map[string]*jsonschema.Schema{}
	for kind, file := range map[string]string{
		kindRender: "render.schema.json", kindDiff: "diff.schema.json", kindFlows: "flows.schema.json",
		kindGraph: "graph.schema.json", kindValidate: "validate.schema.json", kindVersion: "version.schema.json",
		kindSecrets: "secrets.schema.json", kindMigrate: "migrate.schema.json",
	} {
		require.Contains(t, ids, file)
		s, err := c.Compile(ids[file])
		require.NoError(t, err, file)
		out[kind] = s
	}
	return out
}

// TestJSONDocuments: every verb's --format json output, success and
// failure, is one document that validates against its kind's schema in
// docs/json/ (issue 11: with a broken profile render, diff, flows and
// graph printed nothing on stdout).
func TestJSONDocuments(t *testing.T) {
	schemas := docSchemas(t)
	profiles, err := filepath.Abs("../../profiles")
	require.NoError(t, err)
	root := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(root, ".git"), 0o755))
	require.NoError(t, copyDir(os.DirFS(profiles), ".", filepath.Join(root, "profiles")))
	bad := "name: rome\nbsSecurity: OPEN\n"
	require.NoError(t, os.WriteFile(filepath.Join(root, "bad.yaml"), []byte(bad), 0o644))
	legacy := "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: web, namespace: se}\nspec: {backend: {serviceName: web, servicePort: 80}}\n"
	require.NoError(t, os.MkdirAll(filepath.Join(root, "legacy"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "legacy", "a.yaml"), []byte(legacy), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "refused"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "refused", "a.yaml"), []byte(legacy+"---\napiVersion: policy/v1beta1\nkind: PodSecurityPolicy\nmetadata: {name: p}\n"), 0o644))
	t.Chdir(root)
	site := []string{"--site", "nantes-iot"}
	run(t, ExitOK, append([]string{"render", "profiles", "-o", "deploy"}, site...)...)

	tests := []struct {
		name string
		args []string
		exit int
		kind string
		// errors is the number of errors the document must carry.
		errors int
	}{
		{"render", append([]string{"render", "profiles", "-o", "deploy"}, site...), ExitOK, kindRender, 0},
		{"render --check", append([]string{"render", "profiles", "-o", "deploy", "--check"}, site...), ExitOK, kindRender, 0},
		{"render, broken profile", []string{"render", "bad.yaml", "-o", "deploy"}, ExitError, kindRender, -1},
		{"render --check, missing DIR", []string{"render", "profiles", "-o", "nowhere", "--check"}, ExitError, kindRender, 1},
		{"render, usage", []string{"render", "profiles", "-j", "0"}, ExitUsage, kindRender, 1},
		{"validate", []string{"validate", "profiles"}, ExitOK, kindValidate, 0},
		{"validate, broken profile", []string{"validate", "bad.yaml"}, ExitError, kindValidate, -1},
		{"validate --rendered", append([]string{"validate", "--rendered", "deploy", "profiles"}, site...), ExitOK, kindValidate, 0},
		{"diff", append([]string{"diff", "profiles", "-o", "deploy", "--base", "worktree"}, site...), ExitOK, kindDiff, 0},
		{"diff, broken profile", []string{"diff", "bad.yaml", "-o", "deploy", "--base", "worktree"}, ExitError, kindDiff, -1},
		{"diff -o json", []string{"diff", "profiles", "-o", "json"}, ExitError, kindDiff, 1},
		{"flows", append([]string{"flows", "profiles"}, site...), ExitOK, kindFlows, 0},
		{"flows, broken profile", []string{"flows", "bad.yaml"}, ExitError, kindFlows, -1},
		{"graph", append([]string{"graph", "profiles"}, site...), ExitOK, kindGraph, 0},
		{"graph, broken profile", []string{"graph", "bad.yaml"}, ExitError, kindGraph, -1},
		{"secrets", append([]string{"secrets", "profiles"}, site...), ExitOK, kindSecrets, 0},
		{"secrets, broken profile", []string{"secrets", "bad.yaml"}, ExitError, kindSecrets, -1},
		{"version", []string{"version"}, ExitOK, kindVersion, 0},
		{"migrate", []string{"migrate", "legacy", "-o", "migrated"}, ExitOK, kindMigrate, 0},
		{"migrate, refused", []string{"migrate", "refused", "-o", "migrated2"}, ExitError, kindMigrate, 1},
		{"migrate, missing SRC", []string{"migrate", "nowhere", "-o", "migrated3"}, ExitError, kindMigrate, 1},
		{"migrate, usage", []string{"migrate", "legacy"}, ExitUsage, kindMigrate, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := Run(append(tt.args, "--format", "json"), &stdout, &stderr)
			require.Equal(t, tt.exit, code, "stderr:\n%s", stderr.String())
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(stdout.Bytes()))
			require.NoError(t, err, "stdout is one JSON document:\n%s", stdout.String())
			require.NoError(t, schemas[tt.kind].Validate(doc), "%s", stdout.String())
			var head struct {
				APIVersion string           `json:"apiVersion"`
				Kind       string           `json:"kind"`
				Errors     []map[string]any `json:"errors"`
			}
			d := json.NewDecoder(bytes.NewReader(stdout.Bytes()))
			require.NoError(t, d.Decode(&head))
			require.False(t, d.More(), "one document")
			require.Equal(t, "tpgen.dev/v1", head.APIVersion)
			require.Equal(t, tt.kind, head.Kind)
			if tt.errors >= 0 {
				require.Len(t, head.Errors, tt.errors, "%s", stdout.String())
			} else {
				require.NotEmpty(t, head.Errors)
			}
			require.NotContains(t, stderr.String(), `"apiVersion"`, "the document only on stdout")
		})
	}
}
