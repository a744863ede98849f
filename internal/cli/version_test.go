package cli

import (
	"runtime/debug"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestVersion: the version comes from -ldflags -X, else the module
// version, else the VCS revision, else devel (issue 11: every build
// called itself devel).
func TestVersion(t *testing.T) {
	vcs := func(rev, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev}, {Key: "vcs.modified", Value: modified}}
	}
	tests := []struct {
		name    string
		ldflags string
		info    *debug.BuildInfo // nil: no build information
		want    string
	}{
		{name: "set at link time", ldflags: "v1.4.0", info: &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}}, want: "v1.4.0"},
		{name: "go install @v1.3.0", info: &debug.BuildInfo{Main: debug.Module{Version: "v1.3.0"}}, want: "v1.3.0"},
		{name: "pseudo-version stamped by go build", info: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130194500-0123456789ab+dirty"}}, want: "v0.0.0-20261130194500-0123456789ab+dirty"},
		{name: "checkout, clean", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123456789abcdef01234567", "false")}, want: "devel+0123456789ab"},
		{name: "checkout, modified", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs("0123456789abcdef0123456789abcdef01234567", "true")}, want: "devel+0123456789ab.dirty"},
		{name: "-buildvcs=false", info: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, want: "devel"},
		{name: "no build information", want: "devel"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			oldVersion, oldRead := version, readBuildInfo
			t.Cleanup(func() { version, readBuildInfo = oldVersion, oldRead })
			version = tt.ldflags
			readBuildInfo = func() (*debug.BuildInfo, bool) { return tt.info, tt.info != nil }
			assert.Equal(t, tt.want, Version())
			var out, errOut strings.Builder
			assert.Equal(t, ExitOK, Run([]string{"--version"}, &out, &errOut))
			assert.Equal(t, "tpgen "+tt.want+"\n", out.String())
		})
	}
}
