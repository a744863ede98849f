package profile

import (
	"encoding/json"
	"github.com/tpgen/tpgen/render/module"
	"os"
	"testing"

	"github.com/stretchr/testify/require"
)

// The JSON Schema the example profiles' modelines point at is what
// `tpgen schema --format jsonschema` prints today (`make schema` rewrites it).
func TestJSONSchemaFileIsCurrent(t *testing.T) {
	got, err := JSONSchema(module.Default())
	require.NoError(t, err)
	want, err := os.ReadFile("../../profiles/schema/profile.schema.json")
	require.NoError(t, err)
	require.Equal(t, string(want), got, "profiles/schema/profile.schema.json is stale: run `make schema`")

	var doc map[string]any
	require.NoError(t, json.Unmarshal([]byte(got), &doc))
	props, _ := doc["properties"].(map[string]any)
	for _, f := range []string{"name", "release", "hosting", "bsSecurity", "backup", "gitops", "tls"} {
		require.Contains(t, props, f)
	}
	require.NotContains(t, doc, "required", "fleet defaults may supply any field")
}
