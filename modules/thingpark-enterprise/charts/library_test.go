package charts_test

import (
	"bytes"
	"io/fs"
	"os"
	"path"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"

	"github.com/tpgen/tpgen/render/chartsource"
	"github.com/tpgen/tpgen/render/helm"
)

// library is the one copy of the shared templates; every other chart
// declares it as `repository: file://../thingpark-common`.
const library = "thingpark-common"

// TestLibraryResolves loads every embedded chart as the pipeline does and
// checks that its file:// dependency is the library, attached once with
// the library's own files, and that the chart renders with it (every
// object labelled by the library's tpc.labels).
func TestLibraryResolves(t *testing.T) {
	chartsFS := os.DirFS(".") // the module's charts/, as embedded
	lib, err := fs.ReadFile(chartsFS, path.Join(library, "templates", "_labels.tpl"))
	if err != nil {
		t.Fatal(err)
	}
	// Values a chart requires beyond its values.yaml.
	required := map[string]map[string]any{
		"thingpark-enterprise": {"global": map[string]any{
			"installationId": "((tpgen-secret:tpe-installation/id))",
			"backup":         map[string]any{"s3Compat": map[string]any{"url": "https://minio.example.net", "bucket": "b", "accessKey": "((tpgen-secret:tpe-backup/accessKey))", "secretAccessKey": "((tpgen-secret:tpe-backup/secretAccessKey))"}},
		}},
	}
	src := chartsource.NewFS(chartsFS, "embedded charts")
	dirs, err := fs.Glob(chartsFS, "*/Chart.yaml")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range dirs {
		name := path.Dir(f)
		meta, err := fs.ReadFile(chartsFS, f)
		if err != nil {
			t.Fatal(err)
		}
		md, err := loader.LoadFiles([]*loader.BufferedFile{{Name: "Chart.yaml", Data: meta}})
		if err != nil {
			t.Fatal(err)
		}
		if md.Metadata.Type == "library" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			if _, err := fs.Stat(chartsFS, path.Join(name, "charts")); err == nil {
				t.Errorf("%s/charts/ exists: the library is resolved from file://../%s, not vendored", name, library)
			}
			deps := md.Metadata.Dependencies
			if len(deps) != 1 || deps[0].Name != library || deps[0].Repository != "file://../"+library {
				t.Fatalf("Chart.yaml dependencies %+v, want one: %s from file://../%s", deps, library, library)
			}
			ch, err := src.Get(name, md.Metadata.Version)
			if err != nil {
				t.Fatal(err)
			}
			var got []*chart.Chart
			for _, d := range ch.Dependencies() {
				if d.Name() == library {
					got = append(got, d)
				}
			}
			if len(got) != 1 || len(ch.Dependencies()) != 1 {
				t.Fatalf("dependencies %d (%d of them %s), want the library once", len(ch.Dependencies()), len(got), library)
			}
			found := false
			for _, tpl := range got[0].Templates {
				found = found || (tpl.Name == "templates/_labels.tpl" && bytes.Equal(tpl.Data, lib))
			}
			if !found {
				t.Errorf("the attached %s lacks %s/templates/_labels.tpl", library, library)
			}
			objs, err := helm.Render(ch, helm.Options{Release: "r", Namespace: "ns", KubeVersion: "1.27", Values: required[name]})
			if err != nil {
				t.Fatal(err)
			}
			if len(objs) == 0 {
				t.Fatal("rendered no object")
			}
			for _, o := range objs {
				md, _ := o.Doc["metadata"].(map[string]any)
				labels, _ := md["labels"].(map[string]any)
				if want := name + "-" + ch.Metadata.Version; labels["helm.sh/chart"] != want {
					t.Errorf("%s: label helm.sh/chart %v, want %s (from tpc.labels)", o.Source, labels["helm.sh/chart"], want)
				}
			}
		})
	}
	if n != 5 {
		t.Errorf("found %d charts using %s, want 5", n, library)
	}
}
