//go:build e2e

package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/shared"
	"github.com/tpgen/tpgen/render"
	"github.com/tpgen/tpgen/render/object"
)

const brokenSite = `name: broken
release: "7.3.1"
kubernetesVersion: "1.27"
hosting: aks
segment: s
dnsHostname: tpe.broken.example.net
bsSecurity: MIXED
lora: {ismBand: [eu868], netId: "000001"}
installationId: {secretRef: {name: tpe-installation, key: id}}
tls: {issuer: selfSigned}
backup: {s3Compat: {url: "https://minio.example.net", bucket: tpe-broken, credentials: {secretRef: {name: tpe-backup}}}}
gitops: {engine: flux, repoURL: "https://git.example.net/platform/deploy.git"}
`

// The deliberately broken objects: a Deployment with a misspelt field, a
// Deployment without its required selector, and a Kafka whose replica count
// is a string.
const brokenObjects = `apiVersion: apps/v1
kind: Deployment
metadata: {name: misspelt, namespace: thingpark-enterprise, annotations: {tpgen.dev/tier: enterprise}}
spec:
  replcias: 2
  selector: {matchLabels: {app: misspelt}}
  template:
    metadata: {labels: {app: misspelt}}
    spec:
      priorityClassName: thingpark-others
      containers: [{name: app, image: "busybox:1.36", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: no-selector, namespace: thingpark-enterprise, annotations: {tpgen.dev/tier: enterprise}}
spec:
  template:
    metadata: {labels: {app: no-selector}}
    spec:
      priorityClassName: thingpark-others
      containers: [{name: app, image: "busybox:1.36", resources: {requests: {cpu: 10m, memory: 16Mi}}}]
---
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: broken-kafka, namespace: thingpark-enterprise, annotations: {tpgen.dev/tier: data}}
spec:
  kafka: {replicas: "two", listeners: [{name: plain, port: 9092, type: internal, tls: false}], storage: {type: ephemeral}}
  zookeeper: {replicas: 3, storage: {type: ephemeral}}
`

// TestBrokenObjectsAreRefusedByBoth: what tpgen refuses, the API server
// refuses too (with the upstream operator CRDs in place).
func TestBrokenObjectsAreRefusedByBoth(t *testing.T) {
	sharedDir := shared.Dir(t)
	dir := t.TempDir()
	write := func(name, data string) {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("good/broken.yaml", brokenSite)
	write("bad/broken.yaml", brokenSite+"overlay: ./extra\n")
	write("bad/extra/kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\nresources: [objects.yaml]\n")
	write("bad/extra/objects.yaml", brokenObjects)

	// tpgen refuses them, naming each problem.
	_, err := renderTo(t, []string{filepath.Join(dir, "bad")}, "")
	fs, ok := render.Findings(err)
	if !ok {
		t.Fatalf("tpgen rendered the broken objects: %v", err)
	}
	var got []string
	for _, f := range fs {
		got = append(got, f.Object+" "+f.Path+" ["+f.Check+"]")
	}
	want := []string{
		"Kafka/thingpark-enterprise/broken-kafka spec.kafka.replicas [crd-schema]",
		"Deployment/thingpark-enterprise/misspelt spec.replcias [kube-schema]",
		"Deployment/thingpark-enterprise/no-selector spec.selector [kube-schema]",
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("tpgen's findings (-want +got):\n%s", d)
	}

	// The server refuses them: the valid site's cluster tier, the upstream
	// CRDs, then the broken objects.
	out := filepath.Join(dir, "out")
	res, err := renderTo(t, []string{filepath.Join(dir, "good")}, out)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a := &applier{s: startServer(t, sharedDir)}
	cluster := readTier(t, filepath.Join(out, render.ClustersDir, res.Sites[0].Cluster))
	a.apply(ctx, cluster)
	upstream := upstreamCRDs(t, sharedDir, operatorCRDs)
	var crds []file
	for _, name := range crdNames(cluster) {
		crds = append(crds, upstream[name])
	}
	a.apply(ctx, crds)
	if err := a.s.waitEstablished(ctx, crdNames(cluster)); err != nil {
		t.Fatal(err)
	}
	if len(a.rejected) > 0 {
		t.Fatalf("setup rejected:\n%s", strings.Join(a.rejected, "\n"))
	}
	docs, err := object.Decode([]byte(brokenObjects))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		o := object.Object{Doc: d}
		err := a.s.apply(ctx, d)
		if err == nil {
			t.Errorf("the API server accepted %s", o.ID())
			continue
		}
		t.Logf("the API server refuses %s: %v", o.ID(), err)
	}
}
