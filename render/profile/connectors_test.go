package profile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// connectors (cue/profile.cue) only feed `tpgen flows`; these are their
// schema rules, on eksBase with a connectors block appended. The loader
// does not find the @hint of a field inside a list item, so no hint is
// expected here.
func TestConnectorsSchema(t *testing.T) {
	l := newTestLoader(t)
	line := strings.Count(eksBase, "\n") + 2 // the first item's line
	tests := []struct {
		name  string
		items string
		want  []wantDiag
	}{
		{name: "valid, default and explicit ports", items: "  - {name: aws-iot, protocol: mqtts, host: a1b2c3.iot.eu-west-1.amazonaws.com}\n  - {name: bus, protocol: amqps, host: 10.1.2.3, port: 5672}\n"},
		{name: "protocol", items: "  - {name: bus, protocol: kafka, host: bus.example.net}\n",
			want: []wantDiag{{Path: "connectors[0].protocol", Line: line, Column: 27, Message: `"kafka" is not allowed`}}},
		{name: "host", items: "  - {name: bus, protocol: mqtt, host: \"not a host\"}\n",
			// One diagnostic per branch of #FQDN | #IPv4 (the loader's known
			// behaviour on disjunctions of patterns, see schema_test.go).
			want: []wantDiag{{Path: "connectors[0].host", Line: line, Column: 39, Message: `invalid value "not a host"`}, {Path: "connectors[0].host", Line: line, Column: 39, Message: `invalid value "not a host"`}}},
		{name: "port", items: "  - {name: bus, protocol: mqtt, host: bus.example.net, port: 70000}\n",
			want: []wantDiag{{Path: "connectors[0].port", Line: line, Column: 62, Message: "invalid value 70000"}}},
		{name: "name required", items: "  - {protocol: mqtt, host: bus.example.net}\n",
			want: []wantDiag{{Path: "connectors[0].name", Line: line, Column: 5, Message: "field is required but not present"}}},
		{name: "no inline credentials", items: "  - {name: bus, protocol: mqtt, host: bus.example.net, password: x}\n",
			want: []wantDiag{{Path: "connectors[0].password", Line: line, Column: 56, Message: "inline secret values are not allowed"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			file := filepath.Join(dir, "site.yaml")
			if err := os.WriteFile(file, []byte(eksBase+"connectors:\n"+tc.items), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := l.Load(Source{File: file})
			got := asDiags(t, err)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("want valid, got %v", err)
				}
				return
			}
			if d := diffDiags(dir, "site.yaml", got, tc.want); d != "" {
				t.Errorf("diagnostics (-want +got)\n%s\n%v", d, got)
			}
		})
	}
}
