package kube

import (
	"encoding/json"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// LabelSet reads a labels map of an object (nil when absent or malformed).
func LabelSet(v any) labels.Set {
	m, _ := v.(map[string]any)
	out := make(labels.Set, len(m))
	for k, x := range m {
		if s, ok := x.(string); ok {
			out[k] = s
		}
	}
	return out
}

// Selector reads a metav1.LabelSelector ({matchLabels, matchExpressions})
// of an object. ok is false when v is absent or malformed.
func Selector(v any) (labels.Selector, bool) {
	m, isMap := v.(map[string]any)
	if !isMap {
		return nil, false
	}
	var ls metav1.LabelSelector
	b, err := json.Marshal(m)
	if err != nil || json.Unmarshal(b, &ls) != nil {
		return nil, false
	}
	s, err := metav1.LabelSelectorAsSelector(&ls)
	return s, err == nil
}
