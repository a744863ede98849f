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

{{/*
TLS of the GUI and APIs, shared by the chart that runs cert-manager (it
renders the Issuer) and the chart whose Ingresses use it. Input:
global.ingress.tls (may be nil). Output, as YAML: issuer (the cert-manager
Issuer name, empty for an external certificate) and secretName (the TLS
Secret of the Ingresses: made by cert-manager at run time, or, external,
by thingpark-application-controllers from the certificate values).
Unset issuer means self-signed, as in the real charts.
*/}}
{{- define "tpc.tls" -}}
{{- $tls := . | default dict -}}
{{- $mode := $tls.issuer | default "selfSigned" -}}
{{- if eq $mode "external" -}}
mode: external
secretName: thingpark-enterprise-tls
{{- else if eq $mode "letsencrypt" -}}
mode: letsencrypt
issuer: letsencrypt-prod
secretName: thingpark-enterprise-tls
{{- else if eq $mode "selfSigned" -}}
mode: selfSigned
issuer: internal-ca-issuer
secretName: thingpark-enterprise-tls
{{- else -}}
{{- fail (printf "global.ingress.tls.issuer %q: want external, letsencrypt or unset (self-signed)" $mode) -}}
{{- end -}}
{{- end }}
