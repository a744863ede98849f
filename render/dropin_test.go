package render_test

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render"
)

// TestRealChartNamesDropIn (issue 14): a charts.path that holds only
// charts with the real ThingPark charts' names, at the versions of the
// site's release, renders: every ThingPark component takes its chart
// from there and the cluster-wide chart stays tpgen's own. Each stand-in
// declares a strict values schema (values.schema.json, top-level
// additionalProperties false) over the keys tpgen passes it, and a
// stand-in that lacks one of them makes the render fail naming the chart
// and the key: a real chart's schema is honoured. That those keys are the
// real charts' own is TestValuesContract's (render/profile, against
// Actility's files).
func TestRealChartNamesDropIn(t *testing.T) {
	for _, release := range []string{"7.3.1", "8.0.0"} {
		t.Run(release, func(t *testing.T) {
			site := writeBase(t, fmt.Sprintf("release: %q", release), "charts: {path: charts}",
				// The stand-ins render no Service: nothing exposes the site's ports.
				`policy: {waivers: [{id: load-balancer-ports, reason: "stand-in charts render no Service"}]}`)
			dir := filepath.Dir(site)
			vals, err := render.Values(context.Background(), render.Options{Paths: []string{site}}, nil)
			require.NoError(t, err)
			standIns := map[string]string{} // chart name -> version
			for _, v := range vals {
				if v.Chart == "thingpark-cluster" {
					continue
				}
				keys := slices.Sorted(maps.Keys(v.Values))
				writeStandIn(t, filepath.Join(dir, "charts", v.Chart), v.Chart, v.Version, keys)
				standIns[v.Chart] = v.Version
			}
			require.Len(t, standIns, 4, "the four ThingPark charts")

			res, err := render.Run(context.Background(), render.Options{Paths: []string{site}})
			require.NoError(t, err)
			fromStandIns := map[string]bool{}
			cluster := false
			for _, f := range res.Sites[0].Files {
				s := string(f.Data)
				if strings.Contains(s, "tpgen-test/stand-in: ") {
					for name, version := range standIns {
						if strings.Contains(s, "tpgen-test/stand-in: "+name+"-"+version+"\n") {
							fromStandIns[name] = true
						}
					}
				}
				if strings.Contains(s, "helm.sh/chart: thingpark-cluster-") {
					cluster = true
				}
			}
			for _, c := range res.Clusters {
				for _, f := range c.Files {
					if strings.Contains(string(f.Data), "helm.sh/chart: thingpark-cluster-") {
						cluster = true
					}
				}
			}
			require.Len(t, fromStandIns, 4, "every ThingPark component renders its stand-in: %v", fromStandIns)
			require.True(t, cluster, "the cluster-wide chart stays tpgen's")

			// A stand-in that does not take one of the keys tpgen passes
			// refuses the values.
			ent := vals[len(vals)-1]
			require.Equal(t, "thingpark-enterprise", ent.Chart)
			keys := slices.DeleteFunc(slices.Sorted(maps.Keys(ent.Values)), func(k string) bool { return k == "global" })
			writeStandIn(t, filepath.Join(dir, "charts", ent.Chart), ent.Chart, ent.Version, keys)
			_, err = render.Run(context.Background(), render.Options{Paths: []string{site}})
			require.Error(t, err)
			require.Contains(t, err.Error(), "thingpark-enterprise")
			require.Contains(t, err.Error(), "global")
		})
	}
}

// writeStandIn writes a chart named name at version whose values schema
// takes exactly the top-level keys given, and which renders one ConfigMap
// saying which stand-in made it.
func writeStandIn(t *testing.T, dir, name, version string, keys []string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "templates"), 0o755))
	chart := fmt.Sprintf("apiVersion: v2\nname: %s\nversion: %s\nappVersion: stand-in\n", name, version)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Chart.yaml"), []byte(chart), 0o644))
	props := map[string]any{}
	for _, k := range keys {
		props[k] = map[string]any{}
	}
	schema, err := json.Marshal(map[string]any{
		"$schema": "http://json-schema.org/draft-07/schema#", "type": "object",
		"additionalProperties": false, "properties": props,
	})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "values.schema.json"), schema, 0o644))
	cm := map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name + "-stand-in", "annotations": map[string]any{"tpgen-test/stand-in": name + "-" + version}},
		"data":     map[string]any{"chart": name},
	}
	b, err := yaml.Marshal(cm)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "templates", "configmap.yaml"), b, 0o644))
}
