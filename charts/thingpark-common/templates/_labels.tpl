{{/*
Labels of every object. Input: dict "root" $ "name" <string> and optionally
"component" <string>. The version label follows the chart's appVersion, the
one thing allowed to change on upgrade; selectors use tpc.selectorLabels only.
*/}}
{{- define "tpc.labels" -}}
{{ include "tpc.selectorLabels" . }}
app.kubernetes.io/component: {{ .component | default .name }}
app.kubernetes.io/part-of: thingpark-enterprise
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end }}

{{/*
Selector labels: immutable for the life of a workload.
*/}}
{{- define "tpc.selectorLabels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- end }}

{{/*
An image reference from {repository, tag}. Images are pinned: an empty or
"latest" tag is an error, so a rendered tree is reproducible.
*/}}
{{- define "tpc.image" -}}
{{- $repo := required "image.repository is required" .repository -}}
{{- $tag := toString (required (printf "image.tag of %s is required" $repo) .tag) -}}
{{- if eq $tag "latest" -}}
{{- fail (printf "image %s: the tag must be an explicit version, not latest" $repo) -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end }}

{{/*
A value or, when unset, a default. Unlike sprig's default it keeps false and 0.
Input: list <value> <default>.
*/}}
{{- define "tpc.orDefault" -}}
{{- $v := index . 0 -}}
{{- if kindIs "invalid" $v }}{{ index . 1 }}{{ else }}{{ $v }}{{ end -}}
{{- end }}
