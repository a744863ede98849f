package validate

import (
	"fmt"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation/field"

	"github.com/tpgen/tpgen/render/kube"
	"github.com/tpgen/tpgen/render/object"
)

// podTemplate is a Pod spec inside a built-in object.
type podTemplate struct {
	tmpl   *field.Path // of the template (nil for a Pod)
	path   *field.Path // of the Pod spec
	spec   map[string]any
	labels labels.Set
}

// templatePaths says where each built-in kind keeps its Pod template (the
// path of the template object; "" is the object itself, for Pod).
var templatePaths = map[string][]string{
	"Pod":                   {},
	"PodTemplate":           {"template"},
	"ReplicationController": {"spec", "template"},
	"Deployment.apps":       {"spec", "template"},
	"StatefulSet.apps":      {"spec", "template"},
	"DaemonSet.apps":        {"spec", "template"},
	"ReplicaSet.apps":       {"spec", "template"},
	"Job.batch":             {"spec", "template"},
	"CronJob.batch":         {"spec", "jobTemplate", "spec", "template"},
}

func podTemplateOf(o object.Object) (podTemplate, bool) {
	p, ok := templatePaths[o.GroupKind()]
	if !ok {
		return podTemplate{}, false
	}
	tmpl, ok := object.Dig(o.Doc, p...).(map[string]any)
	if !ok {
		return podTemplate{}, false
	}
	spec, ok := tmpl["spec"].(map[string]any)
	if !ok {
		return podTemplate{}, false
	}
	var tp *field.Path
	if len(p) > 0 {
		tp = field.NewPath(p[0], p[1:]...)
	}
	return podTemplate{tmpl: tp, path: tp.Child("spec"), spec: spec, labels: kube.LabelSet(object.Dig(tmpl, "metadata", "labels"))}, true
}

// container is one container of a Pod spec.
type container struct {
	path *field.Path
	c    map[string]any
}

func (pt podTemplate) containers() []container {
	var out []container
	for _, list := range []string{"initContainers", "containers", "ephemeralContainers"} {
		cs, _ := pt.spec[list].([]any)
		for i, c := range cs {
			if m, ok := c.(map[string]any); ok {
				out = append(out, container{path: pt.path.Child(list).Index(i), c: m})
			}
		}
	}
	return out
}

func (c container) name() string { return str(c.c["name"]) }

// checkPods: pod-resources, pod-priority-class, image-pinned, privileged,
// host-path, host-namespaces.
func (s *site) checkPods() {
	for i := range s.items {
		it := &s.items[i]
		pt, ok := podTemplateOf(it.Object)
		if !ok {
			continue
		}
		s.checkPriorityClass(it, pt)
		for _, h := range []string{"hostNetwork", "hostPID", "hostIPC"} {
			if pt.spec[h] == true {
				s.report(it, "host-namespaces", pt.path.Child(h), h+" is true: the pods share the node's "+strings.TrimPrefix(strings.ToLower(h), "host")+" namespace",
					"remove "+h+", or waive host-namespaces for this object with a reason")
			}
		}
		vols, _ := pt.spec["volumes"].([]any)
		for j, v := range vols {
			if object.Dig(v, "hostPath") != nil {
				s.report(it, "host-path", pt.path.Child("volumes").Index(j).Child("hostPath"),
					fmt.Sprintf("volume %q mounts the node's %s", str(object.Dig(v, "name")), str(object.Dig(v, "hostPath", "path"))),
					"use a PersistentVolumeClaim, emptyDir or projected volume, or waive host-path for this object with a reason")
			}
		}
		for _, c := range pt.containers() {
			s.checkContainer(it, c, strings.Contains(c.path.String(), "ephemeralContainers"))
		}
	}
}

func (s *site) checkPriorityClass(it *Item, pt podTemplate) {
	want := s.o.Policy.PriorityClasses
	p := pt.path.Child("priorityClassName")
	pc, _ := pt.spec["priorityClassName"].(string)
	hint := "set priorityClassName to one of " + strings.Join(want, ", ")
	switch {
	case pc == "":
		s.report(it, "pod-priority-class", p, "no priorityClassName: the pods would run at the cluster's default priority", hint)
	case !slices.Contains(want, pc):
		s.report(it, "pod-priority-class", p, fmt.Sprintf("priorityClassName %q is not one of the profile's priority classes", pc), hint)
	}
}

func (s *site) checkContainer(it *Item, c container, ephemeral bool) {
	if !ephemeral { // ephemeral containers take no resources
		var missing []string
		for _, r := range []string{"cpu", "memory"} {
			if object.Dig(c.c, "resources", "requests", r) == nil {
				missing = append(missing, r)
			}
		}
		if len(missing) > 0 {
			s.report(it, "pod-resources", c.path.Child("resources", "requests"),
				fmt.Sprintf("container %q requests no %s", c.name(), strings.Join(missing, " and no ")),
				"set resources.requests."+strings.Join(missing, " and resources.requests.")+" (the scheduler places pods by their requests)")
		}
	}
	img := str(c.c["image"])
	if why := unpinned(img); why != "" {
		s.report(it, "image-pinned", c.path.Child("image"), fmt.Sprintf("image %q %s", img, why),
			"pin a version tag (e.g. repo/name:1.2.3) or a digest (repo/name@sha256:...)")
	}
	if object.Dig(c.c, "securityContext", "privileged") == true {
		s.report(it, "privileged", c.path.Child("securityContext", "privileged"),
			fmt.Sprintf("container %q runs privileged: it has every capability of the node", c.name()),
			"drop privileged and add only the capabilities needed, or waive privileged for this object with a reason")
	}
}

// unpinned says why an image reference is not pinned, or "".
func unpinned(image string) string {
	if image == "" {
		return "is empty"
	}
	if strings.Contains(image, "@") {
		return ""
	}
	last := image[strings.LastIndex(image, "/")+1:]
	_, tag, ok := strings.Cut(last, ":")
	switch {
	case !ok || tag == "":
		return "has no tag: it pulls latest"
	case tag == "latest":
		return "uses the tag latest"
	}
	return ""
}

func str(v any) string { s, _ := v.(string); return s }
