package crd

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/internal/shared"
)

// The upstream CRDs of ../shared/crds load (the Argo CD ApplicationSet CRD
// is 1.4 MB, Flux's carry CEL rules), and objects are checked against them.
func TestUpstreamCRDs(t *testing.T) {
	for _, tc := range []struct {
		dir  string
		obj  string
		want []string
	}{
		{dir: "flux-v2", obj: `apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata: {name: deploy, namespace: flux-system}
spec: {url: "https://git.example.net/platform/deploy.git", interval: 5m, ref: {branch: main}}
`},
		{dir: "flux-v2", obj: `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: paris-data, namespace: flux-system}
spec: {interval: 10m, path: ./sites/paris/data, prune: true, sourceRef: {kind: GitRepository, name: deploy}, dependsOn: [{name: paris-cluster}]}
`},
		{dir: "flux-v2", obj: `apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata: {name: broken, namespace: flux-system}
spec: {interval: 10m, sourceRef: {kind: Bucket2, name: deploy}, prun: true}
`, want: []string{
			"spec.prun: Forbidden: unknown field (not in the CRD schema)",
			"spec.prune: Required value",
			`spec.sourceRef.kind: Unsupported value: "Bucket2": supported values: "OCIRepository", "GitRepository", "Bucket", "ExternalArtifact"`,
		}},
		{dir: "argo-cd-v3.5.1", obj: `apiVersion: argoproj.io/v1alpha1
kind: Application
metadata: {name: paris-data, namespace: argocd}
spec:
  project: default
  source: {repoURL: "https://git.example.net/platform/deploy.git", path: sites/paris/data, targetRevision: main}
  destination: {server: "https://kubernetes.default.svc", namespace: thingpark-enterprise}
  syncPolicy: {automated: {prune: true}}
`},
		{dir: "strimzi-0.33.2", obj: `apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata: {name: kafka-cluster, namespace: tpe}
spec:
  kafka: {replicas: 2, listeners: [{name: plain, port: 9092, type: internal, tls: false}], storage: {type: ephemeral}}
`, want: []string{"spec.zookeeper: Required value"}},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			s, err := Load(shared.CRDs(t, tc.dir))
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, errStrings(t, s, doc(t, tc.obj))); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
