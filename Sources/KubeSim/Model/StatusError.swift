import KcdJSON

/// A failed API call expressed as the apiserver's `Status` object, so clients see the real
/// reasons, codes and message shapes (api-conventions "Response Status Kind").
public struct StatusError: Error, Sendable {
  public var code: Int
  public var reason: String
  public var message: String
  public var details: JSON?
  public var retryAfterSeconds: Int?

  public init(code: Int, reason: String, message: String, details: JSON? = nil, retryAfterSeconds: Int? = nil) {
    self.code = code
    self.reason = reason
    self.message = message
    self.details = details
    self.retryAfterSeconds = retryAfterSeconds
  }

  public var status: JSON {
    var s: JSON = [
      "kind": "Status", "apiVersion": "v1", "metadata": [:], "status": "Failure",
      "message": .string(message), "code": .int(Int64(code)),
    ]
    // StatusReasonUnknown is "" and `omitempty`: a bare error's Status has no reason.
    if !reason.isEmpty { s["reason"] = .string(reason) }
    if var d = details {
      if let r = retryAfterSeconds { d["retryAfterSeconds"] = .int(Int64(r)) }
      s["details"] = d
    } else if let r = retryAfterSeconds {
      s["details"] = ["retryAfterSeconds": .int(Int64(r))]
    }
    return s
  }

  static func details(_ type: ResourceType, _ name: String) -> JSON {
    var d: JSON = ["kind": .string(type.plural)]
    if !name.isEmpty { d["name"] = .string(name) }
    if !type.group.isEmpty { d["group"] = .string(type.group) }
    return d
  }

  public static func notFound(_ type: ResourceType, _ name: String) -> StatusError {
    StatusError(code: 404, reason: "NotFound", message: "\(type.qualifiedPlural) \"\(name)\" not found", details: details(type, name))
  }

  public static func alreadyExists(_ type: ResourceType, _ name: String) -> StatusError {
    StatusError(code: 409, reason: "AlreadyExists", message: "\(type.qualifiedPlural) \"\(name)\" already exists", details: details(type, name))
  }

  public static func conflict(_ type: ResourceType, _ name: String) -> StatusError {
    StatusError(
      code: 409, reason: "Conflict",
      message: "Operation cannot be fulfilled on \(type.qualifiedPlural) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
      details: details(type, name))
  }

  public static func badRequest(_ message: String) -> StatusError {
    StatusError(code: 400, reason: "BadRequest", message: message)
  }

  /// 422 with one cause per field error; `details.kind` is the Kind here and the message names
  /// `Kind.group`, as the apiserver's `NewInvalid` does.
  public static func invalid(_ type: ResourceType, _ name: String, _ causes: [(field: String, reason: String, message: String)]) -> StatusError {
    let summary = causes.map { "\($0.field): \($0.message)" }.joined(separator: ", ")
    var d: JSON = ["name": .string(name), "kind": .string(type.kind)]
    if !type.group.isEmpty { d["group"] = .string(type.group) }
    d["causes"] = .array(causes.map { ["reason": .string($0.reason), "message": .string($0.message), "field": .string($0.field)] })
    let qualifiedKind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
    let message = causes.count == 1 ? "\(qualifiedKind) \"\(name)\" is invalid: \(summary)" : "\(qualifiedKind) \"\(name)\" is invalid: [\(summary)]"
    return StatusError(code: 422, reason: "Invalid", message: message, details: d)
  }

  public static func methodNotAllowed(_ message: String = "the server does not allow this method on the requested resource") -> StatusError {
    StatusError(code: 405, reason: "MethodNotAllowed", message: message)
  }

  public static func unsupportedMediaType(_ contentType: String, accepted: [String]) -> StatusError {
    StatusError(
      code: 415, reason: "UnsupportedMediaType",
      message: "the body of the request was in an unknown format - accepted media types include: \(accepted.joined(separator: ", "))")
  }

  public static func expired(_ message: String) -> StatusError {
    StatusError(code: 410, reason: "Expired", message: message)
  }

  public static let unauthorized = StatusError(code: 401, reason: "Unauthorized", message: "Unauthorized")
}
