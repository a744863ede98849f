{{/*
The topology of the ThingPark services, as data: one entry per workload,
rendered by tpc.component (thingpark-common) after merging the entry's values
block (values: its path in .Values). Keys beyond tpc.component's:
  values     path of the values block (replicaCount, resources, placement)
  image      image name in images/<appVersion>.yaml (the release's manifest)
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
  resourcesAt: [lrc, lrc]
  sidecars:
    - {name: lns-bridge, at: [lrc, lnsBridge], image: lns-bridge}
    - {name: lrc-sync, at: [lrc, lrcSync], image: lrc-sync}
    - {name: sftp, at: [lrc, sftp], image: sftp}
    - {name: rfscan-batch, at: [lrc, rfscanBatch], image: cron-rfscan}
    - {name: lrr-fw-fetch, at: [lrc, lrrFwFetch], image: fwfetch}
  {{- if dig "lrc" "lrcIni" nil .Values.lrc }}
  lrcIni: true
  {{- end }}
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
  resourcesAt: [lrc-proxy, haProxy]
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
  init:
    - {name: sql-proxy-init, at: [sql-proxy, initContainers], image: proxysql-init}
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
  resourcesAt: [twa, twaCore]
  init:
    - {name: twa-init, at: [twa, initContainers], image: twa-scripts}
    - {name: twa-upgrade, at: [twa, upgrade], image: twa-sql}
    - {name: twa-mongo-upgrade, at: [twa, mongoUpgrade], image: twa-mongo}
    - {name: twa-seed, at: [twa, seed], image: twa-scripts}
  sidecars:
    - {name: twa-cron, at: [twa, cron], image: rca-cron}
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
  resourcesAt: [twa, twaDev]
  image: twa-dev
  http: 8080
  secretEnv: [sql, mongo]
twa-ran:
  values: [twa-ran]
  resourcesAt: [twa, twaRan]
  image: twa-ran
  http: 8080
  secretEnv: [sql, mongo]
twa-task-res:
  values: [twa-task-res]
  resourcesAt: [twa, twaTaskRes]
  image: twa-task-res
  http: 8080
  secretEnv: [sql]
twa-alarm-notif:
  values: [twa-alarm-notif]
  resourcesAt: [twa, twaAlarmNotif]
  image: twa-alarm-notif
  http: 8080
  secretEnv: [sql, smtp]
task-notif-ws:
  values: [task-notif-ws]
  resourcesAt: [twa, taskNotifWs]
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
  init:
    - {name: wireless-pki-init, at: [wireless-pki, initContainers], image: wireless-pki}
    - {name: wireless-pki-sql-upgrade, at: [wireless-pki, sqlUpgrade], image: wireless-pki}
    - {name: wireless-pki-seed, at: [wireless-pki, seedJob], image: wireless-pki}
  sidecars:
    - {name: wireless-pki-cron, at: [wireless-pki, cron], image: wireless-pki}
  image: wireless-pki
  http: 8080
  secretEnv: [sql]
tpdx-tpe:
  values: [tpdx-tpe]
  init:
    - {name: tpdx-sql-upgrade, at: [tpdx-tpe, sqlUpgrade], image: tpdx-admin-database}
    - {name: tpdx-upgrade, at: [tpdx-tpe, upgrade], image: tpdx-admin-tpe}
  image: tpdx-tpe
  http: 8080
  ingress: [/thingpark/dx]
  secretEnv: [sql, mongo]
{{- range $part := list "engine" "hub" "api" "supervisor" "bridge" "ui" }}
tpx-flow-{{ $part }}:
  values: [tpx-flow, {{ $part }}]
  {{- if eq $part "engine" }}
  init:
    - {name: tpx-flow-sql-upgrade, at: [tpx-flow, sqlUpgrade], image: tpx-flow-database}
    - {name: tpx-flow-secret-upgrade, at: [tpx-flow, secretUpgrade], image: tpx-flow-database}
    - {name: tpx-flow-driver-upgrade, at: [tpx-flow, driverUpgrade], image: tpx-flow-driver}
  {{- end }}
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
  valuesAt: [nssa, networkSurvey]
  init:
    - {name: nssa-upgrade, at: [nssa, upgradeJob], image: nssa-mongo}
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
{{- with dig "spectrumAnalysis" nil .Values.nssa }}
nssa-spectrum-analysis:
  values: [nssa, spectrumAnalysis]
  image: nssa-spectrum-analysis
  http: 8080
  secretEnv: [mongo]
{{- end }}
{{- if gt (int (dig "twaDevTaskFc" "replicaCount" 0 .Values.twa)) 0 }}
twa-dev-task-fc:
  values: [twa, twaDevTaskFc]
  image: twa-dev
  http: 8080
  secretEnv: [sql, mongo]
{{- end }}
thingpark-enterprise-controller:
  values: [thingpark-enterprise-controller]
  init:
    - {name: tpe-toolkit, at: [tpe-toolkit, jobs], image: tpe-toolkit}
  image: thingpark-enterprise-controller
  http: 8080
  serviceAccountName: thingpark-enterprise-controller
  automountServiceAccountToken: true
  envFromExtra: thingpark-enterprise-controller
  secretEnv: [installationId, sql, mongo, backup]
{{- end }}

{{/*
Environment variables that reference Secrets, by tag. Only references: the
Secrets this chart renders from the values given by value (secrets.yaml),
or ones made at run time (MariaDB by thingpark-data's generator, MongoDB by
the Percona operator). Input: dict "root" $ "tags" <list>. Output: a YAML
list.
*/}}
{{- define "tpe.secretEnv" -}}
{{- $g := .root.Values.global -}}
{{- $b := $g.backup | default dict -}}
{{- $backend := dict -}}
{{- range $k := list "amazon" "azure" "s3Compat" }}{{ with index $b $k }}{{ $backend = . }}{{ end }}{{ end -}}
{{- range .tags }}
{{- if eq . "installationId" }}
- name: INSTALLATION_ID
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-installation
      key: installation-id
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
{{- if dig "smtpAuth" "" ($g.outgoingMail | default dict) }}
- name: SMTP_LOGIN
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-smtp
      key: login
- name: SMTP_PASSWORD
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-smtp
      key: password
{{- end }}
{{- else if eq . "oidc" }}
{{- if dig "clientSecret" "" ($g.oauthFederation | default dict) }}
- name: OIDC_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-oidc
      key: client-secret
{{- end }}
{{- else if eq . "backup" }}
{{- if $backend.accessKey }}
- name: BACKUP_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-backup
      key: access-key
- name: BACKUP_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-backup
      key: secret-access-key
{{- end }}
{{- if $backend.clientSecret }}
- name: BACKUP_AZURE_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: thingpark-enterprise-backup
      key: client-secret
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
{{- /* A part of a block (tpx-flow.engine) takes the block's priority class
and placement, as the priority-class and selectors samples set them. */ -}}
{{- $block := index $root.Values (first $t.values) -}}
{{- $shared := pick $block "priorityClassName" "nodeSelector" "tolerations" -}}
{{- $c := merge (dict) (pick $v "replicaCount" "priorityClassName" "resources" "nodeSelector" "tolerations") $shared (omit $t "values" "http" "ingress" "secretEnv" "envFromExtra" "resourcesAt" "valuesAt" "init" "sidecars" "lrcIni") -}}
{{- /* lrc: the lrc container's requests and limits are lrc.lrc.resources. */ -}}
{{- /* Where Actility's files size a component elsewhere (lrc.lrc,
lrc-proxy.haProxy, 8.0's twa.twaCore and twa.* parts, nssa.networkSurvey),
that block's replicaCount and resources win when the values hold it. */ -}}
{{- range $at := list $t.resourcesAt $t.valuesAt }}
{{- with $at }}
{{- $r := include "tpe.dig" (dict "v" $root.Values "path" .) | fromYaml -}}
{{- with $r.replicaCount }}{{ $_ := set $c "replicaCount" . }}{{ end -}}
{{- with $r.resources }}{{ $_ := set $c "resources" . }}{{ end -}}
{{- end }}
{{- end -}}
{{- /* Upgrade and seed steps run as init containers, cron and helper
processes as side containers, each sized by its own values block; one is
rendered when the values size it. */ -}}
{{- range $kind := list "init" "sidecars" }}
{{- $list := list -}}
{{- range $e := (get $t $kind | default list) }}
{{- $r := include "tpe.dig" (dict "v" $root.Values "path" $e.at) | fromYaml -}}
{{- with $r.resources }}
{{- $list = append $list (dict "name" $e.name "image" (include "tpe.image" (dict "root" $root "name" $e.image) | fromYaml) "resources" .) -}}
{{- end }}
{{- end }}
{{- with $list }}{{ $_ := set $c (ternary "initContainers" "extraContainers" (eq $kind "init")) . }}{{ end -}}
{{- end -}}
{{- if $t.lrcIni -}}
{{- $_ := set $c "volumes" (list (dict "name" "lrc-ini" "configMap" (dict "name" "lrc-ini"))) -}}
{{- $_ = set $c "volumeMounts" (list (dict "name" "lrc-ini" "mountPath" "/etc/thingpark/lrc.ini" "subPath" "lrc.ini")) -}}
{{- end -}}
{{- $_ := set $c "name" .name -}}
{{- $_ = set $c "image" (include "tpe.image" (dict "root" $root "name" $t.image) | fromYaml) -}}
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

{{/*
The value at path in v, as YAML ({} when absent). Input: dict "v" <map>
"path" <list of keys>.
*/}}
{{- define "tpe.dig" -}}
{{- $v := .v -}}
{{- range .path }}{{ if kindIs "map" $v }}{{ $v = index $v . }}{{ else }}{{ $v = dict }}{{ end }}{{ end -}}
{{- if kindIs "map" $v }}{{ toYaml $v }}{{ else }}{}{{ end -}}
{{- end }}

{{/*
The image of a ThingPark service: its reference in images/<appVersion>.yaml
(the release's container manifest) under global.imageRegistry, as
{repository, tag}. Input: dict "root" $ "name" <image name>.
*/}}
{{- define "tpe.image" -}}
{{- $file := printf "images/%s.yaml" .root.Chart.AppVersion -}}
{{- $ref := index (.root.Files.Get $file | fromYaml) .name -}}
{{- if not $ref }}{{ fail (printf "image %s: not in %s (release %s)" .name $file .root.Chart.AppVersion) }}{{ end -}}
{{- $i := splitList ":" $ref -}}
repository: {{ printf "%s/%s" .root.Values.global.imageRegistry (first $i) }}
tag: {{ last $i | quote }}
{{- end }}
