{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Release.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
{{- define "web.selector" -}}
app.kubernetes.io/name: {{ .Release.Name }}
{{- end -}}
