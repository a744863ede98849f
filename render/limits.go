package render

import (
	"fmt"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render/profile"
)

// Limits bound what one run reads and renders, so that a hostile or broken
// input fails fast with an error naming the limit and the flag that raises
// it, instead of eating the machine. A zero field takes its default.
type Limits struct {
	// FileSize bounds any one input file read: overlay and chart files,
	// and files of a rendered tree (--check, validate --rendered, diff).
	FileSize int64
	// ProfileSize bounds a profile file and a defaults.cue.
	ProfileSize int64
	// Objects bounds the objects of one site.
	Objects int
	// ObjectSize bounds one rendered object file.
	ObjectSize int64
	// SiteSize bounds the rendered files of one site, together.
	SiteSize int64
}

// DefaultLimits are the limits of a run that sets none.
var DefaultLimits = Limits{
	FileSize:    4 << 20,
	ProfileSize: profile.DefaultLimit.Max,
	Objects:     5000,
	ObjectSize:  3 << 19, // 1.5 MiB: etcd's default request limit, the largest object a cluster stores
	SiteSize:    64 << 20,
}

// orDefault fills the zero fields of l from DefaultLimits.
func (l Limits) orDefault() Limits {
	d := DefaultLimits
	if l.FileSize > 0 {
		d.FileSize = l.FileSize
	}
	if l.ProfileSize > 0 {
		d.ProfileSize = l.ProfileSize
	}
	if l.Objects > 0 {
		d.Objects = l.Objects
	}
	if l.ObjectSize > 0 {
		d.ObjectSize = l.ObjectSize
	}
	if l.SiteSize > 0 {
		d.SiteSize = l.SiteSize
	}
	return d
}

// File is the limit of one file read (the rendered tree, overlays,
// charts), for the verbs that read a tree outside Run.
func (l Limits) File() fsguard.Limit { return l.file() }

func (l Limits) file() fsguard.Limit {
	return fsguard.Limit{Max: l.orDefault().FileSize, What: "file size", Raise: "--max-file-size"}
}

func (l Limits) profile() fsguard.Limit {
	lim := profile.DefaultLimit
	lim.Max = l.orDefault().ProfileSize
	return lim
}

// checkRendered refuses a site whose rendering is over the limits: too
// many objects, an object file or the whole site too large.
func (l Limits) checkRendered(objects int, files []fileSize) error {
	l = l.orDefault()
	if objects > l.Objects {
		return fmt.Errorf("%d objects, over the limit of %d objects per site\nhint: raise it with --max-objects", objects, l.Objects)
	}
	var total int64
	for _, f := range files {
		if f.size > l.ObjectSize {
			return fmt.Errorf("%s: %s, over the limit of %s per object\nhint: raise it with --max-object-size", f.path, fsguard.Size(f.size), fsguard.Size(l.ObjectSize))
		}
		total += f.size
	}
	if total > l.SiteSize {
		return fmt.Errorf("%s rendered, over the limit of %s per site\nhint: raise it with --max-site-size", fsguard.Size(total), fsguard.Size(l.SiteSize))
	}
	return nil
}

// checkChart refuses a chart's output before it is parsed: the objects of
// the site with its documents, its largest document, or its bytes alone
// over the limits.
func (l Limits) checkChart(objects int, bytes, largest int64) error {
	l = l.orDefault()
	switch {
	case objects > l.Objects:
		return fmt.Errorf("%d objects, over the limit of %d objects per site\nhint: raise it with --max-objects", objects, l.Objects)
	case largest > l.ObjectSize:
		return fmt.Errorf("a document of %s, over the limit of %s per object\nhint: raise it with --max-object-size", fsguard.Size(largest), fsguard.Size(l.ObjectSize))
	case bytes > l.SiteSize:
		return fmt.Errorf("%s rendered, over the limit of %s per site\nhint: raise it with --max-site-size", fsguard.Size(bytes), fsguard.Size(l.SiteSize))
	}
	return nil
}

type fileSize struct {
	path string
	size int64
}
