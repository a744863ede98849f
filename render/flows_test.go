package render_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render/flows"
	"github.com/tpgen/tpgen/render/review"
)

// flowsWith computes the flows of baseProfile with overrides.
func flowsWith(t *testing.T, overrides ...string) []flows.Flow {
	t.Helper()
	set, err := review.Flows(review.FlowOptions{Paths: []string{writeBase(t, overrides...)}})
	require.NoError(t, err)
	return set.Flows
}

// pick renders the flows that match dir and from as "PROTO/port service".
func pick(fl []flows.Flow, dir, from string) []string {
	var out []string
	for _, f := range fl {
		if f.Direction == dir && f.From == from {
			out = append(out, fmt.Sprintf("%s/%d %s", f.Protocol, f.Port, f.Service))
		}
	}
	return out
}

// FACTS §3: the ports base stations reach per security mode, with and
// without Basics Station; users and application servers reach 443. The
// flows read the ingress controller's tcp values, which
// TestFactsPortsPerSecurityMode checks against the rendered load balancer.
func TestFlowsPerSecurityModeMatchFacts(t *testing.T) {
	const (
		ssh     = "TCP/2022 SSH v2"
		lrc1TLS = "TCP/3001 IEC-104+TLS"
		sftpTLS = "TCP/3002 SFTP+TLS"
		lrc2TLS = "TCP/3101 IEC-104+TLS"
		lrc1    = "TCP/2404 IEC-104 (clear)"
		lrc2    = "TCP/2504 IEC-104 (clear)"
		sftp    = "TCP/3102 SFTP (clear)"
		lns     = "TCP/4443 Basics Station LNS (WebSocket+TLS)"
	)
	tests := []struct {
		mode          string
		basicsStation bool
		want          []string
	}{
		{mode: "DISABLE", want: []string{ssh, lrc1, lrc2, sftp}},
		{mode: "DISABLE", basicsStation: true, want: []string{ssh, lrc1, lrc2, sftp, lns}},
		{mode: "IPSEC_X509", want: []string{ssh, lrc1TLS, sftpTLS, lrc2TLS}},
		{mode: "IPSEC_X509", basicsStation: true, want: []string{ssh, lrc1TLS, sftpTLS, lrc2TLS, lns}},
		{mode: "MIXED", want: []string{ssh, lrc1, lrc2, lrc1TLS, sftpTLS, lrc2TLS, sftp}},
		{mode: "MIXED", basicsStation: true, want: []string{ssh, lrc1, lrc2, lrc1TLS, sftpTLS, lrc2TLS, sftp, lns}},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprintf("%s basicsStation=%v", tc.mode, tc.basicsStation), func(t *testing.T) {
			fl := flowsWith(t, "bsSecurity: "+tc.mode, fmt.Sprintf("basicsStation: %v", tc.basicsStation))
			if d := cmp.Diff(tc.want, pick(fl, "inbound", "base stations")); d != "" {
				t.Errorf("base stations (-want +got)\n%s", d)
			}
			require.Equal(t, []string{"TCP/443 HTTPS (TLS 1.2)"}, pick(fl, "inbound", "users"))
			require.Equal(t, []string{"TCP/443 HTTPS (TLS 1.2)"}, pick(fl, "inbound", "application servers"))
			for _, f := range fl {
				if f.Direction == "inbound" {
					require.Equal(t, "tpe.facts.example.net (ingress load balancer)", f.To)
				}
			}
		})
	}
}

// Outbound flows come from the profile: SMTP, OIDC, ACME, the backup back
// end, the GitOps repository and the connectors (FACTS §3, §8).
func TestFlowsOutbound(t *testing.T) {
	outbound := func(fl []flows.Flow) []string {
		var out []string
		for _, f := range fl {
			if f.Direction == "outbound" && !strings.Contains(f.Purpose, "images") {
				out = append(out, fmt.Sprintf("%s %s:%d %s", f.From, f.To, f.Port, f.Service))
			}
		}
		return out
	}
	tests := []struct {
		name      string
		overrides []string
		want      []string
	}{
		{name: "minimal amazon, argocd", want: []string{
			"Argo CD git.example.net:443 HTTPS",
			"cluster s3.eu-west-3.amazonaws.com:443 HTTPS",
			"cluster tpe-facts-backup.s3.eu-west-3.amazonaws.com:443 HTTPS",
		}},
		{name: "smtp, oidc, letsencrypt, flux over ssh", overrides: []string{
			"smtp: {server: smtp.example.net, port: 465, security: ssl, from: noreply@example.net}",
			"oidc: {issuer: 'https://idp.example.net:8443/realms/tpe', clientId: tpe, clientSecret: {secretRef: {name: oidc, key: s}}}",
			"tls: {issuer: letsencrypt, acmeEmail: ops@example.net}",
			"gitops: {engine: flux, repoURL: 'ssh://git@git.example.net:2222/platform/deploy.git'}",
		}, want: []string{
			"cluster acme-v02.api.letsencrypt.org:443 HTTPS",
			"cluster git.example.net:2222 SSH (Git)",
			"cluster idp.example.net:8443 HTTPS",
			"cluster s3.eu-west-3.amazonaws.com:443 HTTPS",
			"cluster smtp.example.net:465 SMTPS",
			"cluster tpe-facts-backup.s3.eu-west-3.amazonaws.com:443 HTTPS",
		}},
		{name: "azure backup, scp-style argocd repository", overrides: []string{
			"hosting: aks",
			"backup: {azure: {resourceGroup: rg, storageAccount: tpebackup, blobContainer: tpe-backup, cloudName: AzureChinaCloud, subscriptionId: 00000000-0000-0000-0000-000000000001, tenantId: 00000000-0000-0000-0000-000000000002, clientId: 00000000-0000-0000-0000-000000000003, clientSecret: {secretRef: {name: tpe-backup}}}}",
			"gitops: {engine: argocd, repoURL: 'git@git.example.net:platform/deploy.git'}",
		}, want: []string{
			"Argo CD git.example.net:22 SSH (Git)",
			"cluster login.chinacloudapi.cn:443 HTTPS",
			"cluster tpebackup.blob.core.chinacloudapi.cn:443 HTTPS",
		}},
		{name: "s3Compat over http with a port, connectors", overrides: []string{
			"hosting: generic", "storage: {provisioner: rancher.io/local-path}",
			"backup: {s3Compat: {url: 'http://minio.example.net:9000/tpe', bucket: tpe, credentials: {secretRef: {name: minio}}}}",
			"connectors: [{name: aws, protocol: mqtts, host: a1.iot.eu-west-1.amazonaws.com}, {name: hub, protocol: amqps, host: hub.servicebus.windows.net}, {name: ws, protocol: mqtt-wss, host: ws.example.net}, {name: app, protocol: https, host: app.example.net, port: 8443}, {name: plain, protocol: mqtt, host: 10.0.0.5}, {name: bus, protocol: amqp, host: bus.example.net}]",
		}, want: []string{
			"Argo CD git.example.net:443 HTTPS",
			"cluster 10.0.0.5:1883 MQTT",
			"cluster a1.iot.eu-west-1.amazonaws.com:8883 MQTT+TLS",
			"cluster app.example.net:8443 HTTPS (TLS 1.2)",
			"cluster bus.example.net:5672 AMQP",
			"cluster hub.servicebus.windows.net:5671 AMQP+TLS",
			"cluster minio.example.net:9000 HTTP",
			"cluster ws.example.net:443 MQTT over WebSocket+TLS",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := outbound(flowsWith(t, tc.overrides...))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("outbound (-want +got)\n%s", d)
			}
		})
	}
}

// Every registry the rendered example fleet (golden/) pulls images from
// has an outbound flow: the repositories table of cue/flows.cue follows
// the charts.
func TestFlowsCoverEveryImageRegistry(t *testing.T) {
	t.Chdir("..")
	set, err := review.Flows(review.FlowOptions{Paths: []string{"profiles"}})
	require.NoError(t, err)
	registries := map[string]map[string]bool{} // site -> registries
	err = filepath.WalkDir("golden", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".yaml" {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		parts := strings.Split(filepath.ToSlash(p), "/")
		site := parts[1]
		if site == "clusters" {
			// A cluster directory's images are pulled for its sites; the
			// examples with images there are clusters named after their
			// only site.
			site = parts[2]
		}
		for _, line := range strings.Split(string(b), "\n") {
			img, ok := strings.CutPrefix(strings.TrimSpace(line), "image: ")
			if !ok {
				continue
			}
			reg, rest, _ := strings.Cut(img, "/")
			if !strings.ContainsAny(reg, ".:") || rest == "" {
				reg = "docker.io"
			}
			if registries[site] == nil {
				registries[site] = map[string]bool{}
			}
			registries[site][reg] = true
		}
		return nil
	})
	require.NoError(t, err)
	require.Len(t, registries, 8)
	for site, regs := range registries {
		for reg := range regs {
			ok := slices.ContainsFunc(set.Flows, func(f flows.Flow) bool {
				return f.Site == site && f.Direction == "outbound" && f.Port == 443 && (f.To == reg || strings.HasSuffix(f.To, "."+reg))
			})
			require.True(t, ok, "site %s: no outbound flow to registry %s", site, reg)
		}
	}
}
