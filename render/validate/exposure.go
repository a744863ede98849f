package validate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/object"
)

// checkExposure: load-balancer-ports.
func (s *site) checkExposure() {
	want := s.o.Policy.Exposure.Ports
	wanted := fmt.Sprintf("the site opens exactly %s for %s", joinInts(want), s.o.Policy.Exposure.Because)
	const hint = "the exposed ports follow the profile (bsSecurity, basicsStation, tls.issuer): fix the Service's ports in its chart or overlay, or waive load-balancer-ports with a reason"
	exposed := map[int]bool{}
	var first *Item
	for i := range s.items {
		it := &s.items[i]
		if it.Object.GroupKind() != "Service" {
			continue
		}
		typ := str(object.Dig(it.Object.Doc, "spec", "type"))
		if typ != "LoadBalancer" && typ != "NodePort" {
			continue
		}
		if typ == "LoadBalancer" && first == nil {
			first = it
		}
		ports, _ := object.Dig(it.Object.Doc, "spec", "ports").([]any)
		for j, p := range ports {
			n, ok := toInt(object.Dig(p, "port"))
			if !ok {
				continue
			}
			if typ == "LoadBalancer" {
				exposed[n] = true
			}
			if !slices.Contains(want, n) {
				s.report(it, "load-balancer-ports", field.NewPath("spec", "ports").Index(j).Child("port"),
					fmt.Sprintf("%s Service exposes port %d; %s", typ, n, wanted), hint)
			}
		}
	}
	for _, n := range want {
		if exposed[n] {
			continue
		}
		var p *field.Path
		if first != nil {
			p = field.NewPath("spec", "ports")
		}
		s.report(first, "load-balancer-ports", p, fmt.Sprintf("no LoadBalancer Service exposes port %d; %s", n, wanted), hint)
	}
}

func toInt(v any) (int, bool) {
	switch v := v.(type) {
	case json.Number:
		n, err := strconv.Atoi(v.String())
		return n, err == nil
	case int:
		return v, true
	case int64:
		return int(v), true
	case float64:
		return int(v), v == float64(int(v))
	}
	return 0, false
}

func joinInts(ns []int) string {
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ", ")
}
