{{/*
tpc.component renders one component: its workload (Deployment or
StatefulSet), its Services and, when it runs more than one replica, its
PodDisruptionBudget. Input: dict "root" $ "c" <component>.

Component keys (a chart builds them from its own topology plus the values
block of the component; unset keys render nothing):
  name                 workload name, selector label app.kubernetes.io/name
  component            app.kubernetes.io/component label (default: name)
  kind                 Deployment (default) or StatefulSet
  image                {repository, tag}; tag must be explicit
  command, args        container command and arguments
  ports                [{name, containerPort}] (TCP)
  env, envFrom         container environment
  replicaCount         pods (default 1)
  resources            requests and limits (required)
  priorityClassName    required: one of the three tier-0 PriorityClasses
  nodeSelector, tolerations, affinity
  topologySpreadConstraints
  serviceAccountName   required: a ServiceAccount the chart renders
  automountServiceAccountToken  default false
  imagePullSecrets     [name or {name}, ...] (tpc.pullSecrets)
  podSecurityContext   default: runAsNonRoot, uid/gid 1000, RuntimeDefault seccomp
  securityContext      container; default: no privilege escalation, no capabilities
  readinessProbe, livenessProbe, startupProbe
  volumeMounts, volumes
  initContainers       [{name, image, resources}]: run in order before the
                       main container (ThingPark's upgrade and seed steps)
  extraContainers      [{name, image, resources}]: side containers
  volumeClaimTemplates [{name, size, storageClass, mountPath}] (StatefulSet)
  serviceName          StatefulSet governing Service (default: name)
  podManagementPolicy  StatefulSet (default OrderedReady)
  services             [{name, headless, type, annotations, publishNotReadyAddresses,
                         selector (extra labels), ports: [{name, port, targetPort}]}]
  pdb                  {maxUnavailable} (default 1); false disables it
  annotations          of the workload object
  podLabels, podAnnotations
*/}}
{{- define "tpc.component" -}}
{{- $c := .c -}}
{{- $ctx := dict "root" .root "name" $c.name "component" $c.component -}}
{{- $kind := $c.kind | default "Deployment" -}}
{{- $replicas := int (include "tpc.orDefault" (list $c.replicaCount 1)) }}
---
apiVersion: apps/v1
kind: {{ $kind }}
metadata:
  name: {{ $c.name }}
  labels:
    {{- include "tpc.labels" $ctx | nindent 4 }}
  {{- with $c.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  replicas: {{ $replicas }}
  revisionHistoryLimit: 3
  {{- if eq $kind "StatefulSet" }}
  serviceName: {{ $c.serviceName | default $c.name }}
  podManagementPolicy: {{ $c.podManagementPolicy | default "OrderedReady" }}
  {{- end }}
  selector:
    matchLabels:
      {{- include "tpc.selectorLabels" $ctx | nindent 6 }}
  template:
    metadata:
      labels:
        {{- include "tpc.labels" $ctx | nindent 8 }}
        {{- with $c.podLabels }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
      {{- with $c.podAnnotations }}
      annotations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
    spec:
      {{- include "tpc.podSpec" . | nindent 6 }}
  {{- if and (eq $kind "StatefulSet") $c.volumeClaimTemplates }}
  volumeClaimTemplates:
    {{- range $c.volumeClaimTemplates }}
    - metadata:
        name: {{ .name }}
        labels:
          {{- include "tpc.selectorLabels" $ctx | nindent 10 }}
      spec:
        accessModes: ["ReadWriteOnce"]
        storageClassName: {{ required (printf "%s: storageClass of volume %s" $c.name .name) .storageClass }}
        resources:
          requests:
            storage: {{ required (printf "%s: size of volume %s" $c.name .name) .size }}
    {{- end }}
  {{- end }}
{{- range $c.services }}
{{ include "tpc.service" (dict "root" $.root "c" $c "s" .) }}
{{- end }}
{{- if and (gt $replicas 1) (ne (toString $c.pdb) "false") }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ $c.name }}
  labels:
    {{- include "tpc.labels" $ctx | nindent 4 }}
spec:
  maxUnavailable: {{ (and (kindIs "map" $c.pdb) $c.pdb.maxUnavailable) | default 1 }}
  selector:
    matchLabels:
      {{- include "tpc.selectorLabels" $ctx | nindent 6 }}
{{- end }}
{{- end }}

{{/*
tpc.service renders one Service of a component. Input: dict "root" $ "c"
<component> "s" <service>.
*/}}
{{- define "tpc.service" -}}
{{- $c := .c -}}
{{- $s := .s -}}
{{- $ctx := dict "root" .root "name" $c.name "component" $c.component }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $s.name }}
  labels:
    {{- include "tpc.labels" $ctx | nindent 4 }}
  {{- with $s.annotations }}
  annotations:
    {{- toYaml . | nindent 4 }}
  {{- end }}
spec:
  type: {{ $s.type | default "ClusterIP" }}
  {{- if $s.headless }}
  clusterIP: None
  {{- end }}
  {{- if $s.publishNotReadyAddresses }}
  publishNotReadyAddresses: true
  {{- end }}
  {{- with $s.externalTrafficPolicy }}
  externalTrafficPolicy: {{ . }}
  {{- end }}
  selector:
    {{- include "tpc.selectorLabels" $ctx | nindent 4 }}
    {{- with $s.selector }}
    {{- toYaml . | nindent 4 }}
    {{- end }}
  ports:
    {{- range $s.ports }}
    - name: {{ .name }}
      port: {{ int .port }}
      targetPort: {{ if kindIs "string" .targetPort }}{{ .targetPort }}{{ else }}{{ int (.targetPort | default .port) }}{{ end }}
      protocol: TCP
    {{- end }}
{{- end }}

{{/*
tpc.podSpec renders a Pod spec. Input: dict "root" $ "c" <component>.
*/}}
{{- define "tpc.podSpec" -}}
{{- $c := .c -}}
serviceAccountName: {{ required (printf "%s: serviceAccountName is required" $c.name) $c.serviceAccountName }}
automountServiceAccountToken: {{ include "tpc.orDefault" (list $c.automountServiceAccountToken false) }}
priorityClassName: {{ required (printf "%s: priorityClassName is required" $c.name) $c.priorityClassName }}
{{- with $c.restartPolicy }}
restartPolicy: {{ . }}
{{- end }}
{{- with include "tpc.pullSecrets" $c.imagePullSecrets | fromYamlArray }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $c.topologySpreadConstraints }}
topologySpreadConstraints:
  {{- toYaml . | nindent 2 }}
{{- end }}
securityContext:
  {{- toYaml ($c.podSecurityContext | default (dict "runAsNonRoot" true "runAsUser" 1000 "runAsGroup" 1000 "fsGroup" 1000 "seccompProfile" (dict "type" "RuntimeDefault"))) | nindent 2 }}
{{- with $c.terminationGracePeriodSeconds }}
terminationGracePeriodSeconds: {{ int . }}
{{- end }}
{{- with $c.initContainers }}
initContainers:
  {{- include "tpc.extraContainers" (dict "c" $c "list" .) | nindent 2 }}
{{- end }}
containers:
  {{- with $c.extraContainers }}
  {{- include "tpc.extraContainers" (dict "c" $c "list" .) | nindent 2 }}
  {{- end }}
  - name: {{ $c.containerName | default $c.name }}
    image: {{ include "tpc.image" (required (printf "%s: image is required" $c.name) $c.image) }}
    imagePullPolicy: IfNotPresent
    {{- with $c.command }}
    command:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.args }}
    args:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.ports }}
    ports:
      {{- range . }}
      - name: {{ .name }}
        containerPort: {{ int .containerPort }}
        protocol: TCP
      {{- end }}
    {{- end }}
    {{- with $c.envFrom }}
    envFrom:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.env }}
    env:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    resources:
      {{- toYaml (required (printf "%s: resources are required" $c.name) $c.resources) | nindent 6 }}
    securityContext:
      {{- toYaml ($c.securityContext | default (dict "allowPrivilegeEscalation" false "privileged" false "capabilities" (dict "drop" (list "ALL")))) | nindent 6 }}
    {{- with $c.readinessProbe }}
    readinessProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.livenessProbe }}
    livenessProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- with $c.startupProbe }}
    startupProbe:
      {{- toYaml . | nindent 6 }}
    {{- end }}
    {{- $mounts := list -}}
    {{- range $c.volumeClaimTemplates }}
    {{- $mounts = append $mounts (dict "name" .name "mountPath" .mountPath) -}}
    {{- end }}
    {{- $mounts = concat $mounts ($c.volumeMounts | default list) -}}
    {{- with $mounts }}
    volumeMounts:
      {{- toYaml . | nindent 6 }}
    {{- end }}
{{- with $c.volumes }}
volumes:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}


{{/*
tpc.extraContainers renders init or side containers of a component: name,
image and resources each, the default container securityContext.
Input: dict "c" <component> "list" <containers>.
*/}}
{{- define "tpc.extraContainers" -}}
{{- $c := .c -}}
{{- range .list }}
- name: {{ .name }}
  image: {{ include "tpc.image" (required (printf "%s: image of container %s is required" $c.name .name) .image) }}
  imagePullPolicy: IfNotPresent
  resources:
    {{- toYaml (required (printf "%s: resources of container %s are required" $c.name .name) .resources) | nindent 4 }}
  securityContext:
    {{- toYaml (dict "allowPrivilegeEscalation" false "privileged" false "capabilities" (dict "drop" (list "ALL"))) | nindent 4 }}
{{- end }}
{{- end }}

{{/*
tpc.pullSecrets: image pull Secrets as a pod spec takes them, from a list
that mixes names and {name} entries (the real charts' samples write both:
global.imagePullSecrets of the data stack holds names, the other blocks
{name}), each once, in first-seen order. Input: a list (may be nil).
Output: a YAML list of {name}.
*/}}
{{- define "tpc.pullSecrets" -}}
{{- $names := list -}}
{{- range . -}}
{{- $n := . -}}
{{- if kindIs "map" . }}{{ $n = .name }}{{ end -}}
{{- if not (has $n $names) }}{{ $names = append $names $n }}{{ end -}}
{{- end -}}
{{- range $names }}
- name: {{ . }}
{{- end }}
{{- end }}
