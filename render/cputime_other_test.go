//go:build !unix

package render_test

import "time"

func cpuTime() (time.Duration, bool) { return 0, false }
