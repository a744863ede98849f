package chartlock_test

import (
	"github.com/tpgen/tpgen/render/chartlock"
	"testing"
)

func TestReadMissing(t *testing.T) {
	l, ok, err := chartlock.Read(t.TempDir() + "/tpgen.lock")
	if err != nil || ok || l == nil {
		t.Fatal(l, ok, err)
	}
}
