// Package modules embeds tpgen's built-in platform modules, one directory
// each (README "Modules" describes a module's layout). They are data: the
// pipeline reaches them through render/module, never by path.
package modules

import (
	"embed"
	"strings"
)

// FS holds every built-in module directory. The all: prefix keeps the
// charts' _helpers.tpl and .helmignore; the files beside the directories
// (this one, default) are not modules and render/module skips them.
//
//go:embed all:*
var FS embed.FS

//go:embed default
var defaultName string

// Default is the name of the module of a profile that names none.
func Default() string { return strings.TrimSpace(defaultName) }
