package chartsource

import (
	"fmt"
	"strings"

	"github.com/Masterminds/semver/v3"
	"helm.sh/helm/v3/pkg/chart"
)

// ServesAnnotation is the Chart.yaml annotation by which a stand-in chart
// (one that reproduces a product's charts, such as tpgen's ThingPark
// charts) says which other versions of its name it serves, each with the
// appVersion it then has: "1.5.0=7.3.6 2.2.1=8.0.0". Asked for a listed
// version, a source returns the chart with that version and appVersion
// (its templates see them as .Chart.Version and .Chart.AppVersion), so one
// set of templates, parametrised by appVersion, serves every release
// instead of a copy per version. A chart without it is served at its own
// version only.
const ServesAnnotation = "tpgen.dev/serves"

// serve sets ch's version to version, and its appVersion to the one the
// annotation gives, when ch's ServesAnnotation lists version. ok is false
// when it does not; a malformed annotation is an error.
func serve(ch *chart.Chart, version string) (ok bool, err error) {
	served, err := Serves(ch.Metadata)
	if err != nil {
		return false, err
	}
	app, ok := served[version]
	if !ok {
		return false, nil
	}
	ch.Metadata.Version, ch.Metadata.AppVersion = version, app
	return true, nil
}

// Serves returns the versions md's ServesAnnotation lists, each with its
// appVersion (nil without the annotation).
func Serves(md *chart.Metadata) (map[string]string, error) {
	if md == nil {
		return nil, nil
	}
	s, ok := md.Annotations[ServesAnnotation]
	if !ok {
		return nil, nil
	}
	out := map[string]string{}
	for _, f := range strings.Fields(s) {
		v, app, ok := strings.Cut(f, "=")
		if _, err := semver.StrictNewVersion(v); !ok || err != nil || app == "" || strings.Contains(app, "=") {
			return nil, fmt.Errorf("annotation %s: %q is not VERSION=APPVERSION with a semantic version (e.g. 1.5.0=7.3.6)", ServesAnnotation, f)
		}
		if _, dup := out[v]; dup || v == md.Version {
			return nil, fmt.Errorf("annotation %s: version %s is listed twice (or is the chart's own version)", ServesAnnotation, v)
		}
		out[v] = app
	}
	return out, nil
}
