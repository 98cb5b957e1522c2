{{/* Names and labels. */}}
{{- define "impact-in.name" -}}{{ .Chart.Name }}{{- end }}
{{- define "impact-in.fullname" -}}
{{- if contains .Chart.Name .Release.Name }}{{ .Release.Name | trunc 40 | trimSuffix "-" }}{{ else }}{{ printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" }}{{ end }}
{{- end }}
{{- define "impact-in.labels" -}}
app.kubernetes.io/name: {{ include "impact-in.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end }}
{{- define "impact-in.selector" -}}
app.kubernetes.io/name: {{ include "impact-in.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}
{{- define "impact-in.image" -}}{{ .Values.image.repository }}:{{ .Values.image.tag | default .Chart.AppVersion }}{{- end }}
{{- define "impact-in.serviceAccountName" -}}{{ .Values.serviceAccount.name | default (include "impact-in.fullname" .) }}{{- end }}

{{/* "true" when KEDA ScaledObjects are rendered (autoscaling.keda true, or auto and the API is served). */}}
{{- define "impact-in.keda" -}}
{{- $k := toString .Values.autoscaling.keda -}}
{{- if or (eq $k "true") (and (eq $k "auto") (.Capabilities.APIVersions.Has "keda.sh/v1alpha1/ScaledObject")) -}}true{{- end -}}
{{- end }}

{{/* The roles: a list of {name (k8s), role (--role), replicas?, resources, platform?}. */}}
{{- define "impact-in.roles" -}}
{{- $out := list -}}
{{- range $name := list "redactor" "router" "relay" -}}
{{- $r := index $.Values.roles $name -}}
{{- if $r.enabled -}}{{- $out = append $out (dict "name" $name "role" $name "replicas" $r.replicas "resources" $r.resources) -}}{{- end -}}
{{- end -}}
{{- range $platform := list "benevity" "goodera" "workday" -}}
{{- $d := index $.Values.deliverers $platform -}}
{{- if $d.enabled -}}{{- $out = append $out (dict "name" (printf "deliver-%s" $platform) "role" (printf "deliver:%s" $platform) "platform" $platform "resources" $d.resources "autoscaling" $d.autoscaling) -}}{{- end -}}
{{- end -}}
{{- toJson $out -}}
{{- end }}

{{/* Environment shared by every role and the migration Job. */}}
{{- define "impact-in.envFrom" -}}
- configMapRef:
    name: {{ include "impact-in.fullname" . }}
{{- if .Values.existingSecret }}
- secretRef:
    name: {{ .Values.existingSecret }}
{{- end }}
{{- end }}
{{- define "impact-in.tlsVolume" -}}
{{- if .Values.tls.existingSecret }}
- name: tls
  secret:
    secretName: {{ .Values.tls.existingSecret }}
    defaultMode: 0440
{{- end }}
- name: tmp
  emptyDir: {sizeLimit: 64Mi}
{{- end }}
{{- define "impact-in.tlsMount" -}}
{{- if .Values.tls.existingSecret }}
- name: tls
  mountPath: {{ .Values.tls.mountPath }}
  readOnly: true
{{- end }}
- name: tmp
  mountPath: /tmp
{{- end }}
