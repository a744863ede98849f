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
Strimzi pod template of one part of the Kafka cluster: the priority class,
affinity and tolerations shared by every Strimzi pod (kafka-cluster.*).
Input: dict "kc" <kafka-cluster values> "part" <part values>.
*/}}
{{- define "tpd.strimziPod" -}}
priorityClassName: {{ required "kafka-cluster.priorityClassName is required" .kc.priorityClassName }}
{{- with include "tpc.pullSecrets" (concat (.global.imagePullSecrets | default list) (.kc.imagePullSecrets | default list)) | fromYamlArray }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .kc.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .kc.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}
