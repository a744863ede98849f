package helm

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/template/parse"

	"helm.sh/helm/v3/pkg/chart"
)

// frameRE matches one frame of a template execution error, outermost
// first: template NAME, line, column, then the call that failed.
var frameRE = regexp.MustCompile(`template: ([^\s:]+):(\d+):(\d+): executing "[^"]*" at <[^>]*>: error calling (\w+): `)

// tplName is the template name Helm gives the text tpl runs.
const tplName = "gotpl"

var hintRE = regexp.MustCompile(`refused \(rendering must give the same bytes every run\)\n\s*hint: ([^\n]*)`)

var refusedRE = regexp.MustCompile(`non-deterministic template function "(\w+)" refused`)

// explainRefusal rewrites the engine's error for a refused function (see
// runtime.go) into one that names where the call is, the include chain
// that reached it, and the values the enclosing conditions read: the
// chart's way to use an existing Secret or a given value instead of a
// generated one. Other errors are returned as they are.
func explainRefusal(ch *chart.Chart, err error) error {
	msg := err.Error()
	fn := refusedRE.FindStringSubmatch(msg)
	if fn == nil {
		return err
	}
	frames := frameRE.FindAllStringSubmatch(msg, -1)
	if len(frames) == 0 {
		return err
	}
	var chain []string
	values := map[string]bool{}
	for _, f := range frames {
		line, _ := strconv.Atoi(f[2])
		col, _ := strconv.Atoi(f[3])
		// Named relative to the chart, as tpgen's other chart errors are.
		chain = append(chain, strings.TrimPrefix(f[1], ch.Name()+"/")+":"+f[2]+":"+f[3])
		for _, v := range conditionValues(ch, f[1], line, col) {
			values[v] = true
		}
	}
	// The call's place: the innermost frame in a chart file; text run by
	// tpl (template "gotpl") is named after it.
	at, inTpl := len(chain)-1, ""
	for at > 0 && frames[at][1] == tplName {
		at--
	}
	if frames[len(frames)-1][1] == tplName {
		inTpl = fmt.Sprintf(" in a string run by tpl (%s)", strings.TrimPrefix(chain[len(chain)-1], tplName+":"))
	}
	hint := ""
	if m := hintRE.FindStringSubmatch(msg); m != nil {
		hint = m[1]
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: non-deterministic template function %q refused%s (tpgen never renders generated secrets, keys or dates)", chain[at], fn[1], inTpl)
	if at > 0 {
		fmt.Fprintf(&b, "\n    called from %s", strings.Join(chain[:at], " -> "))
	}
	if hint != "" {
		fmt.Fprintf(&b, "\n    hint: %s", hint)
	}
	if len(values) > 0 {
		fmt.Fprintf(&b, "\n    hint: the call runs because of these values; set the one that makes the chart use an existing Secret or a given value (see the chart's values.yaml): %s", strings.Join(slices.Sorted(mapKeys(values)), ", "))
	}
	return errors.New(b.String())
}

func mapKeys(m map[string]bool) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// conditionValues returns the .Values paths read by the if/with/range
// conditions enclosing the call at line:col of template name (directly or
// through a variable declared in the same template).
func conditionValues(ch *chart.Chart, name string, line, col int) []string {
	src, ok := templateSource(ch, name)
	if !ok {
		return nil
	}
	tree := parse.New(name)
	tree.Mode = parse.SkipFuncCheck | parse.ParseComments
	set := map[string]*parse.Tree{}
	if _, err := tree.Parse(src, "{{", "}}", set); err != nil {
		return nil
	}
	want := name + ":" + strconv.Itoa(line) + ":" + strconv.Itoa(col)
	// Declarations: $x := <pipe>, anywhere in the file (defines included).
	decls := map[string][]*parse.PipeNode{}
	var found []*parse.PipeNode
	var visit func(n parse.Node, conds []*parse.PipeNode)
	visit = func(n parse.Node, conds []*parse.PipeNode) {
		switch n := n.(type) {
		case nil:
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				visit(c, conds)
			}
		case *parse.ActionNode:
			visit(n.Pipe, conds)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, v := range n.Decl {
				decls[v.Ident[0]] = append(decls[v.Ident[0]], n)
			}
			for _, c := range n.Cmds {
				visit(c, conds)
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				visit(a, conds)
			}
		case *parse.ChainNode:
			visit(n.Node, conds)
		case *parse.IdentifierNode:
			if loc, _ := tree.ErrorContext(n); loc == want && found == nil {
				found = slices.Clone(conds)
			}
		case *parse.IfNode:
			visitBranch(&n.BranchNode, conds, visit)
		case *parse.RangeNode:
			visitBranch(&n.BranchNode, conds, visit)
		case *parse.WithNode:
			visitBranch(&n.BranchNode, conds, visit)
		case *parse.TemplateNode:
			visit(n.Pipe, conds)
		}
	}
	// The file's own text and each of its defines is a tree; all share
	// the file's text, so positions compare.
	for _, name := range slices.Sorted(maps.Keys(set)) {
		visit(set[name].Root, nil)
	}
	visit(tree.Root, nil)
	out := map[string]bool{}
	seen := map[*parse.PipeNode]bool{}
	var read func(p *parse.PipeNode)
	read = func(p *parse.PipeNode) {
		if p == nil || seen[p] {
			return
		}
		seen[p] = true
		walkNodes(p, func(n parse.Node) {
			switch n := n.(type) {
			case *parse.FieldNode:
				if len(n.Ident) > 1 && n.Ident[0] == "Values" {
					out[strings.Join(n.Ident[1:], ".")] = true
				}
			case *parse.VariableNode:
				if len(n.Ident) > 2 && n.Ident[0] == "$" && n.Ident[1] == "Values" {
					out[strings.Join(n.Ident[2:], ".")] = true
				}
				for _, d := range decls[n.Ident[0]] {
					read(d)
				}
			}
		})
	}
	for _, c := range found {
		read(c)
	}
	// A subchart's values are under its name in the parent's values.
	prefix := ""
	parts := strings.Split(name, "/")
	for i := 1; i+1 < len(parts) && parts[i] == "charts"; i += 2 {
		prefix += parts[i+1] + "."
	}
	var paths []string
	for v := range out {
		if !strings.HasPrefix(v, "global.") {
			v = prefix + v
		}
		paths = append(paths, v)
	}
	slices.Sort(paths)
	return paths
}

func visitBranch(b *parse.BranchNode, conds []*parse.PipeNode, visit func(parse.Node, []*parse.PipeNode)) {
	visit(b.Pipe, conds)
	inner := append(slices.Clone(conds), b.Pipe)
	visit(b.List, inner)
	visit(b.ElseList, inner)
}

// walkNodes calls f for every node of a pipeline, fields and variables
// included.
func walkNodes(n parse.Node, f func(parse.Node)) {
	f(n)
	switch n := n.(type) {
	case *parse.PipeNode:
		if n == nil {
			return
		}
		for _, c := range n.Cmds {
			walkNodes(c, f)
		}
	case *parse.CommandNode:
		for _, a := range n.Args {
			walkNodes(a, f)
		}
	case *parse.ChainNode:
		walkNodes(n.Node, f)
	}
}

// templateSource finds template name ("chart/templates/x.yaml",
// "chart/charts/sub/templates/x.yaml") in ch or its subcharts.
func templateSource(ch *chart.Chart, name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, ch.Name()+"/")
	if !ok {
		return "", false
	}
	for _, t := range ch.Templates {
		if t.Name == rest {
			return string(t.Data), true
		}
	}
	if sub, ok := strings.CutPrefix(rest, "charts/"); ok {
		for _, d := range ch.Dependencies() {
			if strings.HasPrefix(sub, d.Name()+"/") {
				if s, ok := templateSource(d, sub); ok {
					return s, true
				}
			}
		}
	}
	return "", false
}
