package profile

import (
	"errors"
	"fmt"
	"io/fs"

	"cuelang.org/go/cue"

	"github.com/tpgen/tpgen/render/module"
)

// InitTemplateFile is the `tpgen init` template of a module (text/template),
// at its root.
const InitTemplateFile = "init.yaml.tmpl"

// Info is a module's metadata (its CUE field module: {name, description}).
type Info struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// InitParam is one parameter of a module's init template, declared in its
// CUE package (init: params: [...]): the template reads it as .<Name>,
// `tpgen init` takes it as --<Flag>.
type InitParam struct {
	Name     string `json:"name"`
	Flag     string `json:"flag"`
	Help     string `json:"help"`
	Default  string `json:"default,omitempty"`
	Required bool   `json:"required,omitempty"`
	// Enum is the path of the #Profile field whose values complete the
	// flag (e.g. gitops.engine).
	Enum string `json:"enum,omitempty"`
}

// Describe returns module m's metadata. A module without a module field
// is described by its directory name.
func Describe(m *module.Module) (Info, error) {
	v, err := newSchema(newContext(), m)
	if err != nil {
		return Info{}, err
	}
	info := Info{Name: m.Name}
	if f := v.LookupPath(cue.ParsePath("module")); f.Exists() {
		if err := f.Decode(&info); err != nil {
			return Info{}, fmt.Errorf("reading the module field of module %s: %w", m.Name, err)
		}
	}
	return info, nil
}

// InitParams returns the parameters module m declares for its init
// template, in declaration order, and the template (empty when the module
// has none).
func InitParams(m *module.Module) ([]InitParam, string, error) {
	tmpl, err := fs.ReadFile(m.FS, InitTemplateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", err
	}
	v, err := newSchema(newContext(), m)
	if err != nil {
		return nil, "", err
	}
	var params []InitParam
	if f := v.LookupPath(cue.ParsePath("init.params")); f.Exists() {
		if err := f.Decode(&params); err != nil {
			return nil, "", fmt.Errorf("reading init.params of module %s: %w", m.Name, err)
		}
	}
	for _, p := range params {
		if p.Name == "" || p.Flag == "" {
			return nil, "", fmt.Errorf("reading init.params of module %s: a parameter needs a name and a flag (%+v)", m.Name, p)
		}
	}
	return params, string(tmpl), nil
}
