package output

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// fleet is six sites of 200 files of 2 KiB, about the example fleet.
func fleet(version int) []Site {
	var sites []Site
	for s := range 6 {
		st := Site{Name: fmt.Sprintf("site-%d", s), Profile: "p.yaml", Inputs: "sha256:x"}
		for f := range 200 {
			st.Files = append(st.Files, File{
				Path: fmt.Sprintf("tier-%d/file-%03d.yaml", f%5, f),
				Data: []byte(fmt.Sprintf("# v%d\n%s", version, strings.Repeat("k: v\n", 400))),
			})
		}
		sites = append(sites, st)
	}
	return sites
}

func BenchmarkWriteFresh(b *testing.B) {
	sites := fleet(1)
	for b.Loop() {
		b.StopTimer()
		dir := b.TempDir()
		b.StartTimer()
		if _, err := Write(context.Background(), dir, sites, Options{Version: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteUnchanged is the common CI case: compare, write nothing.
func BenchmarkWriteUnchanged(b *testing.B) {
	dir := b.TempDir()
	sites := fleet(1)
	if _, err := Write(context.Background(), dir, sites, Options{Version: "bench"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Write(context.Background(), dir, sites, Options{Version: "bench"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWriteAllChanged rewrites every site (a release bump).
func BenchmarkWriteAllChanged(b *testing.B) {
	dir := b.TempDir()
	v := [2][]Site{fleet(1), fleet(2)}
	i := 0
	for b.Loop() {
		if _, err := Write(context.Background(), dir, v[i%2], Options{Version: "bench"}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCheck(b *testing.B) {
	dir := b.TempDir()
	sites := fleet(1)
	if _, err := Write(context.Background(), dir, sites, Options{Version: "bench"}); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if d, err := Check(dir, sites, Options{Version: "bench"}); err != nil || len(d) > 0 {
			b.Fatal(d, err)
		}
	}
}
