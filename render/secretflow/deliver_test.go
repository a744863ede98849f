package secretflow_test

import (
	"errors"
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/tpgen/tpgen/render/object"
	"github.com/tpgen/tpgen/render/secretflow"
)

func leakySecret(t *testing.T) []object.Object {
	t.Helper()
	objs, err := renderLeaky(t)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range objs {
		o.SetNamespace("apps")
	}
	return objs
}

func TestDeliverExternalSecrets(t *testing.T) {
	out, done, err := secretflow.Deliver(leakySecret(t), secretflow.Workflow{Kind: secretflow.ExternalSecrets, Store: secretflow.Store{Kind: "ClusterSecretStore", Name: "vault"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 2 || len(done) != 1 {
		t.Fatalf("got %d objects, %d delivered", len(out), len(done))
	}
	var es object.Object
	for _, o := range out {
		if o.Kind() == "ExternalSecret" {
			es = o
		}
	}
	got, err := yaml.Marshal(es.Doc)
	if err != nil {
		t.Fatal(err)
	}
	want := `apiVersion: external-secrets.io/v1beta1
kind: ExternalSecret
metadata:
  annotations:
    owner: team
  labels:
    app: leaky
  name: db
  namespace: apps
spec:
  data:
  - remoteRef:
      key: db-creds
      property: password
    secretKey: db-creds_password
  refreshInterval: 1h
  secretStoreRef:
    kind: ClusterSecretStore
    name: vault
  target:
    creationPolicy: Owner
    name: db
    template:
      data:
        password: '{{ index . "db-creds_password" }}'
        url: postgres://app:{{ index . "db-creds_password" }}@db:5432/app
        user: app
      engineVersion: v2
      metadata:
        annotations:
          owner: team
        labels:
          app: leaky
`
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("ExternalSecret (-want +got):\n%s", diff)
	}
	if strings.Contains(string(got), "tpgen-secret") {
		t.Error("a marker is left in the ExternalSecret")
	}
}

func TestDeliverPreCreated(t *testing.T) {
	out, done, err := secretflow.Deliver(leakySecret(t), secretflow.Workflow{Kind: secretflow.PreCreated})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != 1 || out[0].Kind() != "Deployment" {
		t.Fatalf("the Secret is not removed: %d objects", len(out))
	}
	want := []secretflow.Delivered{{Name: "db", Namespace: "apps", Source: "chart leaky@0.1.0 templates/secret.yaml", Keys: []secretflow.Key{
		{Key: "password", Refs: []secretflow.Ref{{Name: "db-creds", Key: "password"}}},
		{Key: "url", Refs: []secretflow.Ref{{Name: "db-creds", Key: "password"}}, Composed: true},
		{Key: "user", Literal: true},
	}}}
	if diff := cmp.Diff(want, done); diff != "" {
		t.Errorf("delivered (-want +got):\n%s", diff)
	}
}

func TestDeliverRefusesMarkersOutsideSecrets(t *testing.T) {
	objs := leakySecret(t)
	m := mustMarker(t, "db-creds", "password")
	objs = append(objs, object.Object{Source: "overlay site", Doc: map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": "c", "namespace": "apps", "annotations": map[string]any{"a": "x" + m}}}})
	_, _, err := secretflow.Deliver(objs, secretflow.Workflow{Kind: secretflow.PreCreated})
	var me *secretflow.MisuseError
	if !errors.As(err, &me) || len(me.Misuses) != 1 || me.Misuses[0].String() != "overlay site: ConfigMap/apps/c: metadata.annotations.a: a secret marker outside a Secret's data (the value would be committed to Git or the object would hold the marker's text)" {
		t.Fatalf("got %v", err)
	}
}

const age = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"

const encFile = `apiVersion: v1
data:
  password: ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]
  url: ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]
kind: Secret
metadata:
  labels:
    app: leaky
  name: db
  namespace: apps
sops:
  age:
  - enc: |
      -----BEGIN AGE ENCRYPTED FILE-----
      YWdl
      -----END AGE ENCRYPTED FILE-----
    recipient: ` + age + `
  encrypted_regex: ^(data|stringData)$
  mac: ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]
  version: 3.9.0
stringData:
  user: ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]
type: Opaque
`

func TestDeliverSOPS(t *testing.T) {
	files := map[string]string{
		"good.yaml":      encFile,
		"clear.yaml":     strings.Replace(encFile, "  url: ENC[AES256_GCM,data:3q2+7w==,iv:MTIzNDU2Nzg5MDEyMzQ1Ng==,tag:YWJjZGVmZ2hpamtsbW5vcA==,type:str]", "  url: cG9zdGdyZXM6Ly8=", 1),
		"other-key.yaml": strings.Replace(encFile, age, "age1zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", 1),
		"nokey.yaml":     strings.Replace(encFile, "  url: ENC", "  uri: ENC", 1),
		"unsorted.yaml":  strings.Replace(encFile, "  name: db\n  namespace: apps\n", "  namespace: apps\n  name: db\n", 1),
		"nons.yaml":      strings.Replace(encFile, "  namespace: apps\n", "", 1),
		"plain.yaml":     "apiVersion: v1\nkind: Secret\nmetadata: {name: db, namespace: apps}\ndata: {password: cGFzcw==}\n",
	}
	read := func(f string) ([]byte, error) {
		s, ok := files[f]
		if !ok {
			return nil, fs.ErrNotExist
		}
		return []byte(s), nil
	}
	for _, tc := range []struct{ file, want string }{
		{"good.yaml", ""},
		{"", `Secret/apps/db (chart leaky@0.1.0 templates/secret.yaml): the sops workflow needs an encrypted file for this Secret; secrets.sops.files has no entry "db"`},
		{"clear.yaml", `holds values that are not encrypted: data.url (not shown)`},
		{"other-key.yaml", `is not encrypted for the profile's recipient (` + age + `)`},
		{"nokey.yaml", `lacks key(s) url of the chart's Secret`},
		{"unsorted.yaml", `keys are not sorted at metadata.name`},
		{"nons.yaml", `is Secret /db, want apps/db (metadata.namespace must be written: SOPS authenticates it)`},
		{"plain.yaml", `is not encrypted (no sops metadata)`},
		{"missing.yaml", os.ErrNotExist.Error()},
	} {
		t.Run(tc.file, func(t *testing.T) {
			w := secretflow.Workflow{Kind: secretflow.SOPSWorkflow, SOPS: secretflow.SOPS{Age: age, Read: read, Files: map[string]string{}}}
			if tc.file != "" {
				w.SOPS.Files["db"] = tc.file
			}
			out, _, err := secretflow.Deliver(leakySecret(t), w)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				if len(out) != 2 || out[1].Kind() != "Secret" || !secretflow.IsEncrypted(out[1].Doc) {
					t.Fatalf("the encrypted Secret is not in place: %v", out)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %q", err, tc.want)
			}
			hint := "hint: write the Secret db (namespace apps, keys password, url, user) to a file, keys sorted, and encrypt it: `sops --encrypt --age " + age + " --encrypted-regex '^(data|stringData)$' --in-place FILE`"
			if !strings.Contains(err.Error(), hint) {
				t.Errorf("no hint %q in %v", hint, err)
			}
		})
	}
}
