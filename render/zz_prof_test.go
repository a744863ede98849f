package render_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime/pprof"
	"testing"
	"time"

	"github.com/tpgen/tpgen/internal/testfleet"
	"github.com/tpgen/tpgen/render"
)

func TestZZProf(t *testing.T) {
	if os.Getenv("ZZPROF") == "" {
		t.Skip()
	}
	dir := "/tmp/incr6/fleet"
	out := "/tmp/incr6/out"
	o := render.Options{Paths: []string{dir}, GitOpsPath: "sites", Version: "bench", Jobs: 2,
		WriteOptions: render.WriteOptions{OutDir: out}}
	if _, err := os.Stat(dir); err != nil {
		os.MkdirAll(dir, 0o755)
		testfleet.Write(t, dir, 100)
	}
	if _, err := render.Run(context.Background(), o); err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(filepath.Join("/tmp/incr6", "cpu.prof"))
	pprof.StartCPUProfile(f)
	start := time.Now()
	for range 5 {
		res, err := render.Run(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, s := range res.Sites {
			if !s.Skipped {
				n++
			}
		}
		t.Logf("rendered %d", n)
	}
	pprof.StopCPUProfile()
	t.Logf("per run %v", time.Since(start)/5)
}
