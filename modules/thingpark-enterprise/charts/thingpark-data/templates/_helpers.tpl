{{/*
A ServiceAccount for pods that do not call the Kubernetes API.
Input: dict "root" $ "name" <name> "component" <label>.
*/}}
{{- define "tpd.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .name }}
  labels:
    {{- include "tpc.labels" . | nindent 4 }}
automountServiceAccountToken: false
{{- end }}

{{/*
Strimzi pod template of one part of the Kafka cluster: the part's priority
class plus the affinity and tolerations shared by every Strimzi pod.
Input: dict "kc" <kafka-cluster values> "part" <part values>.
*/}}
{{- define "tpd.strimziPod" -}}
priorityClassName: {{ required "kafka-cluster: priorityClassName is required" .part.priorityClassName }}
{{- with .kc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .kc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
