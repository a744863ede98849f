package render_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
)

// TestSecretExamples renders each example of examples/secrets/ (its
// profile fields added to a site with SMTP credentials, its overlay and
// files beside it): the Secret the chart renders from the SMTP login,
// thingpark-enterprise-smtp, is delivered (an ExternalSecret, a
// SealedSecret of the overlay, the encrypted file), so `tpgen secrets`
// lists neither it nor the profile's reference, and the tree holds no
// marker.
func TestSecretExamples(t *testing.T) {
	tests := []struct {
		dir string
		// kind delivers thingpark-enterprise-smtp in the tree.
		kind string
	}{
		{dir: "external-secrets", kind: "ExternalSecret"},
		{dir: "sealed-secrets", kind: "SealedSecret"},
		{dir: "sops", kind: "Secret"},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			src := filepath.Join("..", "examples", "secrets", tt.dir)
			dir := t.TempDir()
			require.NoError(t, os.CopyFS(dir, os.DirFS(src)))
			extra, err := os.ReadFile(filepath.Join(src, "profile.yaml"))
			require.NoError(t, err)
			base, err := os.ReadFile(writeBase(t, `smtp: {server: smtp.example.net, port: 587, security: starttls, from: noreply@example.net, credentials: {secretRef: {name: tpe-smtp}}}`))
			require.NoError(t, err)
			p := filepath.Join(dir, "site.yaml")
			require.NoError(t, os.WriteFile(p, append(base, extra...), 0o644))
			got, err := render.Secrets(context.Background(), render.Options{
				Paths: []string{p}, Jobs: 1,
			})
			require.NoError(t, err)
			require.Len(t, got, 1)
			for _, s := range got[0].Secrets {
				require.NotEqual(t, "thingpark-enterprise-smtp", s.Name, "delivered by the %s workflow", tt.dir)
				require.NotEqual(t, "tpe-smtp", s.Name, "the profile's reference feeds a marker")
			}
			res, err := render.Run(context.Background(), render.Options{Paths: []string{p}, Jobs: 1})
			require.NoError(t, err)
			found := false
			for _, f := range res.Sites[0].Files {
				require.NotContains(t, string(f.Data), "tpgen-secret", f.Path)
				if strings.Contains(string(f.Data), "\nkind: "+tt.kind+"\n") && strings.Contains(string(f.Data), "name: thingpark-enterprise-smtp\n") {
					found = true
				}
			}
			require.True(t, found, "a %s thingpark-enterprise-smtp in the tree", tt.kind)
		})
	}
}

// TestChartLeakingASecretIsRefused: a chart in charts.path that copies the
// installation id (a marker) into a ConfigMap and hashes its Secret into a
// checksum annotation is refused, naming the chart, template, object and
// field; nothing reaches the tree.
func TestChartLeakingASecretIsRefused(t *testing.T) {
	dir := t.TempDir()
	charts := filepath.Join("..", "modules", "thingpark-enterprise", "charts")
	for _, c := range []string{"thingpark-enterprise", "thingpark-common"} {
		require.NoError(t, os.CopyFS(filepath.Join(dir, "charts", c), os.DirFS(filepath.Join(charts, c))))
	}
	leak := `apiVersion: v1
kind: ConfigMap
metadata:
  name: leak
  annotations:
    checksum/secret: {{ include (print $.Template.BasePath "/secrets.yaml") . | sha256sum }}
data:
  id: {{ .Values.global.installationId | quote }}
`
	require.NoError(t, os.WriteFile(filepath.Join(dir, "charts", "thingpark-enterprise", "templates", "leak.yaml"), []byte(leak), 0o644))
	base, err := os.ReadFile(writeBase(t))
	require.NoError(t, err)
	p := filepath.Join(dir, "site.yaml")
	require.NoError(t, os.WriteFile(p, append(base, []byte("charts: {path: ./charts}\n")...), 0o644))
	_, err = render.Run(context.Background(), render.Options{Paths: []string{p}, Jobs: 1})
	require.Error(t, err)
	msg := err.Error()
	for _, want := range []string{
		"component enterprise: 2 secret value(s) used outside a Secret's data:",
		"\n  chart thingpark-enterprise@1.4.1 templates/leak.yaml: ConfigMap/leak: data.id: a secret marker outside a Secret's data",
		"\n  chart thingpark-enterprise@1.4.1 templates/leak.yaml: ConfigMap/leak: metadata.annotations.checksum/secret: derived from a secret value",
		"\nhint: a value the profile gives by reference may reach only a Secret's data or stringData",
	} {
		require.Contains(t, msg, want)
	}
	require.NotContains(t, msg, "tpgen-secret:tpe-installation")
}
