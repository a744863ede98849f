// Package charts embeds tpgen's own Helm charts: the four ThingPark
// Enterprise charts and the cluster-wide tier. They are data: the pipeline
// loads them by name and version through render/chartsource.
package charts

import "embed"

// FS holds one directory per chart. The all: prefix keeps _helpers.tpl.
//
//go:embed all:thingpark-*
var FS embed.FS
