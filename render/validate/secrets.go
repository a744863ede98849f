package validate

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/object"

	"github.com/tpgen/tpgen/render/secret"
	"github.com/tpgen/tpgen/render/secretflow"
)

// encryptedAsPlain returns doc as the API server will see it after the
// GitOps engine decrypts it, when doc is a SOPS-encrypted Secret: without
// the sops block, each value an empty one (the ciphertext is not base64).
// Any other doc is returned as it is.
func encryptedAsPlain(doc map[string]any) map[string]any {
	if (object.Object{Doc: doc}).GroupKind() != "Secret" || !secretflow.IsEncrypted(doc) {
		return doc
	}
	out := maps.Clone(doc)
	delete(out, "sops")
	for _, k := range []string{"data", "stringData"} {
		if m, ok := doc[k].(map[string]any); ok {
			plain := make(map[string]any, len(m))
			for kk := range m {
				plain[kk] = ""
			}
			out[k] = plain
		}
	}
	return out
}

// checkSecrets: secret-data, credential-in-config. Neither can be waived:
// a waiver would put the secret into Git.
func (s *site) checkSecrets() {
	for i := range s.items {
		it := &s.items[i]
		o := it.Object
		doc := o.Doc
		if o.GroupKind() == "Secret" && secretflow.IsEncrypted(o.Doc) {
			// A SOPS-encrypted Secret (the sops secret workflow): its
			// values are ciphertext, its sops block the recipients.
			doc = maps.Clone(o.Doc)
			for _, k := range []string{"data", "stringData", "sops"} {
				delete(doc, k)
			}
		} else if o.GroupKind() == "Secret" {
			doc = maps.Clone(o.Doc)
			for _, k := range []string{"data", "stringData"} {
				delete(doc, k) // secret-data reports them, without looking inside
				if m, _ := o.Doc[k].(map[string]any); len(m) > 0 {
					s.report(it, "secret-data", field.NewPath(k),
						fmt.Sprintf("the Secret carries %d value(s) (%s): they would be committed to Git", len(m), strings.Join(slices.Sorted(maps.Keys(m)), ", ")),
						"let the cluster provide the Secret (profile provided.secrets, or a secretRef) or create it at run time (annotation tpgen.dev/creates-secrets)")
				}
			}
		}
		// Every string of every object, with the detector the profile
		// loader and tpgen diff use (render/secret).
		for _, f := range secret.Scan(doc) {
			s.reportPath(it, "credential-in-config", f.Path.String(), f.Reason, credentialHint)
		}
	}
}

const credentialHint = "reference a Secret instead (env valueFrom.secretKeyRef, envFrom.secretRef, a secret volume, a secretRef field); tpgen never renders secret values"
