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
// parsers keep the last one silently). label names src in the error, with
// the line and column of the second key. A stream that does not parse is
// left to the parser that reads it, which reports its own error.
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
