package profile

import (
	"encoding/json"
	"os"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render/module"
)

// The JSON Schemas the example profiles' modelines point at are what
// `tpgen schema --module M --format jsonschema` prints today, one per
// built-in module, and profile.schema.json is the default module's
// (`make schema` rewrites them).
func TestJSONSchemaFileIsCurrent(t *testing.T) {
	got, err := JSONSchema(module.Default())
	require.NoError(t, err)
	want, err := os.ReadFile("../../profiles/schema/profile.schema.json")
	require.NoError(t, err)
	require.Equal(t, string(want), got, "profiles/schema/profile.schema.json is stale: run `make schema`")
	for _, name := range module.BuiltinNames() {
		m, err := module.Builtin(name)
		require.NoError(t, err)
		got, err := JSONSchema(m)
		require.NoError(t, err)
		want, err := os.ReadFile("../../profiles/schema/" + name + ".schema.json")
		require.NoError(t, err)
		require.Equal(t, string(want), got, "profiles/schema/%s.schema.json is stale: run `make schema`", name)
	}

	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(got), &doc))
	props, _ := doc["properties"].(map[string]any)
	// module and cluster come from the engine's #Site, inlined: a $ref
	// to a closed #Site next to #Profile's properties would refuse both.
	for _, f := range []string{"name", "release", "hosting", "bsSecurity", "backup", "gitops", "tls", "module", "cluster"} {
		require.Contains(t, props, f)
	}
	require.NotContains(t, doc, "$ref", "#Site is inlined")
	require.NotContains(t, doc, "required", "fleet defaults may supply any field")
}
