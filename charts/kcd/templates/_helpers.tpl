{{- define "kcd.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "kcd.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "kcd.selectorLabels" -}}
app.kubernetes.io/name: {{ include "kcd.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "kcd.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{ include "kcd.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "kcd.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "kcd.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{- define "kcd.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "kcd.hooksSecretName" -}}
{{- default (printf "%s-hooks" (include "kcd.fullname" .)) .Values.hooks.existingSecret -}}
{{- end -}}

{{/* The rules kcd needs wherever it follows KCDs: exactly the verbs it uses. */}}
{{- define "kcd.followRules" -}}
- apiGroups: [kcd.dev]
  resources: [kcds]
  verbs: [get, list, watch, patch]
- apiGroups: [kcd.dev]
  resources: [kcds/status]
  verbs: [patch]
- apiGroups: [apps]
  resources: [deployments, statefulsets, daemonsets, replicasets]
  verbs: [get, list, watch, patch]
- apiGroups: [batch]
  resources: [cronjobs]
  verbs: [get, list, watch, patch]
- apiGroups: [""]
  resources: [pods]
  verbs: [list]
- apiGroups: [""]
  resources: [services]
  verbs: [get, patch]
- apiGroups: [""]
  resources: [events]
  verbs: [create, patch]
- apiGroups: [batch]
  resources: [jobs]
  verbs: [get, create, delete]
- apiGroups: [""]
  resources: [pods/log]
  verbs: [get]
- apiGroups: [""]
  resources: [configmaps]
  verbs: [get, create, patch]
{{- end -}}

{{/* Reading registry credentials: pull Secrets and the ServiceAccounts that name them. */}}
{{- define "kcd.pullSecretRules" -}}
- apiGroups: [""]
  resources: [secrets, serviceaccounts]
  verbs: [get]
{{- end -}}
