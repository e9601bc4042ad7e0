import KcdJSON

/// A failed Kubernetes API call: the HTTP status and the apiserver's Status (reason, message)
/// when there was one, or a transport failure (status 0). `label` is bounded for metrics.
public struct KubeError: Error, Sendable, CustomStringConvertible {
  public let status: Int
  public let reason: String
  public let message: String
  public let retryAfterSeconds: Double?
  public let details: JSON

  public init(status: Int, reason: String, message: String, retryAfterSeconds: Double? = nil, details: JSON = .null) {
    self.status = status
    self.reason = reason
    self.message = message
    self.retryAfterSeconds = retryAfterSeconds
    self.details = details
  }

  /// From a non-2xx response: a Status body if it is one, else the text (APF's 429 is text/plain).
  init(status: Int, body: [UInt8], retryAfter: Double?) {
    if let json = try? JSON.parse(body), json["kind"] == "Status" {
      self.init(status: status, reason: json["reason"].stringValue ?? "", message: json["message"].stringValue ?? "",
                retryAfterSeconds: retryAfter, details: json["details"])
    } else {
      let text = String(decoding: body.prefix(512), as: UTF8.self).trimmingCharacters()
      self.init(status: status, reason: KubeError.reasonForStatus(status), message: text.isEmpty ? "HTTP \(status)" : text, retryAfterSeconds: retryAfter)
    }
  }

  static func reasonForStatus(_ s: Int) -> String {
    switch s {
    case 400: return "BadRequest"
    case 401: return "Unauthorized"
    case 403: return "Forbidden"
    case 404: return "NotFound"
    case 409: return "Conflict"
    case 410: return "Expired"
    case 422: return "Invalid"
    case 429: return "TooManyRequests"
    case 500: return "InternalError"
    case 503: return "ServiceUnavailable"
    case 504: return "Timeout"
    default: return "Unknown"
    }
  }

  public static func transport(_ message: String, tooLarge: Bool = false) -> KubeError {
    KubeError(status: 0, reason: tooLarge ? "ResponseTooLarge" : "Transport", message: message)
  }

  /// The response was larger than the client accepts (a list page to ask again, smaller).
  public var isResponseTooLarge: Bool { status == 0 && reason == "ResponseTooLarge" }

  public var isNotFound: Bool { status == 404 }
  public var isConflict: Bool { status == 409 && reason != "AlreadyExists" }
  public var isAlreadyExists: Bool { status == 409 && reason == "AlreadyExists" }
  /// A watch or list resourceVersion that the server no longer has (410 Expired/Gone) or does
  /// not have yet (504 "Too large resource version").
  public var isExpired: Bool { status == 410 || (status == 504 && message.contains("Too large resource version")) }
  public var isTransient: Bool { status == 0 || status == 429 || status >= 500 }

  /// Bounded label for metrics: the status code, or "transport".
  public var label: String { status == 0 ? "transport" : String(status) }

  public var description: String { status == 0 ? message : "\(status) \(reason): \(message)" }
}

extension String {
  func trimmingCharacters() -> String {
    var s = self[...]
    while let f = s.first, f == " " || f == "\n" || f == "\r" || f == "\t" { s = s.dropFirst() }
    while let l = s.last, l == " " || l == "\n" || l == "\r" || l == "\t" { s = s.dropLast() }
    return String(s)
  }
}
