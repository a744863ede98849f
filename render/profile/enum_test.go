package profile

import (
	"github.com/tpgen/tpgen/render/module"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEnum: the values of the schema's string disjunctions, for shell
// completion; nil for a field that is not one.
func TestEnum(t *testing.T) {
	tests := []struct {
		path string
		want []string
	}{
		{"hosting", []string{"aks", "eks", "generic"}},
		{"segment", []string{"s", "m", "l", "xl", "xxl"}},
		{"bsSecurity", []string{"DISABLE", "IPSEC_X509", "MIXED"}},
		{"release", []string{"7.3.0", "7.3.1"}},
		{"gitops.engine", []string{"argocd", "flux"}},
		{"kubernetesVersion", nil},
		{"name", nil},
		{"no.such.field", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			got, err := Enum(module.Default(), tt.path)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Enum(%q) (-want +got):\n%s", tt.path, d)
			}
		})
	}
}
