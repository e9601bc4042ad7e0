import KcdJSON

/// Request bodies the suites create, in the shapes kubectl and kcd send.
enum Make {
  static func labels(_ map: [String: String]) -> JSON { .object(map.mapValues { .string($0) }) }

  static func configMap(_ name: String, labels: [String: String] = [:], data: JSON = ["mode": "one"]) -> JSON {
    var metadata: JSON = ["name": .string(name)]
    if !labels.isEmpty { metadata["labels"] = Make.labels(labels) }
    return ["apiVersion": "v1", "kind": "ConfigMap", "metadata": metadata, "data": data]
  }

  static func podTemplate(_ app: String, image: String, restartPolicy: String? = nil) -> JSON {
    var spec: JSON = ["containers": [["name": "app", "image": .string(image)]]]
    if let restartPolicy { spec["restartPolicy"] = .string(restartPolicy) }
    return ["metadata": ["labels": ["app": .string(app)]], "spec": spec]
  }

  static func deployment(_ name: String, image: String = "registry.example/web:1.0", replicas: Int64 = 3) -> JSON {
    ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": .string(name)],
     "spec": ["replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
              "template": podTemplate(name, image: image)]]
  }

  static func statefulSet(_ name: String, image: String = "registry.example/db:1.0", replicas: Int64 = 3) -> JSON {
    ["apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name)],
     "spec": ["replicas": .int(replicas), "serviceName": .string(name), "selector": ["matchLabels": ["app": .string(name)]],
              "template": podTemplate(name, image: image)]]
  }

  static func daemonSet(_ name: String, image: String = "registry.example/agent:1.0") -> JSON {
    ["apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name)],
     "spec": ["selector": ["matchLabels": ["app": .string(name)]], "template": podTemplate(name, image: image)]]
  }

  static func job(_ name: String, image: String = "registry.example/migrate:1.0") -> JSON {
    ["apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": .string(name)],
     "spec": ["template": podTemplate(name, image: image, restartPolicy: "Never")]]
  }

  static func cronJob(_ name: String, image: String = "registry.example/report:1.0") -> JSON {
    ["apiVersion": "batch/v1", "kind": "CronJob", "metadata": ["name": .string(name)],
     "spec": ["schedule": "0 3 * * *",
              "jobTemplate": ["metadata": ["labels": ["cron": .string(name)]],
                              "spec": ["template": podTemplate(name, image: image, restartPolicy: "OnFailure")]]]]
  }

  /// `widgets.example.com` (or another plural/kind), namespaced, one version `v1`.
  static func crd(plural: String = "widgets", kind: String = "Widget", statusSubresource: Bool = true) -> JSON {
    var version: JSON = [
      "name": "v1", "served": true, "storage": true,
      "schema": ["openAPIV3Schema": [
        "type": "object",
        "properties": [
          "spec": ["type": "object", "properties": ["size": ["type": "integer", "default": 1], "color": ["type": "string"]]],
          "status": ["type": "object", "properties": ["phase": ["type": "string"]]],
        ],
      ]],
    ]
    if statusSubresource { version["subresources"] = ["status": [:]] }
    return ["apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).example.com")],
            "spec": ["group": "example.com", "scope": "Namespaced",
                     "names": ["plural": .string(plural), "kind": .string(kind), "shortNames": ["wd"], "categories": ["all"]],
                     "versions": [version]]]
  }

  static func customResource(_ name: String, kind: String = "Widget", spec: JSON = ["color": "blue"]) -> JSON {
    ["apiVersion": "example.com/v1", "kind": .string(kind), "metadata": ["name": .string(name)], "spec": spec]
  }

  static let crdPath = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
}
