package chartsource

import (
	"strings"
	"testing"
	"testing/fstest"
)

// TestServesOtherVersions: a stand-in chart is served at its own version
// and at every version its tpgen.dev/serves annotation lists, with the
// listed appVersion; any other version is refused as before; a malformed
// annotation is an error naming the chart and the entry.
func TestServesOtherVersions(t *testing.T) {
	chartYAML := func(serves string) *fstest.MapFile {
		return &fstest.MapFile{Data: []byte("apiVersion: v2\nname: demo\nversion: 1.2.4\nappVersion: \"7.3.1\"\nannotations:\n  tpgen.dev/serves: \"" + serves + "\"\n")}
	}
	for _, tc := range []struct {
		name, serves, version string
		wantVersion, wantApp  string
		wantErr               string
	}{
		{name: "own version", serves: "1.5.0=7.3.6 2.2.1=8.0.0", version: "1.2.4", wantVersion: "1.2.4", wantApp: "7.3.1"},
		{name: "served version", serves: "1.5.0=7.3.6 2.2.1=8.0.0", version: "2.2.1", wantVersion: "2.2.1", wantApp: "8.0.0"},
		{name: "a range is met by the own version only", serves: "1.5.0=7.3.6", version: "~1.2", wantVersion: "1.2.4", wantApp: "7.3.1"},
		{name: "not served", serves: "1.5.0=7.3.6", version: "1.6.0",
			wantErr: "chart demo in test charts is version 1.2.4, the plan needs 1.6.0\nhint: a release pins its four chart versions; point charts.path at charts of that release"},
		{name: "malformed", serves: "1.5.0:7.3.6", version: "1.5.0",
			wantErr: `chart demo in test charts: Chart.yaml: annotation tpgen.dev/serves: "1.5.0:7.3.6" is not VERSION=APPVERSION with a semantic version (e.g. 1.5.0=7.3.6)`},
		{name: "not semver", serves: "1.5=7.3.6", version: "1.5",
			wantErr: `annotation tpgen.dev/serves: "1.5=7.3.6" is not VERSION=APPVERSION`},
		{name: "own version listed", serves: "1.2.4=7.3.0", version: "1.5.0",
			wantErr: "annotation tpgen.dev/serves: version 1.2.4 is listed twice (or is the chart's own version)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := NewFS(fstest.MapFS{"demo/Chart.yaml": chartYAML(tc.serves)}, "test charts")
			ch, err := src.Get("demo", tc.version)
			if tc.wantErr != "" {
				if err == nil || !contains(err.Error(), tc.wantErr) {
					t.Fatalf("Get(demo, %s) error = %v, want %q", tc.version, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ch.Metadata.Version != tc.wantVersion || ch.Metadata.AppVersion != tc.wantApp {
				t.Errorf("Get(demo, %s) = version %s appVersion %s, want %s %s", tc.version, ch.Metadata.Version, ch.Metadata.AppVersion, tc.wantVersion, tc.wantApp)
			}
			// Every Get is a fresh chart: serving 2.2.1 once leaves the
			// next Get of the own version alone.
			again, err := src.Get("demo", "1.2.4")
			if err != nil || again.Metadata.Version != "1.2.4" || again.Metadata.AppVersion != "7.3.1" {
				t.Errorf("Get(demo, 1.2.4) after = %v %v", again.Metadata, err)
			}
		})
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
