package charts

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestValuesDocumented fails when a key of a chart's values.yaml has no
// comment: the comment is the documentation of the values contract. A key
// of a flow mapping ({cpu: 1, memory: 2Gi}) is documented by its parent's.
func TestValuesDocumented(t *testing.T) {
	files, err := filepath.Glob("thingpark-*/values.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 6 {
		t.Fatalf("found %d values.yaml, want 6 (five charts and the library)", len(files))
	}
	for _, f := range files {
		t.Run(filepath.Dir(f), func(t *testing.T) {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var doc yaml.Node
			if err := yaml.Unmarshal(data, &doc); err != nil {
				t.Fatal(err)
			}
			if len(doc.Content) == 0 {
				if !strings.HasPrefix(strings.TrimSpace(string(data)), "#") {
					t.Errorf("%s: empty and without a comment", f)
				}
				return
			}
			checkDocumented(t, f, doc.Content[0], "")
		})
	}
}

func checkDocumented(t *testing.T, file string, n *yaml.Node, path string) {
	t.Helper()
	switch n.Kind {
	case yaml.MappingNode:
		if n.Style&yaml.FlowStyle != 0 {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := strings.TrimPrefix(path+"."+k.Value, ".")
			if k.HeadComment == "" && k.LineComment == "" && v.LineComment == "" {
				t.Errorf("%s:%d: key %s has no comment", file, k.Line, p)
			}
			checkDocumented(t, file, v, p)
		}
	case yaml.SequenceNode:
		for i, e := range n.Content {
			if e.Kind == yaml.MappingNode && e.Style&yaml.FlowStyle == 0 && len(e.Content) > 0 && e.HeadComment != "" && e.Content[0].HeadComment == "" {
				// "# doc\n- name: x": the comment belongs to the item, and
				// documents its first key.
				e.Content[0].HeadComment = e.HeadComment
			}
			checkDocumented(t, file, e, path+"["+string(rune('0'+i%10))+"]")
		}
	}
}
