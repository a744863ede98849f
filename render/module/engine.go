package module

import (
	_ "embed"
	"strings"
)

// EngineFile is the name of the engine's CUE file in a module's package.
const EngineFile = "tpgen.engine.cue"

//go:embed tpgen.engine.cue
var engineCUE string

// EngineCUE returns the engine's CUE file with the package clause pkg (the
// module's package name) prepended.
func EngineCUE(pkg string) []byte {
	return []byte("package " + pkg + "\n\n" + engineCUE)
}

// EngineSource returns the engine's CUE file as it is embedded, without a
// package clause (`tpgen schema` prints it).
func EngineSource() string { return strings.TrimLeft(engineCUE, "\n") }
