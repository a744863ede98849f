package cli

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tpgen/tpgen/internal/fsguard"
	"github.com/tpgen/tpgen/render"
)

// addLimitFlags adds the --max-* flags of render, validate and diff to f,
// bound to the returned Limits (render.DefaultLimits until set).
func addLimitFlags(f *pflag.FlagSet) *render.Limits {
	l := render.DefaultLimits
	f.Var((*sizeFlag)(&l.FileSize), "max-file-size", "largest input file read (overlay, chart, rendered file), e.g. 8MiB")
	f.Var((*sizeFlag)(&l.ProfileSize), "max-profile-size", "largest profile or defaults.cue, e.g. 2MiB")
	f.IntVar(&l.Objects, "max-objects", l.Objects, "most objects rendered for one site")
	f.Var((*sizeFlag)(&l.ObjectSize), "max-object-size", "largest rendered object file, e.g. 2MiB")
	f.Var((*sizeFlag)(&l.SiteSize), "max-site-size", "most bytes rendered for one site, e.g. 128MiB")
	return &l
}

// sizeFlag is a byte count: a number of bytes, or with a KiB, MiB or GiB
// suffix.
type sizeFlag int64

func (s *sizeFlag) String() string { return fsguard.Size(int64(*s)) }

func (s *sizeFlag) Type() string { return "size" }

func (s *sizeFlag) Set(v string) error {
	mult := int64(1)
	num := strings.TrimSpace(v)
	for suffix, m := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(num, suffix); ok {
			num, mult = strings.TrimSpace(n), m
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return fmt.Errorf("want a positive size in bytes, or with a KiB, MiB or GiB suffix (e.g. 8MiB), got %q", v)
	}
	*s = sizeFlag(n * mult)
	return nil
}
