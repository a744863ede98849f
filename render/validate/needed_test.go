package validate

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tpgen/tpgen/render/object"
)

func TestNeededSecrets(t *testing.T) {
	src := `apiVersion: apps/v1
kind: Deployment
metadata: {name: app, namespace: tpe}
spec:
  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      imagePullSecrets: [{name: pull}]
      containers:
      - name: c
        image: x:1
        env:
        - {name: A, valueFrom: {secretKeyRef: {name: creds, key: user}}}
        - {name: B, valueFrom: {secretKeyRef: {name: creds, key: password}}}
        - {name: C, valueFrom: {secretKeyRef: {name: maybe, key: k, optional: true}}}
        - {name: D, valueFrom: {secretKeyRef: {name: generated, key: k}}}
        - {name: E, valueFrom: {secretKeyRef: {name: rendered, key: k}}}
        - {name: F, valueFrom: {secretKeyRef: {name: external, key: k}}}
        envFrom: [{secretRef: {name: all-keys}}]
      volumes:
      - {name: v1, secret: {secretName: files, items: [{key: a.pem, path: a}, {key: b.pem, path: b}]}}
      - {name: v2, projected: {sources: [{secret: {name: proj, items: [{key: p, path: p}]}}]}}
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: web, namespace: tpe}
spec: {tls: [{secretName: web-tls}]}
---
apiVersion: batch/v1
kind: Job
metadata: {name: gen, namespace: tpe, annotations: {tpgen.dev/creates-secrets: generated}}
---
apiVersion: v1
kind: Secret
metadata: {name: rendered, namespace: tpe}
---
apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata: {name: es, namespace: tpe}
spec: {target: {name: external}}
`
	docs, err := object.Decode([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var items []Item
	for _, d := range docs {
		o := object.Object{Doc: d}
		items = append(items, Item{Object: o, File: o.Name() + ".yaml"})
	}
	got := NeededSecrets(items, Options{Site: "s", Profile: "s.yaml", KubeVersion: "1.27", Namespace: "tpe"},
		[]ProfileSecretRef{{Name: "creds", Key: "user", Field: "smtp.credentials.secretRef"}, {Name: "external", Field: "oidc.clientSecret.secretRef"}})
	type need struct {
		Name string
		Keys []string
		Uses int
	}
	var short []need
	for _, n := range got {
		short = append(short, need{n.Name, n.Keys, len(n.Uses)})
	}
	want := []need{
		{"all-keys", []string{}, 1},
		{"creds", []string{"password", "user"}, 3},
		{"files", []string{"a.pem", "b.pem"}, 2},
		{"proj", []string{"p"}, 1},
		{"pull", []string{".dockerconfigjson"}, 1},
		{"web-tls", []string{"tls.crt", "tls.key"}, 2},
	}
	if diff := cmp.Diff(want, short); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if u := got[1].Uses[0]; u.Object != "" || u.Field != "smtp.credentials.secretRef" || u.File != "s.yaml" || u.Key != "user" {
		t.Errorf("profile use: %+v", u)
	}
	if u := got[1].Uses[1]; u.Object != "Deployment/tpe/app" || u.Field != "spec.template.spec.containers[0].env[0].valueFrom.secretKeyRef.name" || u.Key != "user" {
		t.Errorf("object use: %+v", u)
	}
}
