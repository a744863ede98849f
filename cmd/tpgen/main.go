// Command tpgen renders ThingPark Enterprise site profiles into Kubernetes
// manifests for GitOps. See README.md.
package main

import (
	"os"

	"github.com/tpgen/tpgen/internal/cli"
)

func main() { os.Exit(cli.Main()) }
