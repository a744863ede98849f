package kustomize

import "testing"

func TestTranslate(t *testing.T) {
	tests := []struct {
		name, msg, want string
	}{
		{name: "wrong kind", msg: `accumulating components: accumulateDirectory: "expected kind 'Component' for path 'ov' but got 'Kustomization'"`,
			want: "ov/kustomization.yaml is of kind Kustomization; a site overlay must be a Component\nhint: set `apiVersion: kustomize.config.k8s.io/v1alpha1` and `kind: Component` in ov/kustomization.yaml (a Component patches the site's objects; a Kustomization cannot)"},
		{name: "missing patch file", msg: `trouble configuring builtin PatchTransformer with config: ...: failed to get the patch file from path(p.yaml): 'ov/p.yaml' doesn't exist`,
			want: "ov/kustomization.yaml names the patch file p.yaml, which does not exist\nhint: a patch path is relative to ov; correct it or add the file"},
		{name: "unknown target", msg: `recursed accumulation of path 'ov': no resource matches strategic merge patch \"Deployment.v1.apps/x.[noNs]\": no matches`,
			want: "a patch of ov/kustomization.yaml targets Deployment.v1.apps/x.[noNs], which the site does not render\nhint: check the patch's apiVersion, kind, name and namespace against the rendered tree (DIR/<site>/<tier>/), or give the patch a target: selector"},
		{name: "no kustomization", msg: `couldn't make target for path 'ov': unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory 'ov'`,
			want: "ov holds no kustomization.yaml\nhint: the profile's overlay names a directory holding a kustomization.yaml of kind Component"},
		{name: "unknown field", msg: `invalid Kustomization: json: unknown field "patchez"`,
			want: "ov/kustomization.yaml has an unknown field \"patchez\"\nhint: see the Kustomize Component reference for the fields of a kustomization"},
		{name: "unknown target without a target selector", msg: `accumulating components: accumulateDirectory: "recursed accumulation of path 'ov': no matches for Id Deployment.v1.apps/nope.[noNs]; failed to find unique target for patch Deployment.v1.apps/nope.[noNs]"`,
			want: "a patch of ov/kustomization.yaml targets Deployment.v1.apps/nope.[noNs], which the site does not render\nhint: check the patch's apiVersion, kind, name and namespace against the rendered tree (DIR/<site>/<tier>/), or give the patch a target: selector"},
		{name: "JSON patch on a missing field", msg: `accumulating components: accumulateDirectory: "recursed accumulation of path 'ov': replace operation does not apply: doc is missing path: /spec/nothere/x: missing value"`,
			want: "a JSON patch of ov/kustomization.yaml cannot replace /spec/nothere/x: an object its target selects has no such field\nhint: narrow the patch's target: selector to the objects that have the field, or use op: add (its parent must exist); compare with the rendered tree (DIR/<site>/<tier>/)"},
		{name: "JSON patch removing a missing field", msg: `accumulateDirectory: "recursed accumulation of path 'ov': remove operation does not apply: doc is missing path: \"/spec/x\": missing value"`,
			want: "a JSON patch of ov/kustomization.yaml cannot remove /spec/x: an object its target selects has no such field\nhint: narrow the patch's target: selector to the objects that have the field, or use op: add (its parent must exist); compare with the rendered tree (DIR/<site>/<tier>/)"},
		{name: "a patch that does not parse", msg: "accumulateDirectory: \"recursed accumulation of path 'ov': trouble configuring builtin PatchTransformer with config: `\\npatch: |-\\n  - op: add\\n    value: {name: DB_PASS, value: hunter2, bad: [}\\n`: unable to parse SM or JSON patch from [patch: \\\"- op: add\\\\n  value: {name: DB_PASS, value: hunter2, bad: [}\\\"]\"",
			want: "a patch of ov/kustomization.yaml is neither a strategic-merge patch nor a JSON patch: its YAML does not parse (its text is not shown: it may hold a secret)\nhint: a patch is a partial object (apiVersion, kind, metadata.name and the fields to change) or a list of {op, path, value}; check its indentation, brackets and quotes"},
		{name: "a plugin's configuration is never printed", msg: "trouble configuring builtin PatchTransformer with config: `\npatch: |-\n  password: hunter2\n`: something new",
			want: "trouble configuring builtin PatchTransformer with config (not shown): something new"},
		{name: "other errors unchanged", msg: "something else ", want: "something else"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := translate(tt.msg, "ov"); got != tt.want {
				t.Errorf("translate:\n got %q\nwant %q", got, tt.want)
			}
		})
	}
	if got := translate("x", ""); got != "x" {
		t.Errorf("no site overlay: %q", got)
	}
}
