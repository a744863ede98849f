package render_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
)

// TestSecretExamples renders each example of examples/secrets/ (its
// profile fields added to a site that references Secret tpe-smtp, its
// overlay beside it) and checks what `tpgen secrets` says of tpe-smtp.
func TestSecretExamples(t *testing.T) {
	tests := []struct {
		dir string
		// delivered: tpe-smtp is made by an object of the site; else it is
		// listed, its first use being the field named.
		delivered bool
		field     string
	}{
		{dir: "external-secrets", delivered: true},
		{dir: "sealed-secrets", delivered: true},
		{dir: "sops", field: "provided.secrets[0]"},
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
			var uses []string
			for _, s := range got[0].Secrets {
				if s.Name == "tpe-smtp" {
					for _, u := range s.Uses {
						uses = append(uses, u.Field)
					}
					require.Equal(t, []string{"password", "user"}, s.Keys)
				}
			}
			if tt.delivered {
				require.Empty(t, uses, "tpe-smtp is delivered by the overlay")
				return
			}
			require.Contains(t, uses, tt.field)
		})
	}
}
