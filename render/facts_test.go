package render_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/object"
)

// The facts of shared/thingpark/FACTS.md that the rendered output must show,
// checked on variations of one base site.

const baseProfile = `name: factsite
release: "7.3.1"
kubernetesVersion: "1.27"
hosting: eks
segment: m
dnsHostname: tpe.facts.example.net
bsSecurity: MIXED
lora: {ismBand: [eu868], netId: "000001"}
installationId: {secretRef: {name: tpe-installation, key: id}}
tls: {issuer: selfSigned}
backup: {amazon: {bucket: tpe-facts-backup, region: eu-west-3}}
gitops: {engine: argocd, repoURL: "https://git.example.net/platform/deploy.git"}
`

// withOverrides is baseProfile with the given top-level YAML lines
// replacing (or adding) fields.
func withOverrides(overrides ...string) string {
	lines := strings.Split(strings.TrimSpace(baseProfile), "\n")
	for _, o := range overrides {
		key, _, _ := strings.Cut(o, ":")
		lines = slices.DeleteFunc(lines, func(l string) bool { return strings.HasPrefix(l, key+":") })
		lines = append(lines, o)
	}
	return strings.Join(lines, "\n") + "\n"
}

// writeBase writes baseProfile with the given top-level YAML lines
// replacing (or adding) fields, and returns the file.
func writeBase(t *testing.T, overrides ...string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "site.yaml")
	require.NoError(t, os.WriteFile(p, []byte(withOverrides(overrides...)), 0o644))
	return p
}

type site struct {
	// name is the site's name in the facts fleet.
	name string
	objs []object.Object
	tier map[string]string // object ID -> tier
	// gitops holds the engine's objects, Tier set to their directory.
	gitops []object.Object
}

// Long override lines that several tests use.
const (
	azureBackup = "backup: {azure: {resourceGroup: rg, storageAccount: tpebackup, blobContainer: tpe-backup, cloudName: AzurePublicCloud, subscriptionId: 00000000-0000-0000-0000-000000000001, tenantId: 00000000-0000-0000-0000-000000000002, clientId: 00000000-0000-0000-0000-000000000003, clientSecret: {secretRef: {name: tpe-backup}}}}"
	s3Backup    = "backup: {s3Compat: {url: \"https://minio.example.net\", bucket: tpe-backup, credentials: {secretRef: {name: tpe-backup}}}}"
	leTLS       = "tls: {issuer: letsencrypt, acmeEmail: ops@example.net}"
	externalTLS = "tls: {issuer: external, external: {secretRef: {name: my-tls}}}"
)

// factsVariants are the sites of the facts fleet: variations of
// baseProfile, rendered once, as one fleet, for the facts and GitOps
// wiring tests (a site takes seconds to render under -race). Each test
// reads, through renderWith, the first site whose profile has every line
// it asks for; the other lines of that site are ones its facts do not
// depend on, so one site serves several tests (ten sites instead of a
// render per test). The first is baseProfile itself.
var factsVariants = [][]string{
	{},
	{"bsSecurity: DISABLE", "segment: s", priorityClasses, smtpLogin, esoSecrets, esoAPIs},
	{"bsSecurity: IPSEC_X509", "segment: l", "nodeGroup: {dedicated: true, taint: true}", oidcClient, minioBackup, esoSecrets, esoAPIs},
	{"basicsStation: true", "segment: xl", "networkPolicy: true", awsBackup, argoOptions, esoSecrets, esoAPIs},
	{"bsSecurity: DISABLE", "basicsStation: true", "segment: xxl", "networkPolicy: false", fluxSSH},
	{"bsSecurity: DISABLE", leTLS, "hosting: aks", azureBackup},
	{"bsSecurity: DISABLE", externalTLS, "hosting: generic", "storage: {provisioner: rbd.csi.ceph.com}", s3Backup, fluxRevision("0123456789abcdef0123456789abcdef01234567"), esoSecrets, esoAPIs},
	{"hosting: aks", azureSPBackup, fluxRevision("refs/tags/v2024.06"), esoSecrets, esoAPIs},
	{`release: "7.3.6"`},
	{`release: "8.0.0"`},
}

// Override lines of the tests and of factsVariants.
const (
	priorityClasses = "priorityClasses: {dataPath: {name: pc-fast, value: 2000}, data: {name: pc-data, value: 1000}, others: {name: pc-rest, value: 10}}"
	smtpLogin       = "smtp: {server: smtp.example.net, port: 587, security: starttls, from: noreply@example.net, credentials: {secretRef: {name: smtp-login}}}"
	oidcClient      = "oidc: {issuer: \"https://idp.example.net/realms/tpe\", clientId: tpe, clientSecret: {secretRef: {name: oidc-client, key: secret}}}"
	minioBackup     = "backup: {s3Compat: {url: \"https://minio.example.net\", bucket: tpe-x, credentials: {secretRef: {name: minio-keys}}}}"
	awsBackup       = "backup: {amazon: {bucket: tpe-x, region: eu-west-3, credentials: {secretRef: {name: aws-backup-keys}}}}"
	azureSPBackup   = "backup: {azure: {resourceGroup: rg, storageAccount: tpebackup, blobContainer: tpe-backup, cloudName: AzurePublicCloud, subscriptionId: 00000000-0000-0000-0000-000000000001, tenantId: 00000000-0000-0000-0000-000000000002, clientId: 00000000-0000-0000-0000-000000000003, clientSecret: {secretRef: {name: azure-sp}}}}"
)

var factsFleet struct {
	once  sync.Once
	sites []site // by factsVariants
	err   error
}

// renderWith returns the first site of the facts fleet whose profile has
// every one of the given top-level YAML lines (baseProfile's own lines
// included); with no line, baseProfile's site.
func renderWith(t *testing.T, overrides ...string) site {
	t.Helper()
	factsFleet.once.Do(func() { factsFleet.sites, factsFleet.err = renderFactsFleet(t.TempDir()) })
	require.NoError(t, factsFleet.err, "rendering the facts fleet")
	if len(overrides) == 0 {
		return factsFleet.sites[0]
	}
	for i, v := range factsVariants {
		lines := strings.Split(withOverrides(v...), "\n")
		if !slices.ContainsFunc(overrides, func(o string) bool { return !slices.Contains(lines, o) }) {
			return factsFleet.sites[i]
		}
	}
	t.Fatalf("no site of factsVariants has %q: add them there", overrides)
	return site{}
}

// renderFactsFleet renders every site of factsVariants as one fleet in
// dir: the first as factsite, the others as factsite-N.
func renderFactsFleet(dir string) ([]site, error) {
	var names []string
	for i, v := range factsVariants {
		keys := map[string]bool{}
		for _, o := range v {
			k, _, _ := strings.Cut(o, ":")
			if keys[k] {
				return nil, fmt.Errorf("factsVariants[%d] sets %s twice", i, k)
			}
			keys[k] = true
		}
		name := "factsite"
		if i > 0 {
			name = fmt.Sprintf("factsite-%d", i)
		}
		names = append(names, name)
		src := strings.Replace(withOverrides(v...), "name: factsite\n", "name: "+name+"\n", 1)
		if err := os.WriteFile(filepath.Join(dir, name+".yaml"), []byte(src), 0o644); err != nil {
			return nil, err
		}
	}
	res, err := render.Run(context.Background(), render.Options{
		Paths: []string{dir}, Jobs: runtime.GOMAXPROCS(0),
	})
	if err != nil {
		return nil, err
	}
	clusters := map[string]render.ClusterResult{}
	for _, c := range res.Clusters {
		clusters[c.Name] = c
	}
	bySite := map[string]site{}
	for _, r := range res.Sites {
		s, err := siteOf(r, clusters)
		if err != nil {
			return nil, fmt.Errorf("site %s: %w", r.Name, err)
		}
		bySite[r.Name] = s
	}
	out := make([]site, len(names))
	for i, name := range names {
		s, ok := bySite[name]
		if !ok {
			return nil, fmt.Errorf("site %s was not rendered", name)
		}
		out[i] = s
	}
	return out, nil
}

// siteOf collects a rendered site's objects, its cluster directory's
// (its own cluster) with tier "cluster".
func siteOf(r render.SiteResult, clusters map[string]render.ClusterResult) (site, error) {
	s := site{name: r.Name, tier: map[string]string{}}
	for _, f := range r.Tree {
		if f.Object.Doc == nil {
			continue // a tier's kustomization.yaml
		}
		o := f.Object
		tier, _, _ := strings.Cut(f.Path, "/")
		o.Tier = tier
		if tier == "gitops" {
			o.Tier = path.Dir(f.Path)
			s.gitops = append(s.gitops, o)
			continue
		}
		s.objs = append(s.objs, o)
		s.tier[o.ID()] = tier
	}
	c, ok := clusters[r.Cluster]
	if !ok {
		return site{}, fmt.Errorf("no cluster directory %s", r.Cluster)
	}
	for _, f := range c.Files {
		if f.Path == "kustomization.yaml" || strings.HasPrefix(f.Path, "gitops/") {
			continue
		}
		docs, err := object.Decode(f.Data)
		if err != nil {
			return site{}, fmt.Errorf("%s: %w", f.Path, err)
		}
		o := object.Object{Doc: docs[0], Tier: "cluster"}
		s.objs = append(s.objs, o)
		s.tier[o.ID()] = "cluster"
	}
	return s, nil
}

func (s site) byKind(kind string) []object.Object {
	var out []object.Object
	for _, o := range s.objs {
		if o.Kind() == kind {
			out = append(out, o)
		}
	}
	return out
}

func (s site) get(t *testing.T, kind, name string) object.Object {
	t.Helper()
	for _, o := range s.objs {
		if o.Kind() == kind && o.Name() == name {
			return o
		}
	}
	t.Fatalf("no %s/%s rendered", kind, name)
	return object.Object{}
}

func str(v any) string { s, _ := v.(string); return s }

// podSpecs returns every pod template spec with its owner's ID.
func (s site) podSpecs() map[string]map[string]any {
	out := map[string]map[string]any{}
	for _, o := range s.objs {
		var spec any
		switch o.Kind() {
		case "Deployment", "StatefulSet", "DaemonSet", "Job":
			spec = object.Dig(o.Doc, "spec", "template", "spec")
		case "CronJob":
			spec = object.Dig(o.Doc, "spec", "jobTemplate", "spec", "template", "spec")
		}
		if m, ok := spec.(map[string]any); ok {
			out[o.ID()] = m
		}
	}
	return out
}

// loadBalancerPorts returns the ports of the ingress controller's
// LoadBalancer Service.
func (s site) loadBalancerPorts(t *testing.T) []string {
	t.Helper()
	var ports []string
	n := 0
	for _, o := range s.byKind("Service") {
		if str(object.Dig(o.Doc, "spec", "type")) != "LoadBalancer" {
			continue
		}
		n++
		for _, p := range object.Dig(o.Doc, "spec", "ports").([]any) {
			ports = append(ports, string(object.Dig(p, "port").(interface{ String() string }).String()))
		}
	}
	require.Equal(t, 1, n, "exactly one LoadBalancer Service")
	slices.Sort(ports)
	return ports
}

func TestFactsPortsPerSecurityMode(t *testing.T) {
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{name: "DISABLE", lines: []string{"bsSecurity: DISABLE"}, want: []string{"2022", "2404", "2504", "3102", "443"}},
		{name: "IPSEC_X509", lines: []string{"bsSecurity: IPSEC_X509"}, want: []string{"2022", "3001", "3002", "3101", "443"}},
		{name: "MIXED", lines: []string{"bsSecurity: MIXED"}, want: []string{"2022", "2404", "2504", "3001", "3002", "3101", "3102", "443"}},
		{name: "MIXED with Basics Station", lines: []string{"bsSecurity: MIXED", "basicsStation: true"}, want: []string{"2022", "2404", "2504", "3001", "3002", "3101", "3102", "443", "4443"}},
		{name: "DISABLE with Basics Station", lines: []string{"bsSecurity: DISABLE", "basicsStation: true"}, want: []string{"2022", "2404", "2504", "3102", "443", "4443"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := renderWith(t, tc.lines...)
			assert.Equal(t, tc.want, s.loadBalancerPorts(t))
			// The tcp map opens the same non-HTTPS ports, and nothing else.
			var tcp []string
			for _, cm := range s.byKind("ConfigMap") {
				if strings.Contains(cm.Name(), "tcp") {
					for k := range object.Dig(cm.Doc, "data").(map[string]any) {
						tcp = append(tcp, k)
					}
				}
			}
			slices.Sort(tcp)
			wantTCP := slices.DeleteFunc(slices.Clone(tc.want), func(p string) bool { return p == "443" })
			assert.Equal(t, wantTCP, tcp, "tcp ConfigMap keys")
		})
	}
}

// ACME http01 needs port 80: letsencrypt sites get it, no other site does.
func TestFactsPort80OnlyForLetsEncrypt(t *testing.T) {
	le := renderWith(t, "bsSecurity: DISABLE", leTLS)
	assert.Equal(t, []string{"2022", "2404", "2504", "3102", "443", "80"}, le.loadBalancerPorts(t))
	ext := renderWith(t, "bsSecurity: DISABLE", externalTLS)
	assert.Equal(t, []string{"2022", "2404", "2504", "3102", "443"}, ext.loadBalancerPorts(t))
}

func TestFactsStorageClassesPerHosting(t *testing.T) {
	azure, s3 := azureBackup, s3Backup
	for _, tc := range []struct {
		name        string
		lines       []string
		provisioner string
		classes     []string
	}{
		{name: "aks", lines: []string{"hosting: aks", azure}, provisioner: "disk.csi.azure.com",
			classes: []string{"thingpark-csi-premium-lrs-ext4", "thingpark-csi-premium-lrs-xfs", "thingpark-csi-standard-lrs-xfs"}},
		{name: "eks", lines: []string{"hosting: eks"}, provisioner: "ebs.csi.aws.com",
			classes: []string{"thingpark-csi-gp2-ext4", "thingpark-csi-gp2-xfs"}},
		{name: "eks on 8.0, tpgen's charts", lines: []string{"hosting: eks", `release: "8.0.0"`}, provisioner: "ebs.csi.aws.com",
			classes: []string{"thingpark-csi-gp3-ext4", "thingpark-csi-gp3-xfs"}},
		{name: "generic", lines: []string{"hosting: generic", "storage: {provisioner: rbd.csi.ceph.com}", s3}, provisioner: "rbd.csi.ceph.com",
			classes: []string{"thingpark-ext4", "thingpark-xfs"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := renderWith(t, tc.lines...)
			var names []string
			for _, sc := range s.byKind("StorageClass") {
				names = append(names, sc.Name())
				assert.Equal(t, tc.provisioner, str(sc.Doc["provisioner"]), sc.Name())
				assert.Equal(t, "WaitForFirstConsumer", str(sc.Doc["volumeBindingMode"]), sc.Name())
				assert.Equal(t, "Delete", str(sc.Doc["reclaimPolicy"]), sc.Name())
				assert.Equal(t, "cluster", sc.Tier, sc.Name())
			}
			slices.Sort(names)
			assert.Equal(t, tc.classes, names)
			// Every volume claim uses a class the site renders.
			for id, spec := range s.volumeClaimClasses() {
				assert.Contains(t, tc.classes, spec, id)
			}
		})
	}
}

// volumeClaimClasses maps each StatefulSet claim template to its class.
func (s site) volumeClaimClasses() map[string]string {
	out := map[string]string{}
	for _, o := range s.byKind("StatefulSet") {
		vcts, _ := object.Dig(o.Doc, "spec", "volumeClaimTemplates").([]any)
		for _, v := range vcts {
			out[o.ID()+"/"+str(object.Dig(v, "metadata", "name"))] = str(object.Dig(v, "spec", "storageClassName"))
		}
	}
	return out
}

func TestFactsPriorityClasses(t *testing.T) {
	s := renderWith(t, priorityClasses)
	got := map[string]string{}
	for _, pc := range s.byKind("PriorityClass") {
		got[pc.Name()] = object.Dig(pc.Doc, "value").(interface{ String() string }).String()
		assert.Equal(t, "cluster", pc.Tier)
	}
	assert.Equal(t, map[string]string{"pc-fast": "2000", "pc-data": "1000", "pc-rest": "10"}, got)
	for id, spec := range s.podSpecs() {
		assert.Contains(t, []string{"pc-fast", "pc-data", "pc-rest"}, str(spec["priorityClassName"]), id)
	}
	// FACTS §5: lrc is data path, mariadb-galera is data, support is others.
	assert.Equal(t, "pc-fast", str(object.Dig(s.get(t, "StatefulSet", "lrc").Doc, "spec", "template", "spec", "priorityClassName")))
	assert.Equal(t, "pc-data", str(object.Dig(s.get(t, "StatefulSet", "mariadb-galera").Doc, "spec", "template", "spec", "priorityClassName")))
}

func TestFactsSegmentSizing(t *testing.T) {
	for _, tc := range []struct {
		segment, mariadb, lrcMem string
	}{
		{"s", "5Gi", "188Mi"}, {"m", "5Gi", "356Mi"}, {"l", "10Gi", "525Mi"}, {"xl", "15Gi", "1200Mi"}, {"xxl", "30Gi", "5250Mi"},
	} {
		t.Run(tc.segment, func(t *testing.T) {
			s := renderWith(t, "segment: "+tc.segment)
			galera := s.get(t, "StatefulSet", "mariadb-galera")
			assert.EqualValues(t, 3, toInt(object.Dig(galera.Doc, "spec", "replicas")))
			vct := object.Dig(galera.Doc, "spec", "volumeClaimTemplates").([]any)
			assert.Equal(t, tc.mariadb, str(object.Dig(vct[0], "spec", "resources", "requests", "storage")))
			lrc := s.get(t, "StatefulSet", "lrc")
			assert.EqualValues(t, 2, toInt(object.Dig(lrc.Doc, "spec", "replicas")))
			var mem []string
			for _, c := range object.Dig(lrc.Doc, "spec", "template", "spec", "containers").([]any) {
				mem = append(mem, str(object.Dig(c, "resources", "requests", "memory")))
			}
			assert.Contains(t, mem, tc.lrcMem)
		})
	}
}

func toInt(v any) int {
	if n, ok := v.(interface{ Int64() (int64, error) }); ok {
		i, _ := n.Int64()
		return int(i)
	}
	return -1
}

func TestFactsNodeGroup(t *testing.T) {
	const key = "thingpark.enterprise.actility.com/nodegroup-name"
	s := renderWith(t, "nodeGroup: {dedicated: true, taint: true}")
	specs := s.podSpecs()
	require.NotEmpty(t, specs)
	for id, spec := range specs {
		assert.Equal(t, "tpe", str(object.Dig(spec, "nodeSelector", key)), id)
		tol, _ := spec["tolerations"].([]any)
		assert.True(t, slices.ContainsFunc(tol, func(x any) bool { return str(object.Dig(x, "key")) == key }), "%s: toleration", id)
	}
	plain := renderWith(t)
	for id, spec := range plain.podSpecs() {
		assert.Nil(t, object.Dig(spec, "nodeSelector", key), id)
	}
}

func TestFactsNetworkPolicies(t *testing.T) {
	assert.Empty(t, renderWith(t, "networkPolicy: false").byKind("NetworkPolicy"))
	s := renderWith(t, "networkPolicy: true")
	assert.NotEmpty(t, s.byKind("NetworkPolicy"))
}

func TestFactsTLSIssuers(t *testing.T) {
	le := renderWith(t, leTLS)
	var acme []object.Object
	for _, o := range append(le.byKind("Issuer"), le.byKind("ClusterIssuer")...) {
		if object.Dig(o.Doc, "spec", "acme") != nil {
			acme = append(acme, o)
		}
	}
	require.Len(t, acme, 1, "one ACME issuer")
	assert.Equal(t, "ops@example.net", str(object.Dig(acme[0].Doc, "spec", "acme", "email")))

	ss := renderWith(t, "tls: {issuer: selfSigned}")
	var self int
	for _, o := range append(ss.byKind("Issuer"), ss.byKind("ClusterIssuer")...) {
		if object.Dig(o.Doc, "spec", "selfSigned") != nil {
			self++
		}
	}
	assert.GreaterOrEqual(t, self, 1, "a selfSigned issuer")

	// An external certificate is taken by value (a marker of the profile's
	// reference): the chart renders the TLS Secret, which the secret
	// workflow delivers (here an ExternalSecret reading my-tls).
	ext := renderWith(t, externalTLS, esoSecrets, esoAPIs)
	for _, ing := range ext.byKind("Ingress") {
		tls, _ := object.Dig(ing.Doc, "spec", "tls").([]any)
		require.NotEmpty(t, tls, ing.ID())
		assert.Equal(t, "thingpark-enterprise-tls", str(object.Dig(tls[0], "secretName")), ing.ID())
		assert.Equal(t, "nginx-tpe", str(object.Dig(ing.Doc, "spec", "ingressClassName")), ing.ID())
	}
	es := ext.byName("ExternalSecret", "thingpark-enterprise-tls")
	require.NotNil(t, es, "the TLS Secret's ExternalSecret")
	assert.Equal(t, "kubernetes.io/tls", str(object.Dig(es.Doc, "spec", "target", "template", "type")))
	b, err := json.Marshal(object.Dig(es.Doc, "spec", "data"))
	require.NoError(t, err)
	assert.JSONEq(t, `[{"secretKey":"ca.crt","remoteRef":{"key":"my-tls","property":"ca.crt"}},{"secretKey":"tls.crt","remoteRef":{"key":"my-tls","property":"tls.crt"}},{"secretKey":"tls.key","remoteRef":{"key":"my-tls","property":"tls.key"}}]`, string(b))
}

// esoSecrets and esoAPIs switch a profile to the externalSecrets secret
// workflow.
const (
	esoSecrets = "secrets: {workflow: externalSecrets, store: {kind: ClusterSecretStore, name: vault}}"
	esoAPIs    = "provided: {apis: [{group: external-secrets.io, kind: ExternalSecret, versions: [v1beta1]}]}"
)

func (s site) byName(kind, name string) *object.Object {
	for _, o := range s.byKind(kind) {
		if o.Name() == name {
			return &o
		}
	}
	return nil
}

// The charts take each secret by value: each back end's Secret reference
// reaches the rendered objects only as an ExternalSecret's remote
// reference (the externalSecrets workflow), never as a Secret or a marker.
func TestFactsBackupAndSecrets(t *testing.T) {
	for _, tc := range []struct {
		name   string
		lines  []string
		secret string
	}{
		{name: "amazon with credentials", lines: []string{awsBackup}, secret: "aws-backup-keys"},
		{name: "s3Compat", lines: []string{minioBackup}, secret: "minio-keys"},
		{name: "azure", lines: []string{"hosting: aks", azureSPBackup}, secret: "azure-sp"},
		{name: "smtp", lines: []string{smtpLogin}, secret: "smtp-login"},
		{name: "oidc", lines: []string{oidcClient}, secret: "oidc-client"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := renderWith(t, append(tc.lines, esoSecrets, esoAPIs)...)
			assert.Empty(t, s.byKind("Secret"), "no Secret is ever rendered")
			found := false
			for _, o := range s.objs {
				y := string(mustYAML(t, o))
				assert.NotContains(t, y, "tpgen-secret", o.ID())
				if strings.Contains(y, tc.secret) {
					found = true
					assert.Equal(t, "ExternalSecret", o.Kind(), "%s names %s", o.ID(), tc.secret)
				}
			}
			assert.True(t, found, "secret reference %s reaches the rendered objects", tc.secret)
		})
	}
}

func mustYAML(t *testing.T, o object.Object) []byte {
	var b strings.Builder
	require.NoError(t, object.Encode(&b, o.Doc))
	return []byte(b.String())
}

// Cluster-scoped objects are all in the cluster tier; CRDs never elsewhere.
func TestFactsTiers(t *testing.T) {
	s := renderWith(t)
	for _, o := range s.objs {
		if o.Namespace() == "" {
			assert.Equal(t, "cluster", o.Tier, o.ID())
		} else {
			assert.Equal(t, "thingpark-enterprise", o.Namespace(), o.ID())
		}
	}
	for _, k := range []string{"Kafka", "PerconaServerMongoDB"} {
		require.NotEmpty(t, s.byKind(k), k)
		assert.Equal(t, "data", s.byKind(k)[0].Tier)
	}
}

// TestFactsEveryReleaseOnStandIns: a 7.3.6 and an 8.0.0 site render with
// tpgen's own charts, each of the four charts at the release's version
// (FACTS §1) with the release as appVersion: every object they render is
// labelled so, and ThingPark's services run the release's images.
func TestFactsEveryReleaseOnStandIns(t *testing.T) {
	for _, tc := range []struct {
		release string
		charts  map[string]string
		twa     string
	}{
		{"7.3.6", map[string]string{"thingpark-data-controllers": "1.5.0", "thingpark-data": "1.6.0", "thingpark-application-controllers": "1.5.0", "thingpark-enterprise": "1.7.6"}, "twa:17.32.0-2"},
		{"8.0.0", map[string]string{"thingpark-data-controllers": "2.2.1", "thingpark-data": "2.2.2", "thingpark-application-controllers": "2.2.0", "thingpark-enterprise": "2.0.0"}, "twa:18.36.8"},
	} {
		t.Run(tc.release, func(t *testing.T) {
			s := renderWith(t, "hosting: eks", fmt.Sprintf("release: %q", tc.release))
			seen := map[string]int{}
			for _, o := range s.objs {
				labels, _ := object.Dig(o.Doc, "metadata", "labels").(map[string]any)
				chart, _ := labels["helm.sh/chart"].(string)
				for name, version := range tc.charts {
					if rest, ok := strings.CutPrefix(chart, name+"-"); ok && !strings.Contains(rest, "-") || chart == name+"-"+version {
						seen[name]++
						assert.Equal(t, name+"-"+version, chart, o.ID())
						assert.Equal(t, tc.release, labels["app.kubernetes.io/version"], o.ID())
					}
				}
			}
			for name := range tc.charts {
				assert.Positive(t, seen[name], "no object labelled by chart %s", name)
			}
			twa := s.get(t, "Deployment", "twa")
			img := ""
			for _, c := range object.Dig(twa.Doc, "spec", "template", "spec", "containers").([]any) {
				if c := c.(map[string]any); c["name"] == "twa" {
					img = str(c["image"])
				}
			}
			assert.Equal(t, "repository.thingpark.com/thingpark-kubernetes/"+tc.twa, img)
		})
	}
}
