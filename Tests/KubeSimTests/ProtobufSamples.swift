import KcdJSON

/// Objects shaped like those kubectl, kcd and KubeSim's simulator write, one per kind with a
/// protobuf table, for the round-trip suite.
enum ProtobufSamples {
  static let metadata: JSON = [
    "name": "web", "namespace": "shop", "uid": "6f1c7d2e-0000-4000-8000-000000000001", "resourceVersion": "42",
    "generation": 3, "creationTimestamp": "2024-05-01T10:00:00Z", "labels": ["app": "web", "tier": "front"],
    "annotations": ["deployment.kubernetes.io/revision": "2", "note": ""], "finalizers": ["kcd.example/cleanup"],
    "ownerReferences": [["apiVersion": "kcd.example/v1", "kind": "KCD", "name": "web", "uid": "6f1c7d2e-0000-4000-8000-000000000002",
                         "controller": true, "blockOwnerDeletion": false]],
  ]

  static let podTemplate: JSON = [
    "metadata": ["labels": ["app": "web"], "annotations": ["kubectl.kubernetes.io/restartedAt": "2024-05-01T10:00:00Z"]],
    "spec": [
      "containers": [[
        "name": "app", "image": "registry.example/web:1.0", "command": ["/bin/web"], "args": ["--port", "8080"],
        "imagePullPolicy": "IfNotPresent", "workingDir": "/srv",
        "ports": [["name": "http", "containerPort": 8080, "protocol": "TCP"]],
        "env": [["name": "MODE", "value": "prod"],
                ["name": "POD", "valueFrom": ["fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.name"]]],
                ["name": "PASSWORD", "valueFrom": ["secretKeyRef": ["name": "creds", "key": "password", "optional": false]]],
                ["name": "LEVEL", "valueFrom": ["configMapKeyRef": ["name": "settings", "key": "level"]]],
                ["name": "MEM", "valueFrom": ["resourceFieldRef": ["resource": "limits.memory", "divisor": "1Mi"]]]],
        "envFrom": [["prefix": "CFG_", "configMapRef": ["name": "settings"]], ["secretRef": ["name": "creds", "optional": true]]],
        "resources": ["limits": ["cpu": "500m", "memory": "256Mi"], "requests": ["cpu": "100m", "memory": "64Mi"]],
        "volumeMounts": [["name": "config", "mountPath": "/etc/web", "readOnly": true], ["name": "scratch", "mountPath": "/tmp", "subPath": "web"]],
        "livenessProbe": ["httpGet": ["path": "/healthz", "port": "http", "scheme": "HTTP"], "initialDelaySeconds": 5, "periodSeconds": 10,
                          "timeoutSeconds": 1, "successThreshold": 1, "failureThreshold": 3],
        "readinessProbe": ["tcpSocket": ["port": 8080], "periodSeconds": 5],
        "startupProbe": ["exec": ["command": ["cat", "/tmp/ready"]], "failureThreshold": 30],
        "lifecycle": ["preStop": ["sleep": ["seconds": 5]]],
        "securityContext": ["runAsNonRoot": true, "runAsUser": 1000, "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true,
                            "capabilities": ["drop": ["ALL"]], "seccompProfile": ["type": "RuntimeDefault"]],
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
      ]],
      "initContainers": [["name": "migrate", "image": "registry.example/migrate:1.0", "restartPolicy": "Always"]],
      "volumes": [
        ["name": "config", "configMap": ["name": "settings", "defaultMode": 420, "items": [["key": "mode", "path": "mode.txt", "mode": 256]]]],
        ["name": "creds", "secret": ["secretName": "creds", "optional": false]],
        ["name": "scratch", "emptyDir": ["medium": "Memory", "sizeLimit": "1Gi"]],
        ["name": "data", "persistentVolumeClaim": ["claimName": "data", "readOnly": true]],
        ["name": "token", "projected": ["defaultMode": 420, "sources": [
          ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
          ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
          ["downwardAPI": ["items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]]]]]],
      ],
      "imagePullSecrets": [["name": "registry"]], "serviceAccountName": "deployer", "serviceAccount": "deployer",
      "nodeSelector": ["kubernetes.io/os": "linux"], "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
      "terminationGracePeriodSeconds": 30, "automountServiceAccountToken": false, "schedulerName": "default-scheduler",
      "securityContext": ["fsGroup": 2000, "supplementalGroups": [3000], "sysctls": [["name": "net.core.somaxconn", "value": "1024"]]],
      "tolerations": [["key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"],
                      ["key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300]],
      "affinity": [
        "nodeAffinity": ["requiredDuringSchedulingIgnoredDuringExecution": ["nodeSelectorTerms": [
          ["matchExpressions": [["key": "zone", "operator": "In", "values": ["a", "b"]]]]]]],
        "podAntiAffinity": ["preferredDuringSchedulingIgnoredDuringExecution": [
          ["weight": 100, "podAffinityTerm": ["topologyKey": "kubernetes.io/hostname", "labelSelector": ["matchLabels": ["app": "web"]]]]]],
      ],
      "topologySpreadConstraints": [["maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "ScheduleAnyway",
                                     "labelSelector": ["matchExpressions": [["key": "app", "operator": "Exists"]]]]],
      "hostAliases": [["ip": "10.0.0.1", "hostnames": ["db.local"]]], "priorityClassName": "high", "priority": 1000,
      "dnsConfig": ["nameservers": ["1.1.1.1"], "options": [["name": "ndots", "value": "2"]]], "enableServiceLinks": false,
    ],
  ]

  static func object(_ apiVersion: String, _ kind: String, _ members: [String: JSON]) -> JSON {
    var o: JSON = ["apiVersion": .string(apiVersion), "kind": .string(kind), "metadata": metadata]
    for (k, v) in members { o[k] = v }
    return o
  }

  static let objects: [JSON] = [
    object("v1", "Namespace", ["spec": ["finalizers": ["kubernetes"]], "status": ["phase": "Terminating", "conditions": [
      ["type": "NamespaceContentRemaining", "status": "True", "reason": "SomeResourcesRemain", "lastTransitionTime": "2024-05-01T10:00:05Z"]]]]),
    object("v1", "ConfigMap", ["data": ["mode": "one", "level": "3", "empty": ""], "binaryData": ["blob.bin": "AAEC/v8gYmluYXJ5"], "immutable": false]),
    object("v1", "Secret", ["type": "kubernetes.io/dockerconfigjson", "data": [".dockerconfigjson": "eyJhdXRocyI6e319", "empty": ""], "immutable": true]),
    object("v1", "ServiceAccount", ["secrets": [["name": "deployer-token"]], "imagePullSecrets": [["name": "registry"]],
                                    "automountServiceAccountToken": false]),
    object("v1", "Service", [
      "spec": ["type": "LoadBalancer", "selector": ["app": "web"], "clusterIP": "10.96.0.10", "clusterIPs": ["10.96.0.10"],
               "ports": [["name": "http", "port": 80, "targetPort": 8080, "protocol": "TCP", "nodePort": 30080],
                         ["name": "https", "port": 443, "targetPort": "https", "protocol": "TCP", "appProtocol": "https"]],
               "sessionAffinity": "ClientIP", "sessionAffinityConfig": ["clientIP": ["timeoutSeconds": 10800]],
               "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster",
               "externalTrafficPolicy": "Local", "allocateLoadBalancerNodePorts": true],
      "status": ["loadBalancer": ["ingress": [["ip": "203.0.113.7", "ipMode": "VIP"]]]]]),
    object("v1", "Pod", [
      "spec": podTemplate["spec"].with { $0["nodeName"] = "node-1" },
      "status": ["phase": "Running", "hostIP": "10.0.0.11", "podIP": "10.244.1.5", "podIPs": [["ip": "10.244.1.5"]], "qosClass": "Burstable",
                 "startTime": "2024-05-01T10:00:01Z",
                 "conditions": [["type": "Ready", "status": "True", "lastProbeTime": nil, "lastTransitionTime": "2024-05-01T10:00:04Z"]],
                 "containerStatuses": [["name": "app", "ready": true, "started": true, "restartCount": 0, "image": "registry.example/web:1.0",
                                        "imageID": "registry.example/web@sha256:0a", "containerID": "containerd://abc",
                                        "state": ["running": ["startedAt": "2024-05-01T10:00:03Z"]],
                                        "lastState": ["terminated": ["exitCode": 0, "reason": "Completed", "finishedAt": "2024-05-01T09:59:00Z"]]]]]]),
    object("apps/v1", "Deployment", [
      "spec": ["replicas": 0, "selector": ["matchLabels": ["app": "web"]], "template": podTemplate, "revisionHistoryLimit": 10,
               "strategy": ["type": "RollingUpdate", "rollingUpdate": ["maxSurge": "25%", "maxUnavailable": 0]],
               "progressDeadlineSeconds": 600, "minReadySeconds": 5, "paused": true],
      "status": ["observedGeneration": 3, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 2, "availableReplicas": 2,
                 "unavailableReplicas": 1, "conditions": [
                   ["type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet \"web-7d\" has successfully progressed.",
                    "lastUpdateTime": "2024-05-01T10:00:09Z", "lastTransitionTime": "2024-05-01T10:00:00Z"]]]]),
    object("apps/v1", "ReplicaSet", ["spec": ["replicas": 3, "selector": ["matchLabels": ["app": "web", "pod-template-hash": "7d"]], "template": podTemplate],
                                     "status": ["replicas": 0, "observedGeneration": 1]]),
    object("apps/v1", "StatefulSet", [
      "spec": ["replicas": 2, "serviceName": "db", "podManagementPolicy": "Parallel", "selector": ["matchLabels": ["app": "db"]], "template": podTemplate,
               "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]], "revisionHistoryLimit": 10,
               "persistentVolumeClaimRetentionPolicy": ["whenDeleted": "Retain", "whenScaled": "Delete"],
               "volumeClaimTemplates": [["metadata": ["name": "data"], "spec": [
                 "accessModes": ["ReadWriteOnce"], "storageClassName": "standard", "resources": ["requests": ["storage": "10Gi"]]],
                 "status": ["phase": "Pending"]]]],
      "status": ["replicas": 2, "readyReplicas": 1, "currentRevision": "db-5f", "updateRevision": "db-6c", "collisionCount": 0, "availableReplicas": 1]]),
    object("apps/v1", "DaemonSet", [
      "spec": ["selector": ["matchLabels": ["app": "agent"]], "template": podTemplate,
               "updateStrategy": ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 1, "maxSurge": 0]]],
      "status": ["currentNumberScheduled": 3, "numberMisscheduled": 0, "desiredNumberScheduled": 3, "numberReady": 0, "updatedNumberScheduled": 3]]),
    object("apps/v1", "ControllerRevision", ["revision": 2, "data": ["spec": ["template": ["$patch": "replace", "spec": ["containers": [["name": "db"]]]]]]]),
    object("batch/v1", "Job", [
      "spec": ["template": podTemplate.with { $0["spec"]["restartPolicy"] = "Never" }, "backoffLimit": 0, "completions": 1, "parallelism": 1,
               "ttlSecondsAfterFinished": 600, "completionMode": "NonIndexed", "suspend": false, "manualSelector": false,
               "selector": ["matchLabels": ["batch.kubernetes.io/controller-uid": "6f1c7d2e"]],
               "podFailurePolicy": ["rules": [["action": "FailJob", "onExitCodes": ["operator": "In", "values": [42]]]]]],
      "status": ["startTime": "2024-05-01T10:00:00Z", "completionTime": "2024-05-01T10:01:00Z", "succeeded": 1, "ready": 0,
                 "conditions": [["type": "Complete", "status": "True", "lastProbeTime": "2024-05-01T10:01:00Z", "lastTransitionTime": "2024-05-01T10:01:00Z"]],
                 "uncountedTerminatedPods": [:]]]),
    object("batch/v1", "CronJob", [
      "spec": ["schedule": "0 3 * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid", "suspend": false, "startingDeadlineSeconds": 200,
               "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
               "jobTemplate": ["metadata": ["labels": ["app": "report"]], "spec": ["template": podTemplate]]],
      "status": ["active": [["kind": "Job", "namespace": "shop", "name": "report-28562", "uid": "6f1c", "apiVersion": "batch/v1", "resourceVersion": "77"]],
                 "lastScheduleTime": "2024-05-01T03:00:00Z", "lastSuccessfulTime": "2024-05-01T03:01:00Z"]]),
    object("coordination.k8s.io/v1", "Lease", ["spec": ["holderIdentity": "kcd-7d-abc", "leaseDurationSeconds": 15, "leaseTransitions": 0,
                                                        "acquireTime": "2024-05-01T10:00:00.000000Z", "renewTime": "2024-05-01T10:00:12.345678Z"]]),
    object("autoscaling/v1", "Scale", ["spec": ["replicas": 4], "status": ["replicas": 3, "selector": "app=web"]]),
  ]
}
