package fsguard

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// DuplicateKeys fails when a mapping of the YAML stream src holds the same
// key twice, even with equal values (the YAML spec forbids it; most
// parsers keep the last one silently), and when its aliases expand a
// document by more than MaxAliasNodes nodes (a "billion laughs": the
// parsers kustomize uses expand every alias). label names src in the
// error, with the line and column of the second key or of the document. A
// stream that does not parse is left to the parser that reads it, which
// reports its own error.
func DuplicateKeys(label string, src []byte) error {
	d := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var n yaml.Node
		err := d.Decode(&n)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return nil
		}
		if err := dupKeys(label, &n); err != nil {
			return err
		}
		sizes := map[*yaml.Node]int64{}
		if grown := expanded(&n, sizes) - literal(&n); grown > MaxAliasNodes {
			at := &n
			if len(n.Content) > 0 {
				at = n.Content[0] // the document's first line, not its ---
			}
			return fmt.Errorf("%s:%d:%d: aliases expand the document by more than %d nodes\nhint: write the values out instead of repeating them through anchors and aliases (*name)", label, at.Line, at.Column, MaxAliasNodes)
		}
	}
}

func dupKeys(label string, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode, yaml.SequenceNode:
		for _, c := range n.Content {
			if err := dupKeys(label, c); err != nil {
				return err
			}
		}
	case yaml.MappingNode:
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				id := k.ShortTag() + " " + k.Value
				if first, ok := seen[id]; ok {
					return fmt.Errorf("%s:%d:%d: duplicate key %q (first at line %d)\nhint: a key appears once in a mapping (YAML spec); remove one", label, k.Line, k.Column, k.Value, first.Line)
				}
				seen[id] = k
			}
			if err := dupKeys(label, n.Content[i+1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxAliasNodes bounds how many nodes the aliases of one YAML document may
// add once expanded.
const MaxAliasNodes = 100_000

// expanded counts the nodes of n with every alias expanded, without
// expanding any: the size of each node is computed once. It saturates
// far above MaxAliasNodes, so it cannot overflow.
func expanded(n *yaml.Node, sizes map[*yaml.Node]int64) int64 {
	if n == nil {
		return 0
	}
	if v, ok := sizes[n]; ok {
		return v
	}
	sizes[n] = 1 // an alias cycle counts once
	total := int64(1)
	if n.Kind == yaml.AliasNode {
		total += expanded(n.Alias, sizes)
	}
	for _, c := range n.Content {
		total = min(total+expanded(c, sizes), 1<<40)
	}
	sizes[n] = total
	return total
}

// literal counts the nodes of n as written, aliases as one node each.
func literal(n *yaml.Node) int64 {
	total := int64(1)
	for _, c := range n.Content {
		total += literal(c)
	}
	return total
}
