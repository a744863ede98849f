package helm

import (
	"fmt"
	"slices"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
)

// refused are the template functions whose output changes from run to run:
// time, randomness, fresh keys and salts. Rendering the same inputs twice must
// give the same bytes, so a chart that calls one is refused.
var refused = map[string]string{
	"now":                      "pass a fixed date in values",
	"ago":                      "pass a fixed duration in values",
	"randAlphaNum":             "take the value from values or a Secret reference",
	"randAlpha":                "take the value from values or a Secret reference",
	"randNumeric":              "take the value from values or a Secret reference",
	"randAscii":                "take the value from values or a Secret reference",
	"randBytes":                "take the value from values or a Secret reference",
	"randInt":                  "take the value from values",
	"uuidv4":                   "take the value from values",
	"shuffle":                  "sort instead",
	"genPrivateKey":            "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genCA":                    "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genCAWithKey":             "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSelfSignedCert":        "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSelfSignedCertWithKey": "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSignedCert":            "reference a Secret made outside the chart (e.g. by cert-manager)",
	"genSignedCertWithKey":     "reference a Secret made outside the chart (e.g. by cert-manager)",
	"htpasswd":                 "reference a Secret made outside the chart",
	"bcrypt":                   "reference a Secret made outside the chart",
	"encryptAES":               "reference a Secret made outside the chart",
}

// refuseNondeterminism parses every template of ch and its dependencies and
// fails on the first call of a refused function, naming template and line.
func refuseNondeterminism(ch *chart.Chart) error {
	var problems []string
	var visit func(c *chart.Chart, prefix string)
	visit = func(c *chart.Chart, prefix string) {
		for _, t := range c.Templates {
			name := prefix + t.Name
			tree := parse.New(name)
			tree.Mode = parse.SkipFuncCheck | parse.ParseComments
			if _, err := tree.Parse(string(t.Data), "{{", "}}", map[string]*parse.Tree{}); err != nil {
				continue // the engine reports syntax errors with their position
			}
			walk(tree.Root, func(n *parse.IdentifierNode) {
				if hint, ok := refused[n.Ident]; ok {
					loc, _ := tree.ErrorContext(n)
					problems = append(problems, fmt.Sprintf("%s: non-deterministic template function %q\n    hint: %s", loc, n.Ident, hint))
				}
			})
		}
		for _, d := range c.Dependencies() {
			visit(d, prefix+"charts/"+d.Metadata.Name+"/")
		}
	}
	visit(ch, "")
	if len(problems) == 0 {
		return nil
	}
	slices.Sort(problems)
	return fmt.Errorf("%s", strings.Join(problems, "\n"))
}

func walkBranch(b *parse.BranchNode, f func(*parse.IdentifierNode)) {
	walk(b.Pipe, f)
	walk(b.List, f)
	walk(b.ElseList, f)
}

func walk(n parse.Node, f func(*parse.IdentifierNode)) {
	switch n := n.(type) {
	case nil:
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, c := range n.Nodes {
			walk(c, f)
		}
	case *parse.ActionNode:
		walk(n.Pipe, f)
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walk(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walk(a, f)
		}
	case *parse.ChainNode:
		walk(n.Node, f)
	case *parse.IdentifierNode:
		f(n)
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walk(n.Pipe, f)
	}
}
