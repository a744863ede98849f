//go:build e2e

package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// server is one running etcd + kube-apiserver.
type server struct {
	dyn    dynamic.Interface
	mapper *restmapper.DeferredDiscoveryRESTMapper
}

// startServer starts a fresh API server for the test and stops it (with
// apiserver-down.sh, which kills only the pids it recorded) when the test
// ends, failed or not.
func startServer(t *testing.T, sharedDir string) *server {
	t.Helper()
	// A short state path (the test's temp dir may be long), under
	// $TPGEN_E2E_STATE when set: `make e2e` stops whatever is left there
	// even if this process dies.
	dir, err := os.MkdirTemp(os.Getenv("TPGEN_E2E_STATE"), "tpgen-e2e-")
	if err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "APISERVER_DIR="+dir)
	tool := func(name string, stderr io.Writer) *exec.Cmd {
		c := exec.Command("bash", filepath.Join(sharedDir, "tools", name))
		c.Env, c.Stderr = env, stderr
		return c
	}
	t.Cleanup(func() {
		var log bytes.Buffer
		if err := tool("apiserver-down.sh", &log).Run(); err != nil {
			t.Errorf("apiserver-down.sh: %v\n%s", err, log.String())
		}
		os.RemoveAll(dir)
	})
	var stderr bytes.Buffer
	t0 := time.Now()
	out, err := tool("apiserver-up.sh", &stderr).Output()
	// apiserver-up.sh picks random loopback ports, which may meet a port
	// the kernel hands out to an outgoing connection in between: start
	// afresh (its state cleaned by apiserver-down.sh) a few times.
	for attempt := 2; err != nil && attempt <= 4 && strings.Contains(stderr.String(), "address already in use"); attempt++ {
		t.Logf("apiserver-up.sh: a port was taken, starting again (attempt %d)", attempt)
		_ = tool("apiserver-down.sh", io.Discard).Run()
		stderr.Reset()
		out, err = tool("apiserver-up.sh", &stderr).Output()
	}
	if err != nil {
		t.Fatalf("apiserver-up.sh: %v\n%s", err, stderr.String())
	}
	kubeconfig := ""
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		if k, ok := strings.CutPrefix(line, "export KUBECONFIG="); ok {
			kubeconfig = k
		}
	}
	if kubeconfig == "" {
		t.Fatalf("apiserver-up.sh printed no KUBECONFIG:\n%s\n%s", out, stderr.String())
	}
	t.Logf("API server up in %v", time.Since(t0).Round(time.Millisecond))
	cfg, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &server{dyn: dyn, mapper: restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(dc))}
}

// apply server-side applies one object as field manager tpgen-e2e, with
// strict field validation: an unknown field is an error, as in the
// in-process checks.
func (s *server) apply(ctx context.Context, obj map[string]any) error {
	u := &unstructured.Unstructured{Object: obj}
	gvk := u.GroupVersionKind()
	m, err := s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		s.mapper.Reset() // a CRD applied since the last discovery
		m, err = s.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return err
	}
	var ri dynamic.ResourceInterface = s.dyn.Resource(m.Resource)
	if m.Scope.Name() == meta.RESTScopeNameNamespace {
		ri = s.dyn.Resource(m.Resource).Namespace(u.GetNamespace())
	}
	data, err := u.MarshalJSON()
	if err != nil {
		return err
	}
	force := true
	_, err = ri.Patch(ctx, u.GetName(), types.ApplyPatchType, data, metav1.PatchOptions{
		FieldManager: "tpgen-e2e", Force: &force, FieldValidation: "Strict",
	})
	return err
}

var crdResource = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}

// waitEstablished waits until every named CRD is Established.
func (s *server) waitEstablished(ctx context.Context, names []string) error {
	for _, name := range names {
		err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, 60*time.Second, true, func(ctx context.Context) (bool, error) {
			u, err := s.dyn.Resource(crdResource).Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, nil
			}
			conds, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			for _, c := range conds {
				if m, ok := c.(map[string]any); ok && m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return fmt.Errorf("CRD %s not Established: %w", name, err)
		}
	}
	s.mapper.Reset()
	return nil
}

// ensureNamespace creates a namespace the cluster would already have (for
// GitOps objects: argocd, flux-system).
func (s *server) ensureNamespace(ctx context.Context, name string) error {
	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": name}}
	err := s.apply(ctx, ns)
	if apierrors.IsAlreadyExists(err) {
		return nil
	}
	return err
}
