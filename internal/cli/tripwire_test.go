package cli

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"

	"github.com/rogpeppe/go-internal/testscript"
)

// tripwires holds each script's loopback server request count.
var tripwires sync.Map // *testscript.TestScript -> *atomic.Int64

// tripwire: from here on, tpgen runs with every proxy variable pointing at
// a loopback server that counts requests, and with fake git, kustomize,
// helm, sh and ssh first in PATH that log being run to $WORK/exec.log.
// tripwire-untouched then proves nothing was contacted or run.
func tripwireCmd(ts *testscript.TestScript, neg bool, args []string) {
	n := new(atomic.Int64)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		fmt.Fprint(w, "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fetched}\n")
	}))
	ts.Defer(srv.Close)
	tripwires.Store(ts, n)
	for _, v := range []string{"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"} {
		ts.Setenv(v, srv.URL)
	}
	ts.Setenv("NO_PROXY", "")
	ts.Setenv("no_proxy", "")
	bin := ts.MkAbs(".tripwire-bin")
	ts.Check(os.MkdirAll(bin, 0o755))
	log := ts.MkAbs("exec.log")
	for _, prog := range []string{"git", "kustomize", "helm", "sh", "ssh"} {
		script := fmt.Sprintf("#!/bin/sh\necho %s \"$@\" >> %s\nexit 1\n", prog, log)
		ts.Check(os.WriteFile(filepath.Join(bin, prog), []byte(script), 0o755))
	}
	ts.Setenv("PATH", bin+string(filepath.ListSeparator)+ts.Getenv("PATH"))
	ts.Setenv("GIT_SSH_COMMAND", filepath.Join(bin, "ssh"))
}

func tripwireUntouchedCmd(ts *testscript.TestScript, neg bool, args []string) {
	v, ok := tripwires.Load(ts)
	if !ok {
		ts.Fatalf("tripwire-untouched without tripwire")
	}
	if n := v.(*atomic.Int64).Load(); n > 0 {
		ts.Fatalf("%d network request(s) reached the loopback server", n)
	}
	if b, err := os.ReadFile(ts.MkAbs("exec.log")); err == nil {
		ts.Fatalf("programs were run:\n%s", b)
	}
}
