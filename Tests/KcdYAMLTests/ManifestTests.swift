import KcdJSON
import KcdYAML
import Testing

/// Kubernetes manifest streams: several `---`-separated objects with comments, block
/// scalars and flow collections, as `kubectl apply -f` reads them.
@Suite struct ManifestTests {
  @Test func manifestStreamWithDeploymentServiceAndCRD() throws {
    let stream = """
      # Shop frontend. Apply with kcd.
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata:
        name: web
        namespace: shop
        labels:
          app.kubernetes.io/name: web
          tier: "frontend"
        annotations:
          kcd.io/sync-wave: "2"
      spec:
        replicas: 3
        selector:
          matchLabels:
            app.kubernetes.io/name: web
        strategy:
          type: RollingUpdate
          rollingUpdate: {maxSurge: 25%, maxUnavailable: 0}
        template:
          metadata:
            labels:
              app.kubernetes.io/name: web
          spec:
            containers:
              - name: web
                image: registry.example.com/shop/web:1.4.2
                args: ["--port=8080", "--log-level", info]
                ports:
                  - containerPort: 8080
                    name: http
                    protocol: TCP
                env:
                  - name: GREETING
                    value: "hello: world"   # quoted because of ': '
                  - name: ENABLE_CACHE
                    value: "true"
                  - name: CONFIG
                    value: |
                      listen: 0.0.0.0:8080
                      debug: false
                resources:
                  limits: {cpu: 500m, memory: 256Mi}
                readinessProbe:
                  httpGet:
                    path: /healthz
                    port: http
                  initialDelaySeconds: 5
      ---
      apiVersion: v1
      kind: Service
      metadata:
        name: web
        namespace: shop
      spec:
        type: ClusterIP
        selector:
          app.kubernetes.io/name: web
        ports:
        - name: http
          port: 80
          targetPort: http
      ---
      apiVersion: apiextensions.k8s.io/v1
      kind: CustomResourceDefinition
      metadata:
        name: widgets.example.com
      spec:
        group: example.com
        names:
          kind: Widget
          listKind: WidgetList
          plural: widgets
          singular: widget
          shortNames: [wg]
        scope: Namespaced
        versions:
        - name: v1
          served: true
          storage: true
          schema:
            openAPIV3Schema:
              type: object
              description: >-
                A Widget is a thing
                that does stuff.
              properties:
                spec:
                  type: object
                  required: ["size"]
                  properties:
                    size:
                      type: integer
                      minimum: 1
                      maximum: 10
                    color:
                      type: string
                      enum: [red, green, blue]
                      default: red
                    labels:
                      type: object
                      additionalProperties:
                        type: string
                    ratio:
                      type: number
                      format: double
                      default: 0.5
                status:
                  type: object
                  x-kubernetes-preserve-unknown-fields: true
          subresources:
            status: {}
          additionalPrinterColumns:
          - name: Size
            type: integer
            jsonPath: .spec.size

      """
    try expectYAMLDocuments(stream, #"""
      [
        {
          "apiVersion": "apps/v1",
          "kind": "Deployment",
          "metadata": {
            "name": "web",
            "namespace": "shop",
            "labels": {"app.kubernetes.io/name": "web", "tier": "frontend"},
            "annotations": {"kcd.io/sync-wave": "2"}
          },
          "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "web"}},
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0}},
            "template": {
              "metadata": {"labels": {"app.kubernetes.io/name": "web"}},
              "spec": {
                "containers": [{
                  "name": "web",
                  "image": "registry.example.com/shop/web:1.4.2",
                  "args": ["--port=8080", "--log-level", "info"],
                  "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                  "env": [
                    {"name": "GREETING", "value": "hello: world"},
                    {"name": "ENABLE_CACHE", "value": "true"},
                    {"name": "CONFIG", "value": "listen: 0.0.0.0:8080\ndebug: false\n"}
                  ],
                  "resources": {"limits": {"cpu": "500m", "memory": "256Mi"}},
                  "readinessProbe": {"httpGet": {"path": "/healthz", "port": "http"}, "initialDelaySeconds": 5}
                }]
              }
            }
          }
        },
        {
          "apiVersion": "v1",
          "kind": "Service",
          "metadata": {"name": "web", "namespace": "shop"},
          "spec": {
            "type": "ClusterIP",
            "selector": {"app.kubernetes.io/name": "web"},
            "ports": [{"name": "http", "port": 80, "targetPort": "http"}]
          }
        },
        {
          "apiVersion": "apiextensions.k8s.io/v1",
          "kind": "CustomResourceDefinition",
          "metadata": {"name": "widgets.example.com"},
          "spec": {
            "group": "example.com",
            "names": {"kind": "Widget", "listKind": "WidgetList", "plural": "widgets", "singular": "widget", "shortNames": ["wg"]},
            "scope": "Namespaced",
            "versions": [{
              "name": "v1",
              "served": true,
              "storage": true,
              "schema": {
                "openAPIV3Schema": {
                  "type": "object",
                  "description": "A Widget is a thing that does stuff.",
                  "properties": {
                    "spec": {
                      "type": "object",
                      "required": ["size"],
                      "properties": {
                        "size": {"type": "integer", "minimum": 1, "maximum": 10},
                        "color": {"type": "string", "enum": ["red", "green", "blue"], "default": "red"},
                        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                        "ratio": {"type": "number", "format": "double", "default": 0.5}
                      }
                    },
                    "status": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}
                  }
                }
              },
              "subresources": {"status": {}},
              "additionalPrinterColumns": [{"name": "Size", "type": "integer", "jsonPath": ".spec.size"}]
            }]
          }
        }
      ]
      """#)
  }

  @Test func largeStreamParsesEveryDocument() throws {
    var stream = ""
    for i in 0..<500 {
      stream += "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-\(i)\n  labels: {index: \"\(i)\"}\ndata:\n  key: value \(i)\n  multi: |\n    line one\n    line two\n"
    }
    let documents = try YAML.parseDocuments(stream)
    #expect(documents.count == 500)
    #expect(documents[499] == (try JSON.parse(#"{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm-499", "labels": {"index": "499"}}, "data": {"key": "value 499", "multi": "line one\nline two\n"}}"#)))
  }
}
