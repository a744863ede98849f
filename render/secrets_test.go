package render_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
)

// TestSecretExamples renders each example of examples/secrets/ (its
// profile fields added to a site that references Secret tpe-smtp, its
// overlay beside it; the site named after the example) and checks what
// `tpgen secrets` says of tpe-smtp. The examples are one fleet, rendered
// once.
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
	base := withOverrides(`smtp: {server: smtp.example.net, port: 587, security: starttls, from: noreply@example.net, credentials: {secretRef: {name: tpe-smtp}}}`)
	var paths []string
	for _, tt := range tests {
		src := filepath.Join("..", "examples", "secrets", tt.dir)
		dir := filepath.Join(t.TempDir(), tt.dir)
		require.NoError(t, os.CopyFS(dir, os.DirFS(src)))
		extra, err := os.ReadFile(filepath.Join(src, "profile.yaml"))
		require.NoError(t, err)
		p := filepath.Join(dir, "site.yaml")
		named := strings.Replace(base, "name: factsite\n", "name: "+tt.dir+"\n", 1)
		require.NoError(t, os.WriteFile(p, append([]byte(named), extra...), 0o644))
		paths = append(paths, p)
	}
	all, err := render.Secrets(context.Background(), render.Options{
		Paths: paths, Jobs: runtime.GOMAXPROCS(0),
	})
	require.NoError(t, err)
	require.Len(t, all, len(tests))
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			i := slices.IndexFunc(all, func(s render.SiteSecrets) bool { return s.Site == tt.dir })
			require.GreaterOrEqual(t, i, 0, "no site %s", tt.dir)
			var uses []string
			for _, s := range all[i].Secrets {
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
