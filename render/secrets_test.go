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
