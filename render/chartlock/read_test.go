package chartlock_test
import ("testing";"github.com/tpgen/tpgen/render/chartlock")
func TestReadMissing(t *testing.T) {
	l, ok, err := chartlock.Read(t.TempDir()+"/tpgen.lock")
	if err != nil || ok || l == nil { t.Fatal(l, ok, err) }
}
