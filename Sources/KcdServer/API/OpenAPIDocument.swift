import KcdJSON
import KcdKube

/// `GET /api/v1/openapi.json`: the API as served (OpenAPI 3.0). Tests check every answer
/// against these schemas.
enum OpenAPIDocument {
  static func ref(_ name: String) -> JSON { ["$ref": .string("#/components/schemas/\(name)")] }

  static func get(_ summary: String, _ schema: JSON, parameters: [JSON] = []) -> JSON {
    var op: JSON = ["summary": .string(summary),
                    "responses": ["200": ["description": "OK", "content": ["application/json": ["schema": schema]]],
                                  "404": ["description": "not found", "content": ["application/json": ["schema": ref("Error")]]]]]
    if !parameters.isEmpty { op["parameters"] = .array(parameters) }
    return ["get": op]
  }

  static func parameter(_ name: String, in place: String, required: Bool, _ description: String) -> JSON {
    ["name": .string(name), "in": .string(place), "required": .bool(required), "description": .string(description), "schema": ["type": "string"]]
  }

  static let namespaceQuery = parameter("namespace", in: "query", required: false, "only this namespace")
  static let formatQuery: JSON = ["name": "format", "in": "query", "required": false, "schema": ["type": "string", "enum": ["json", "html"]]]
  static let kcdPath = [parameter("ns", in: "path", required: true, "namespace"), parameter("name", in: "path", required: true, "KCD")]

  static func action(_ summary: String, body: JSON?) -> JSON {
    var op: JSON = [
      "summary": .string(summary), "security": [["bearer": []]], "parameters": .array(kcdPath),
      "responses": [
        "202": ["description": "recorded; the reconciler acts on it", "content": ["application/json": ["schema": ref("Accepted")]]],
        "401": ["description": "no token, or TokenReview does not accept it", "content": ["application/json": ["schema": ref("Error")]]],
        "403": ["description": "SubjectAccessReview: no update on this KCD", "content": ["application/json": ["schema": ref("Error")]]],
        "409": ["description": "cannot be done now (says why)", "content": ["application/json": ["schema": ref("Error")]]],
      ],
    ]
    if let body { op["requestBody"] = ["required": false, "content": ["application/json": ["schema": body]]] }
    return ["post": op]
  }

  static let workloads = get("every container a KCD manages", ["type": "array", "items": ref("Workload")], parameters: [namespaceQuery, formatQuery])

  static let document: JSON = [
    "openapi": "3.0.3",
    "info": ["title": "kcd API", "version": .string(KcdVersion.current)],
    "paths": [
      "/api/v1/workloads": workloads,
      "/kcd/v1/resources": workloads,
      "/v1/kcd/workloads": workloads,
      "/kcd/v1/namespaces/{ns}/resources": get("the workloads of one namespace", ["type": "array", "items": ref("Workload")],
                                                parameters: [parameter("ns", in: "path", required: true, "namespace"), formatQuery]),
      "/v1/kcd/workloads/{name}": get("the history of the KCD that manages a workload", ref("History"),
                                      parameters: [parameter("name", in: "path", required: true, "workload or KCD"),
                                                   parameter("namespace", in: "query", required: true, "namespace")]),
      "/kcd/v1/history/{name}": get("the history of the KCD that manages a workload", ref("History"),
                                    parameters: [parameter("name", in: "path", required: true, "workload or KCD"),
                                                 parameter("namespace", in: "query", required: true, "namespace")]),
      "/api/v1/namespaces/{ns}/kcds/{name}": get("a KCD: what it follows and its status", ref("KCD"), parameters: .init(kcdPath)),
      "/api/v1/namespaces/{ns}/kcds/{name}/history": get("a KCD's recent rollouts", ref("History"), parameters: .init(kcdPath)),
      "/api/v1/rollouts/{id}": get("a rollout by the delivery id of its event", ref("Rollout"),
                                   parameters: [parameter("id", in: "path", required: true, "delivery id")]),
      "/api/v1/namespaces/{ns}/kcds/{name}/rollback": action("roll back to the previous success, or to a version of the history", body:
                                                             ["type": "object", "properties": ["version": ["type": "string"]]]),
      "/api/v1/namespaces/{ns}/kcds/{name}/sync": action("look the followed tag up again now", body: nil),
      "/api/v1/namespaces/{ns}/kcds/{name}/approve": action("approve the candidate the KCD waits with", body:
                                                            ["type": "object", "required": ["digest"], "properties": ["digest": ["type": "string"]]]),
    ],
    "components": [
      "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer", "description": "a Kubernetes token; checked with TokenReview and SubjectAccessReview"]],
      "schemas": [
        "Workload": [
          "type": "object",
          "required": ["namespace", "name", "kind", "container", "kcd", "tag", "version", "digest", "status", "availablePods", "lastUpdated"],
          "properties": [
            "namespace": ["type": "string"], "name": ["type": "string"], "kind": ["type": "string"], "container": ["type": "string"],
            "kcd": ["type": "string"], "tag": ["type": "string"], "version": ["type": "string", "nullable": true],
            "digest": ["type": "string", "nullable": true], "status": ["type": "string", "nullable": true],
            "availablePods": ["type": "integer"], "lastUpdated": ["type": "string", "format": "date-time", "nullable": true],
          ],
        ],
        "Record": [
          "type": "object", "required": ["version", "digest", "result", "startedAt", "trigger"],
          "properties": [
            "version": ["type": "string"], "digest": ["type": "string"], "result": ["type": "string"],
            "startedAt": ["type": "string", "format": "date-time"], "finishedAt": ["type": "string", "format": "date-time"],
            "trigger": ["type": "string"], "approvedBy": ["type": "string"],
          ],
        ],
        "History": [
          "type": "object", "required": ["namespace", "name", "history"],
          "properties": ["namespace": ["type": "string"], "name": ["type": "string"], "history": ["type": "array", "items": ref("Record")]],
        ],
        "KCD": [
          "type": "object", "required": ["namespace", "name", "status"],
          "properties": [
            "namespace": ["type": "string"], "name": ["type": "string"], "imageRepo": ["type": "string"], "tag": ["type": "string", "nullable": true],
            "versionPolicy": ["type": "string"], "status": ["type": "object"], "problems": ["type": "array", "items": ["type": "string"]],
          ],
        ],
        "Rollout": [
          "type": "object", "required": ["kcd", "id", "version", "digest", "result", "startedAt", "trigger"],
          "properties": [
            "kcd": ["type": "string"], "id": ["type": "string"], "image": ["type": "string"], "version": ["type": "string"],
            "digest": ["type": "string"], "result": ["type": "string"], "startedAt": ["type": "string", "format": "date-time"],
            "finishedAt": ["type": "string", "format": "date-time"], "trigger": ["type": "string"], "approvedBy": ["type": "string"],
            "workloads": ["type": "array", "items": ["type": "string"]],
          ],
        ],
        "Accepted": ["type": "object", "required": ["accepted", "by"], "properties": ["accepted": ["type": "string"], "by": ["type": "string"]]],
        "Error": ["type": "object", "required": ["error"], "properties": ["error": ["type": "string"]]],
      ],
    ],
  ]
}
