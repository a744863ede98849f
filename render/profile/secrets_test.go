package profile

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// planted is the secret value the cases below put where it does not
// belong; no diagnostic may repeat it, in text or JSON.
const planted = "SuperSecretPass1"

type profileCase struct {
	name  string
	base  string
	edits []edit
	want  []wantDiag
}

func runProfileCases(t *testing.T, tests []profileCase) {
	t.Helper()
	l := newTestLoader(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFiles(t, dir, map[string]string{"site.yaml": variant(t, tc.base, tc.edits...)})
			_, err := l.Load(Source{File: filepath.Join(dir, "site.yaml")})
			got := asDiags(t, err)
			if d := diffDiags(dir, "site.yaml", got, tc.want); d != "" {
				t.Errorf("diagnostics (-want +got):\n%s\ngot:\n%v", d, got)
			}
			j, _ := json.Marshal(got)
			for _, out := range []string{got.Error(), string(j)} {
				if strings.Contains(out, planted) || strings.Contains(out, "hunter2") || strings.Contains(out, "86753091") {
					t.Errorf("a diagnostic repeats the secret value:\n%s", out)
				}
			}
		})
	}
}

const refShape = "a secret value is not accepted here: want {secretRef: {name: ..., key: ...}}"

// Item 6 of issue 10: a value where a Secret reference belongs, or under
// a credential name, is refused with the shape expected, never echoed.
func TestSecretValuesAreNeverEchoed(t *testing.T) {
	smtpRef := "  credentials:\n    secretRef: {name: tpe-smtp}\n"
	runProfileCases(t, []profileCase{
		{name: "smtp.credentials as a string", base: eksBase, edits: []edit{{smtpRef, "  credentials: " + planted + "\n"}},
			want: []wantDiag{{Path: "smtp.credentials", Line: 32, Column: 16, Message: refShape, Hint: "a Secret reference"}}},
		{name: "smtp.credentials.secretRef as a string", base: eksBase, edits: []edit{{"secretRef: {name: tpe-smtp}", "secretRef: " + planted}},
			want: []wantDiag{{Path: "smtp.credentials.secretRef", Line: 33, Column: 16, Message: refShape}}},
		{name: "a secret as the Secret's name", base: eksBase, edits: []edit{{"secretRef: {name: tpe-smtp}", "secretRef: {name: " + planted + "}"}},
			want: []wantDiag{{Path: "smtp.credentials.secretRef.name", Line: 33, Column: 23, Message: "invalid value (not shown: a secret reference holds names only)", Hint: "the name of a Secret"}}},
		{name: "a secret as the Secret's key", base: eksBase, edits: []edit{{"{name: tpe-oidc, key: secret}", "{name: tpe-oidc, key: \"" + planted + " !\"}"}},
			want: []wantDiag{{Path: "oidc.clientSecret.secretRef.key", Line: 38, Column: 38, Message: "invalid value (not shown: a secret reference holds names only)", Hint: "a key of the Secret"}}},
		{name: "installationId as a number", base: eksBase, edits: []edit{{"installationId:\n  secretRef: {name: tpe-installation, key: id}\n", "installationId: 8675309\n"}},
			want: []wantDiag{{Path: "installationId", Line: 12, Column: 17, Message: refShape}}},
		{name: "flux gitops.credentials as a string", base: aksBase, edits: []edit{{`deploy.git"}`, `deploy.git", credentials: ` + planted + `}`}},
			want: []wantDiag{{Path: "gitops.credentials", Line: 23, Column: 95, Message: "a secret value is not accepted here: want {secretRef: {name: ...}}"}}},
		{name: "tls.external as a string", base: aksBase, edits: []edit{{"external: {secretRef: {name: tpe-paris-tls}}", "external: " + planted}},
			want: []wantDiag{{Path: "tls.external", Line: 12, Column: 13, Message: "a secret value is not accepted here: want {secretRef: {name: ...}}"}}},
		{name: "backup.azure.clientSecret as a string", base: aksBase, edits: []edit{{"clientSecret: {secretRef: {name: tpe-backup-sp, key: client-secret}}", "clientSecret: " + planted}},
			want: []wantDiag{{Path: "backup.azure.clientSecret", Line: 22, Column: 19, Message: refShape}}},
		{name: "smtp.password by name", base: eksBase, edits: []edit{{"    secretRef: {name: tpe-smtp}\n", "    secretRef: {name: tpe-smtp}\n  password: " + planted + "\n"}},
			want: []wantDiag{{Path: "smtp.password", Line: 34, Column: 3, Message: `inline secret values are not allowed ("password" is named like a credential and holds a literal value)`, Hint: "reference a Kubernetes Secret"}}},
		{name: "a secret as a field name of a Secret reference", base: eksBase, edits: []edit{{"secretRef: {name: tpe-installation, key: id}", "secretRef: {name: tpe-installation, key: id}\n  " + planted + ": x"}},
			want: []wantDiag{{Path: "installationId.<a field not shown>", Line: 14, Column: 3, Message: "field not allowed"}}},
		{name: "a random key where a name belongs", base: eksBase, edits: []edit{{"namespace: thingpark-enterprise", "namespace: Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MEFC" + planted}},
			want: []wantDiag{{Path: "namespace", Line: 6, Column: 12, Message: "invalid value (not shown: it looks like a secret) (out of bound", Hint: "a DNS-1123 label; restores need the same namespace name"}}},
		{name: "a random key where a bucket belongs", base: eksBase, edits: []edit{{"bucket: tpe-lyon-backup", "bucket: \"wJalrXUtnFEMI/K7MDENG/bPxRfiCY" + planted + "\""}},
			want: []wantDiag{{Path: "backup.amazon.bucket", Line: 25, Column: 13, Message: "invalid value (not shown: it looks like a secret) (out of bound"}}},
		{name: "a GitHub token where a name belongs", base: eksBase, edits: []edit{{"namespace: thingpark-enterprise", "namespace: ghp_0123456789abcdefABCDEF0123456789" + planted}},
			want: []wantDiag{{Path: "namespace", Line: 6, Column: 12, Message: "inline secret values are not allowed (holds an API token of a known service (by its prefix))"}}},
		{name: "a top-level token by name", base: eksBase, edits: []edit{{"basicsStation: false\n", "basicsStation: false\ntoken: " + planted + "\n"}},
			want: []wantDiag{{Path: "token", Line: 42, Column: 1, Message: `inline secret values are not allowed ("token" is named like a credential`}}},
	})
}

// Item 5 of issue 10: no profile field takes a URL with credentials, a
// credential-named annotation or parameter, or a private key.
func TestSecretValuesAreRefused(t *testing.T) {
	url := "inline secret values are not allowed (holds a URL with credentials in its userinfo (https:"
	pem := `-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----\n`
	lb := func(annotations string) []edit {
		return []edit{{"overlay: ./overlays/lyon\n", "overlay: ./overlays/lyon\nloadBalancer: {annotations: {" + annotations + "}}\n"}}
	}
	runProfileCases(t, []profileCase{
		{name: "gitops.repoURL with a token", base: eksBase, edits: []edit{{"repoURL: https://git", "repoURL: https://ghp_0123456789abcdefhunter2@git"}},
			want: []wantDiag{{Path: "gitops.repoURL", Line: 44, Column: 12, Message: url, Hint: "Argo CD takes them from a repository Secret, Flux from the Secret named by gitops.credentials.secretRef"}}},
		{name: "gitops.repoURL with a login only, over https", base: eksBase, edits: []edit{{"repoURL: https://git", "repoURL: https://deploy@git"}},
			want: []wantDiag{{Path: "gitops.repoURL", Line: 44, Column: 12, Message: url}}},
		{name: "gitops.repoURL over ssh with a password", base: aksBase, edits: []edit{{"ssh://git@git", "ssh://git:hunter2@git"}},
			want: []wantDiag{{Path: "gitops.repoURL", Line: 23, Column: 33, Message: "inline secret values are not allowed (holds a URL with credentials in its userinfo (ssh:"}}},
		{name: "tls.acmeServer with userinfo", base: eksBase, edits: []edit{{"  acmeEmail: ops@example.net\n", "  acmeEmail: ops@example.net\n  acmeServer: https://acct:hunter2@acme.example.net/directory\n"}},
			want: []wantDiag{{Path: "tls.acmeServer", Line: 22, Column: 15, Message: url, Hint: "ACME directory URL without credentials"}}},
		{name: "oidc.issuer with userinfo", base: eksBase, edits: []edit{{"issuer: https://idp", "issuer: https://admin:hunter2@idp"}},
			want: []wantDiag{{Path: "oidc.issuer", Line: 35, Column: 11, Message: url, Hint: "oidc.clientSecret.secretRef"}}},
		{name: "backup.s3Compat.url with userinfo", base: genericBase, edits: []edit{{"url: https://minio", "url: https://minio:hunter2@minio"}},
			want: []wantDiag{{Path: "backup.s3Compat.url", Line: 16, Column: 10, Message: url, Hint: "backup.s3Compat.credentials.secretRef"}}},
		{name: "gitops.destination.server with userinfo", base: genericBase, edits: []edit{{"edge.git}", "edge.git, destination: {server: \"https://admin:hunter2@k8s.example.com\"}}"}},
			want: []wantDiag{{Path: "gitops.destination.server", Line: 20, Column: 91, Message: url}}},
		{name: "a credential-named load balancer annotation", base: eksBase, edits: lb("example.com/api-token: hunter2"),
			want: []wantDiag{{Path: "loadBalancer.annotations.example.com/api-token", Line: 48, Column: 30, Message: `inline secret values are not allowed ("example.com/api-token" is named like a credential`, Hint: "annotations are committed to Git"}}},
		{name: "a private key in a load balancer annotation", base: eksBase, edits: lb(`example.com/cert: "` + pem + `"`),
			want: []wantDiag{{Path: "loadBalancer.annotations.example.com/cert", Line: 48, Column: 48, Message: "inline secret values are not allowed (holds a private key)"}}},
		{name: "a URL with a password in a load balancer annotation", base: eksBase, edits: lb(`example.com/hook: "https://u:hunter2@hooks.example.net/x"`),
			want: []wantDiag{{Path: "loadBalancer.annotations.example.com/hook", Line: 48, Column: 48, Message: url}}},
		{name: "ordinary load balancer annotations pass", base: eksBase, edits: lb("external-dns.alpha.kubernetes.io/hostname: tpe.lyon.example.net, service.beta.kubernetes.io/aws-load-balancer-ssl-cert: arn-cert")},
		{name: "a password among the storage parameters", base: genericBase, edits: []edit{{"parameters: {pool: tpe}", "parameters: {pool: tpe, userPassword: hunter2}"}},
			want: []wantDiag{{Path: "storage.parameters.userPassword", Line: 12, Column: 27, Message: `inline secret values are not allowed ("userPassword" is named like a credential`}}},
		{name: "user:password@ without a scheme where a host name belongs", base: eksBase, edits: []edit{{"dnsHostname: tpe.lyon.example.net", "dnsHostname: \"ops:hunter2@tpe.lyon.example.net\""}},
			want: []wantDiag{{Path: "dnsHostname", Line: 7, Column: 14, Message: "inline secret values are not allowed (holds credentials in a user:password@host address)"}}},
		{name: "a scp-like Git URL with a password", base: eksBase, edits: []edit{{"repoURL: https://git.example.net/platform/deploy.git", "repoURL: \"git:hunter2@git.example.net:platform/deploy.git\""}},
			want: []wantDiag{{Path: "gitops.repoURL", Line: 44, Column: 12, Message: "inline secret values are not allowed (holds credentials in a user:password@host address)", Hint: "write the URL without credentials"}}},
		{name: "a number under a credential name among the storage parameters", base: genericBase, edits: []edit{{"parameters: {pool: tpe}", "parameters: {pool: tpe, adminPassword: 86753091}"}},
			want: []wantDiag{{Path: "storage.parameters.adminPassword", Line: 12, Column: 42, Message: "conflicting values (not shown: it looks like a secret) and string (mismatched types int and string)"}}},
		{name: "a number under a credential-named load balancer annotation", base: eksBase, edits: lb("example.com/token: 86753091"),
			want: []wantDiag{{Path: `loadBalancer.annotations."example.com/token"`, Line: 48, Column: 49, Message: "conflicting values (not shown: it looks like a secret) and string (mismatched types int and string)"}}},
		{name: "a Secret reference among the storage parameters passes", base: genericBase, edits: []edit{{"parameters: {pool: tpe}", "parameters: {pool: tpe, csi.storage.k8s.io/provisioner-secret-name: ceph-admin}"}}},
	})
}

// Item 5 of issue 10: checks that protect secrets and the cluster
// cannot be waived; the schema says which and why.
func TestUnwaivableChecks(t *testing.T) {
	waive := func(id string) []edit {
		return []edit{{"overlay: ./overlays/lyon\n", "overlay: ./overlays/lyon\npolicy:\n  waivers:\n  - {id: " + id + ", reason: needed}\n"}}
	}
	runProfileCases(t, []profileCase{
		{name: "secret-data", base: eksBase, edits: waive("secret-data"),
			want: []wantDiag{{Path: "policy.waivers[0].id", Line: 50, Column: 6, Message: "secret-data cannot be waived: a Secret's data would be committed to Git", Hint: "a policy check id"}}},
		{name: "credential-in-config", base: eksBase, edits: waive("credential-in-config"),
			want: []wantDiag{{Path: "policy.waivers[0].id", Line: 50, Column: 6, Message: "credential-in-config cannot be waived: the credential would be committed to Git"}}},
		{name: "cluster-tier", base: eksBase, edits: waive("cluster-tier"),
			want: []wantDiag{{Path: "policy.waivers[0].id", Line: 50, Column: 6, Message: "cluster-tier cannot be waived: cluster-scoped objects are applied by a cluster admin from the cluster directory only", Hint: "a policy check id: pod-resources, pod-priority-class, image-pinned, privileged, host-path, host-namespaces, load-balancer-ports, network-policy"}}},
		{name: "site-namespace", base: eksBase, edits: waive("site-namespace"),
			want: []wantDiag{{Path: "policy.waivers[0].id", Line: 50, Column: 6, Message: "site-namespace cannot be waived: a site's components may only write into the namespaces its plan declares", Hint: "a policy check id: pod-resources, pod-priority-class, image-pinned, privileged, host-path, host-namespaces, load-balancer-ports, network-policy"}}},
		{name: "a waivable check", base: eksBase, edits: waive("host-path")},
	})
}

// Item 9 of issue 10: independent defects are all reported, each at its
// position, in one run.
func TestEveryIndependentError(t *testing.T) {
	s3 := "  s3Compat:\n    url: https://minio.example.com\n    bucket: tpe-austin\n    credentials: {secretRef: {name: tpe-backup-minio}}\n"
	amazon := "  amazon: {bucket: tpe-austin, region: us-east-1}\n"
	noProvisioner := edit{"  provisioner: rbd.csi.ceph.com\n", ""}
	provisioner := wantDiag{Path: "storage.provisioner", Line: 10, Column: 1, Message: "field is required but not present", Hint: "(CSI driver) name"}
	runProfileCases(t, []profileCase{
		{name: "generic without a provisioner, and an amazon backup", base: genericBase, edits: []edit{noProvisioner, {s3, amazon}},
			want: []wantDiag{provisioner, {Path: "backup.amazon", Line: 14, Column: 3, Message: "backup.amazon needs hosting eks; use s3Compat on generic"}}},
		{name: "and an external TLS issuer without its Secret", base: genericBase, edits: []edit{noProvisioner, {s3, amazon}, {"tls: {issuer: selfSigned}", "tls: {issuer: external}"}},
			want: []wantDiag{provisioner, {Path: "tls.external", Line: 12, Column: 1, Message: "field is required but not present", Hint: "external: {secretRef: {name:"},
				{Path: "backup.amazon", Line: 14, Column: 3, Message: "backup.amazon needs hosting eks"}}},
		{name: "and a selfHeal on Flux", base: genericBase, edits: []edit{noProvisioner, {s3, amazon}, {"engine: argocd", "engine: flux"}, {"edge.git}", "edge.git, selfHeal: true}"}},
			want: []wantDiag{provisioner, {Path: "backup.amazon", Line: 14, Column: 3, Message: "backup.amazon needs hosting eks"},
				{Path: "gitops.selfHeal", Line: 16, Column: 67, Message: "gitops.selfHeal is an Argo CD option"}}},
		{name: "a missing field, and a field letsencrypt requires", base: eksBase, edits: []edit{{"dnsHostname: tpe.lyon.example.net\n", ""}, {"  acmeEmail: ops@example.net\n", ""}},
			want: []wantDiag{{Path: "dnsHostname", Line: 1, Column: 1, Message: "field is required but not present"},
				{Path: "tls.acmeEmail", Line: 18, Column: 1, Message: "field is required but not present", Hint: "letsencrypt only"}}},
		{name: "a provisioner on eks, and an azure backup", base: eksBase, edits: []edit{{"storage: {}", "storage: {provisioner: ebs.csi.aws.com}"}, {"  amazon:\n    bucket: tpe-lyon-backup\n    region: eu-west-3\n", strings.SplitN(strings.SplitN(aksBase, "backup:\n", 2)[1], "gitops:", 2)[0]}},
			want: []wantDiag{{Path: "storage.provisioner", Line: 14, Column: 11, Message: "storage.provisioner is fixed by hosting eks"},
				{Path: "backup.azure", Line: 24, Column: 3, Message: "backup.azure needs hosting aks"}}},
		{name: "an unknown field beside a wrong value in a list item", base: eksBase, edits: []edit{{"overlay: ./overlays/lyon\n", "overlay: ./overlays/lyon\nconnectors:\n- {name: iot, protocol: ftp, host: iot.example.net, tls: true}\n"}},
			want: []wantDiag{{Path: "connectors[0].protocol", Line: 49, Column: 25, Message: `"ftp" is not allowed: want one of "amqp", "amqps", "https", "mqtt", "mqtt-wss", "mqtts"`, Hint: "one of mqtt, mqtts, mqtt-wss, amqp, amqps, https"},
				{Path: "connectors[0].tls", Line: 49, Column: 53, Message: "field not allowed", Hint: "allowed fields: name, protocol, host, port"}}},
		{name: "a rule of the defaulted profile, and an amazon backup on generic", base: genericBase, edits: []edit{{s3, amazon}, {"basicsStation: true\n", "basicsStation: true\npriorityClasses: {data: {value: 2000000}}\n"}},
			want: []wantDiag{{Path: "backup.amazon", Line: 15, Column: 3, Message: "backup.amazon needs hosting eks"},
				{Path: "priorityClasses.data.value", Line: 17, Column: 26, Message: "must be lower than priorityClasses.dataPath.value"}}},
	})
}

// Item 6 of issue 10: a fleet defaults.cue that conflicts with itself is
// reported before any schema applies; its message does not repeat a
// URL with credentials either.
func TestDefaultsConflictDoesNotEchoSecrets(t *testing.T) {
	l := newTestLoader(t)
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"defaults.cue": fleetDefaults + "gitops: repoURL: \"https://ci:" + planted + "@git.example.net/platform/deploy.git\"\n",
		"lyon.yaml":    eksBase,
	})
	srcs, err := Discover([]string{dir})
	if err != nil || len(srcs) != 1 {
		t.Fatalf("Discover: %v, %d sources", err, len(srcs))
	}
	_, err = l.Load(srcs[0])
	got := asDiags(t, err)
	j, _ := json.Marshal(got)
	for _, out := range []string{got.Error(), string(j)} {
		if strings.Contains(out, planted) {
			t.Errorf("a diagnostic repeats the secret value:\n%s", out)
		}
	}
	if len(got) != 1 || got[0].Path != "gitops.repoURL" || got[0].Message != `conflicting values (not shown: it looks like a secret) and "https://git.example.net/platform/deploy.git"` {
		t.Errorf("got %v", got)
	}
}
