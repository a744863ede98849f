// Package testfleet generates valid site profiles for benchmarks and tests.
package testfleet

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Write writes n valid sites that share a defaults.cue, cycling
// through hostings and security modes.
func Write(tb testing.TB, dir string, n int) {
	tb.Helper()
	defaults := `release: "7.3.1"
kubernetesVersion: *"1.27" | string
lora: {ismBand: ["eu868"], netId: "000001"}
installationId: {secretRef: {name: "tpe-installation", key: "id"}}
tls: {issuer: "selfSigned"}
gitops: {engine: "argocd", repoURL: "https://git.example.net/platform/deploy.git", path: "sites"}
`
	if err := os.WriteFile(filepath.Join(dir, "defaults.cue"), []byte(defaults), 0o644); err != nil {
		tb.Fatal(err)
	}
	hostings := []string{"aks", "eks", "generic"}
	modes := []string{"DISABLE", "IPSEC_X509", "MIXED"}
	for i := range n {
		h := hostings[i%3]
		var extra strings.Builder
		switch h {
		case "aks":
			extra.WriteString("backup: {azure: {resourceGroup: rg, storageAccount: tpebackup, blobContainer: tpe-backup, cloudName: AzurePublicCloud, subscriptionId: 00000000-0000-0000-0000-000000000001, tenantId: 00000000-0000-0000-0000-000000000002, clientId: 00000000-0000-0000-0000-000000000003, clientSecret: {secretRef: {name: tpe-backup}}}}\n")
		case "eks":
			extra.WriteString("backup: {amazon: {bucket: tpe-backup-x, region: eu-west-3}}\n")
		default:
			extra.WriteString("storage: {provisioner: rbd.csi.ceph.com}\nbackup: {s3Compat: {url: \"https://minio.example.net\", bucket: tpe-backup, credentials: {secretRef: {name: tpe-backup}}}}\n")
		}
		src := fmt.Sprintf("name: site-%03d\nhosting: %s\nsegment: m\ndnsHostname: tpe.site-%03d.example.net\nbsSecurity: %s\n%s", i, h, i, modes[i%3], extra.String())
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("site-%03d.yaml", i)), []byte(src), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
}
