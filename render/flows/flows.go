package flows

import (
	"cmp"
	"slices"
	"strings"
)

// Flow is one connection a firewall must allow.
type Flow struct {
	Site      string `json:"site"`
	Direction string `json:"direction"` // inbound or outbound
	From      string `json:"from"`
	To        string `json:"to"`
	Protocol  string `json:"protocol"` // TCP or UDP
	Port      int    `json:"port"`
	// Service is the application protocol, e.g. "IEC-104+TLS".
	Service string `json:"service"`
	Purpose string `json:"purpose"`
}

// key is what a firewall rule is made of; Service and Purpose describe it.
type key struct {
	site, direction, from, to, protocol string
	port                                int
}

func (f Flow) key() key { return key{f.Site, f.Direction, f.From, f.To, f.Protocol, f.Port} }

func compare(a, b Flow) int {
	return cmp.Or(
		cmp.Compare(a.Site, b.Site),
		cmp.Compare(a.Direction, b.Direction),
		cmp.Compare(a.From, b.From),
		cmp.Compare(a.To, b.To),
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.Port, b.Port),
	)
}

// Normalize sorts flows by site, direction, from, to, protocol and port,
// and merges flows that are the same rule: their services and purposes
// are joined with "; ".
func Normalize(flows []Flow) []Flow {
	out := slices.Clone(flows)
	slices.SortStableFunc(out, compare)
	merged := out[:0]
	for _, f := range out {
		if n := len(merged); n > 0 && merged[n-1].key() == f.key() {
			m := &merged[n-1]
			m.Service = join(m.Service, f.Service)
			m.Purpose = join(m.Purpose, f.Purpose)
			continue
		}
		merged = append(merged, f)
	}
	return merged
}

func join(a, b string) string {
	if slices.Contains(strings.Split(a, "; "), b) {
		return a
	}
	return a + "; " + b
}

// Change is a flow opened (in the new set only) or closed (in the old set
// only).
type Change struct {
	Op string `json:"change"` // opened or closed
	Flow
}

// Diff lists the flows opened and closed from old to new, both
// normalized, in flow order. A flow whose rule is unchanged but whose
// description changed is not a change.
func Diff(old, new []Flow) []Change {
	oldK := map[key]bool{}
	for _, f := range old {
		oldK[f.key()] = true
	}
	newK := map[key]bool{}
	for _, f := range new {
		newK[f.key()] = true
	}
	var out []Change
	for _, f := range new {
		if !oldK[f.key()] {
			out = append(out, Change{Op: "opened", Flow: f})
		}
	}
	for _, f := range old {
		if !newK[f.key()] {
			out = append(out, Change{Op: "closed", Flow: f})
		}
	}
	slices.SortStableFunc(out, func(a, b Change) int { return cmp.Or(compare(a.Flow, b.Flow), cmp.Compare(a.Op, b.Op)) })
	return out
}
