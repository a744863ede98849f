package profile

import (
	"path/filepath"
	"testing"
)

// thinkubeBase is a valid profile of the built-in thinkube-core module.
const thinkubeBase = `name: lab
module: thinkube-core
kubernetesVersion: "1.33"
domain: lab.example.net
tls:
  issuer: letsencrypt
  email: ops@example.net
storageClass: microk8s-hostpath
services:
  loki: true
chartRepos:
  code-server: https://charts.example.net/thinkube
credentials:
  keycloakAdmin: {secretRef: {name: keycloak-admin, key: password}}
gitops:
  engine: flux
  repoURL: https://git.example.net/thinkube/deploy.git
`

// TestThinkubeSchema: the thinkube-core profile's rules, each error
// positioned on the user's value with its hint.
func TestThinkubeSchema(t *testing.T) {
	l := newTestLoader(t)
	tests := []struct {
		name  string
		edits []edit
		want  []wantDiag
	}{
		{name: "valid"},
		{name: "domain is an FQDN", edits: []edit{{"domain: lab.example.net", "domain: Lab_Example"}},
			want: []wantDiag{{Path: "domain", Line: 4, Column: 9, Message: `invalid value "Lab_Example"`, Hint: "a fully qualified lower-case domain name"}}},
		{name: "domain has a dot", edits: []edit{{"domain: lab.example.net", "domain: thinkube"}},
			want: []wantDiag{{Path: "domain", Line: 4, Column: 9, Message: `invalid value "thinkube"`, Hint: "a fully qualified lower-case domain name"}}},
		{name: "letsencrypt without email", edits: []edit{{"  email: ops@example.net\n", ""}},
			want: []wantDiag{{Path: "tls.email", Line: 5, Column: 1, Message: "field is required but not present", Hint: "the Let's Encrypt account e-mail (letsencrypt only; or use tls.issuer selfSigned)"}}},
		{name: "selfSigned needs no email", edits: []edit{{"  issuer: letsencrypt\n  email: ops@example.net\n", "  issuer: selfSigned\n"}}},
		{name: "email with selfSigned", edits: []edit{{"issuer: letsencrypt", "issuer: selfSigned"}},
			want: []wantDiag{{Path: "tls.email", Line: 7, Column: 3, Message: "tls.email is only used with tls.issuer letsencrypt, not selfSigned; remove it"}}},
		{name: "unknown issuer", edits: []edit{{"issuer: letsencrypt", "issuer: acme"}},
			want: []wantDiag{{Path: "tls.issuer", Line: 6, Column: 11, Message: `"acme" is not allowed`, Hint: "letsencrypt or selfSigned"}}},
		{name: "credential given as a value", edits: []edit{{"keycloakAdmin: {secretRef: {name: keycloak-admin, key: password}}", "keycloakAdmin: hunter2-is-the-password"}},
			want: []wantDiag{{Path: "credentials.keycloakAdmin", Line: 14, Column: 18, Message: "a secret value is not accepted here: want {secretRef: {name: ..., key: ...}}"}}},
		{name: "credential without key", edits: []edit{{"keycloakAdmin: {secretRef: {name: keycloak-admin, key: password}}", "keycloakAdmin: {secretRef: {name: keycloak-admin}}"}},
			want: []wantDiag{{Path: "credentials.keycloakAdmin.secretRef.key", Line: 14, Column: 19, Message: "required", Hint: "a key of the Secret"}}},
		{name: "unknown credential", edits: []edit{{"keycloakAdmin: {secretRef: {name: keycloak-admin, key: password}}", "keycloakRoot: {name: keycloak-admin, key: password}"}},
			want: []wantDiag{{Path: "credentials.keycloakRoot", Line: 14, Column: 3, Message: "field not allowed", Hint: `did you mean "keycloakAdmin"?`}}},
		{name: "unknown service", edits: []edit{{"  loki: true", "  jupyterhub: true"}},
			want: []wantDiag{{Path: "services.jupyterhub", Line: 10, Column: 3, Message: "field not allowed"}}},
		{name: "service is a bool", edits: []edit{{"  loki: true", "  loki: yes please"}},
			want: []wantDiag{{Path: "services.loki", Line: 10, Column: 9, Message: "mismatched types string and bool", Hint: "true or false"}}},
		{name: "load balancer IP", edits: []edit{{"storageClass:", "ingress:\n  primary: {loadBalancerIP: 10.0.0.300}\nstorageClass:"}},
			want: []wantDiag{{Path: "ingress.primary.loadBalancerIP", Line: 9, Column: 29, Message: "invalid value", Hint: "an IPv4 address"}}},
		{name: "code-server needs a repository", edits: []edit{{"chartRepos:\n  code-server: https://charts.example.net/thinkube\n", ""}},
			want: []wantDiag{{Path: `chartRepos."code-server"`, Line: 1, Column: 1, Message: "no Helm repository publishes the code-server chart"}}},
		{name: "a mirror serves code-server", edits: []edit{{"chartRepos:\n  code-server: https://charts.example.net/thinkube\n", "chartMirror: oci://registry.example.net/charts\n"}}},
		{name: "plain http mirror", edits: []edit{{"chartRepos:\n  code-server: https://charts.example.net/thinkube\n", "chartMirror: http://charts.example.net\n"}},
			want: []wantDiag{{Path: "chartMirror", Line: 11, Column: 14, Message: "invalid value", Hint: "an https:// Helm repository or oci://HOST/PATH"}}},
		{name: "Kubernetes below the charts' 1.29", edits: []edit{{`kubernetesVersion: "1.33"`, `kubernetesVersion: "1.28"`}},
			want: []wantDiag{{Path: "kubernetesVersion", Line: 3, Column: 20, Message: `"1.28" is not allowed`, Hint: "from 1.29 to 1.33"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"site.yaml": variant(t, thinkubeBase, tc.edits...)})
			_, err := l.Load(Source{File: filepath.Join(dir, "site.yaml")})
			if d := diffDiags(dir, "site.yaml", asDiags(t, err), tc.want); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s", d)
			}
		})
	}
}
