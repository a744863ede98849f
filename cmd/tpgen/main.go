// Command tpgen renders site profiles, through the platform module each
// selects, into Kubernetes manifests for GitOps. See README.md.
package main

import (
	"os"

	"github.com/tpgen/tpgen/internal/cli"
)

func main() { os.Exit(cli.Main()) }
