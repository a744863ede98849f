{{/*
The topology of the ThingPark services, as data: one entry per workload,
rendered by tpc.component (thingpark-common) after merging the entry's values
block (values: its path in .Values). Keys beyond tpc.component's:
  values     path of the values block (replicaCount, resources, placement)
  image      image name under global.imageRegistry; the tag is appVersion
  http       the container's HTTP port: a Service named like the workload
             exposes it as port 80 "http" unless services is given
  ingress    paths on global.dnsHostname routed to that Service
  secretEnv  which Secret references the container gets (tpe.secretEnv)
Ports of the base-station flows are fixed by FACTS §3: the ingress-nginx
tcp map of thingpark-application-controllers points at the Services named
here (lrc-proxy, lrc-0, lrc-1, lrc-cluster, support-inbound, lrc-proxy-lns).
Input: the root context.
*/}}
{{- define "tpe.components" -}}
lrc:
  values: [lrc]
  kind: StatefulSet
  image: lrc
  serviceName: lrc-cluster
  podManagementPolicy: Parallel
  secretEnv: [installationId, mongo]
  ports:
    - {name: iec104, containerPort: 2404}
    - {name: sftp, containerPort: 2222}
    - {name: http, containerPort: 8080}
  services:
    # Governing Service of the StatefulSet and the clear SFTP backend.
    - name: lrc-cluster
      headless: true
      ports:
        - {name: iec104, port: 2404, targetPort: iec104}
        - {name: sftp, port: 22, targetPort: sftp}
        - {name: http, port: 80, targetPort: http}
    {{- range $i := until (int .Values.lrc.replicaCount) }}
    # One Service per LRC: base stations connect to LRC1 and LRC2 by port.
    - name: lrc-{{ $i }}
      selector: {statefulset.kubernetes.io/pod-name: lrc-{{ $i }}}
      ports:
        - {name: iec104, port: 2404, targetPort: iec104}
    {{- end }}
lrc-proxy:
  values: [lrc-proxy]
  image: lrc-proxy
  secretEnv: []
  ports:
    - {name: lrc1-tls, containerPort: 3001}
    - {name: lrc2-tls, containerPort: 3101}
    - {name: sftp-tls, containerPort: 3002}
    - {name: lns-tls, containerPort: 8443}
  services:
    - name: lrc-proxy
      ports:
        - {name: lrc1-tls, port: 3001, targetPort: lrc1-tls}
        - {name: lrc2-tls, port: 3101, targetPort: lrc2-tls}
        - {name: sftp-tls, port: 3002, targetPort: sftp-tls}
    {{- if .Values.global.basicsStation.enabled }}
    - name: lrc-proxy-lns
      ports:
        - {name: lns-tls, port: 8443, targetPort: lns-tls}
    {{- end }}
sql-proxy:
  values: [sql-proxy]
  image: sql-proxy
  secretEnv: [sql]
  ports:
    - {name: mysql, containerPort: 3306}
  services:
    - name: sql-proxy
      ports:
        - {name: mysql, port: 3306, targetPort: mysql}
support:
  values: [support]
  image: support
  secretEnv: [installationId]
  ports:
    - {name: ssh, containerPort: 2222}
  services:
    - name: support-inbound
      ports:
        - {name: ssh, port: 22, targetPort: ssh}
twa:
  values: [twa]
  image: twa
  http: 8080
  ingress: [/thingpark/wireless]
  secretEnv: [installationId, sql, mongo, smtp, oidc]
twa-admin:
  values: [twa-admin]
  image: twa-admin
  http: 8080
  ingress: [/thingpark/wireless-admin]
  secretEnv: [sql]
twa-dev:
  values: [twa-dev]
  image: twa-dev
  http: 8080
  secretEnv: [sql, mongo]
twa-ran:
  values: [twa-ran]
  image: twa-ran
  http: 8080
  secretEnv: [sql, mongo]
twa-task-res:
  values: [twa-task-res]
  image: twa-task-res
  http: 8080
  secretEnv: [sql]
twa-alarm-notif:
  values: [twa-alarm-notif]
  image: twa-alarm-notif
  http: 8080
  secretEnv: [sql, smtp]
task-notif-ws:
  values: [task-notif-ws]
  image: task-notif-ws
  http: 8080
  ingress: [/task-notif-ws]
  secretEnv: []
smp-tpe:
  values: [smp-tpe]
  image: smp-tpe
  http: 8080
  ingress: [/thingpark/smp]
  secretEnv: [sql, mongo]
tp-gui:
  values: [tp-gui]
  image: tp-gui
  http: 8080
  ingress: [/]
  secretEnv: []
wireless-pki:
  values: [wireless-pki]
  image: wireless-pki
  http: 8080
  secretEnv: [sql]
tpdx-tpe:
  values: [tpdx-tpe]
  image: tpdx-tpe
  http: 8080
  ingress: [/thingpark/dx]
  secretEnv: [sql, mongo]
{{- range $part := list "engine" "hub" "api" "supervisor" "bridge" "ui" }}
tpx-flow-{{ $part }}:
  values: [tpx-flow, {{ $part }}]
  component: tpx-flow
  image: tpx-flow-{{ $part }}
  http: 8080
  {{- if eq $part "api" }}
  ingress: [/iot-flow/v1]
  {{- else if eq $part "ui" }}
  ingress: [/iot-flow]
  {{- end }}
  secretEnv: [sql]
{{- end }}
cups-server:
  values: [cups-server]
  image: cups-server
  http: 8080
  ingress: [/update-info]
  secretEnv: []
locsolver:
  values: [locsolver]
  image: locsolver
  http: 8080
  secretEnv: []
nssa:
  values: [nssa]
  image: nssa
  http: 8080
  secretEnv: [mongo]
wlogger:
  values: [wlogger]
  image: wlogger
  http: 8080
  ingress: [/thingpark/wlogger]
  secretEnv: [sql]
shellinabox:
  values: [shellinabox]
  image: shellinabox
  http: 4200
  ingress: [/shellinabox]
  secretEnv: []
thingpark-enterprise-controller:
  values: [thingpark-enterprise-controller]
  image: thingpark-enterprise-controller
  http: 8080
  serviceAccountName: thingpark-enterprise-controller
  automountServiceAccountToken: true
  envFromExtra: thingpark-enterprise-controller
  secretEnv: [installationId, sql, mongo, backup]
{{- end }}

{{/*
Environment variables that reference Secrets, by tag. Only references: the
Secrets exist in the namespace (the user's, named in the profile) or are
made at run time (MariaDB by thingpark-data's generator, MongoDB by the
Percona operator). Input: dict "root" $ "tags" <list>. Output: a YAML list.
*/}}
{{- define "tpe.secretEnv" -}}
{{- $g := .root.Values.global -}}
{{- $b := $g.backup | default dict -}}
{{- range .tags }}
{{- if eq . "installationId" }}
- name: INSTALLATION_ID
  valueFrom:
    secretKeyRef:
      name: {{ required "global.installationId.secretRef.name is required" (dig "secretRef" "name" "" ($g.installationId | default dict)) }}
      key: {{ required "global.installationId.secretRef.key is required" (dig "secretRef" "key" "" ($g.installationId | default dict)) }}
{{- else if eq . "sql" }}
- name: SQL_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $g.sqlDb.existingSecret }}
      key: mariadb-password
{{- else if eq . "mongo" }}
- name: MONGODB_ADMIN_USER
  valueFrom:
    secretKeyRef:
      name: {{ $g.mongoDb.existingSecret }}
      key: MONGODB_CLUSTER_ADMIN_USER
- name: MONGODB_ADMIN_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ $g.mongoDb.existingSecret }}
      key: MONGODB_CLUSTER_ADMIN_PASSWORD
{{- else if eq . "smtp" }}
{{- with dig "smtpAuth" "secretRef" "" ($g.outgoingMail | default dict) }}
- name: SMTP_LOGIN
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: user
- name: SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: password
{{- end }}
{{- else if eq . "oidc" }}
{{- with dig "clientSecret" "secretRef" "" ($g.oauthFederation | default dict) }}
- name: OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}
{{- else if eq . "backup" }}
{{- with dig "amazon" "credentials" "secretRef" (dig "s3Compat" "credentials" "secretRef" "" $b) $b }}
- name: BACKUP_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: accessKey
- name: BACKUP_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: secretAccessKey
{{- end }}
{{- with dig "azure" "clientSecret" "secretRef" "" $b }}
- name: BACKUP_AZURE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}
{{- else }}
{{- fail (printf "tpe.secretEnv: unknown tag %q" .) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
A component entry completed for tpc.component: values merged over the
topology, image, Service, Secret references, shared settings.
Input: dict "root" $ "name" <name> "t" <topology entry>. Output: YAML.
*/}}
{{- define "tpe.component" -}}
{{- $root := .root -}}
{{- $t := .t -}}
{{- $v := $root.Values -}}
{{- range $t.values }}{{ $v = index $v . }}{{ end -}}
{{- $c := merge (dict) (pick $v "replicaCount" "priorityClassName" "resources" "nodeSelector" "tolerations") (omit $t "values" "http" "ingress" "secretEnv" "envFromExtra") -}}
{{- $_ := set $c "name" .name -}}
{{- $_ = set $c "image" (dict "repository" (printf "%s/%s" $root.Values.global.imageRegistry $t.image) "tag" $root.Chart.AppVersion) -}}
{{- if not $c.serviceAccountName }}{{ $_ = set $c "serviceAccountName" "thingpark-enterprise" }}{{ end -}}
{{- with $root.Values.global.imagePullSecrets }}{{ $_ = set $c "imagePullSecrets" . }}{{ end -}}
{{- $envFrom := list (dict "configMapRef" (dict "name" "thingpark-enterprise-config")) -}}
{{- with $t.envFromExtra }}{{ $envFrom = append $envFrom (dict "configMapRef" (dict "name" .)) }}{{ end -}}
{{- $_ = set $c "envFrom" $envFrom -}}
{{- with include "tpe.secretEnv" (dict "root" $root "tags" $t.secretEnv) | fromYamlArray }}{{ $_ = set $c "env" . }}{{ end -}}
{{- with $t.http -}}
{{- $_ = set $c "ports" (list (dict "name" "http" "containerPort" .)) -}}
{{- $_ = set $c "services" (list (dict "name" $.name "ports" (list (dict "name" "http" "port" 80 "targetPort" "http")))) -}}
{{- $_ = set $c "readinessProbe" (dict "tcpSocket" (dict "port" "http") "initialDelaySeconds" 10 "periodSeconds" 10) -}}
{{- end -}}
{{- if eq ($t.kind | default "") "StatefulSet" -}}
{{- $p := $v.persistence -}}
{{- $_ = set $c "volumeClaimTemplates" (list
  (dict "name" "data" "mountPath" "/var/lib/thingpark" "size" $p.size "storageClass" $p.storageClass)
  (dict "name" "ftp" "mountPath" "/var/ftp" "size" $p.ftpSize "storageClass" $p.ftpStorageClass)) -}}
{{- end -}}
{{- toYaml $c }}
{{- end }}
