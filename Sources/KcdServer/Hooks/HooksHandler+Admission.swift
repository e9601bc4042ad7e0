import KcdHTTP
import KcdHooks

/// Before a webhook's body is read (the hooks listener faces the internet): the route and the
/// source are checked, sources authenticated by their path or a header are authenticated, the
/// signature headers of body-signed sources must be there, and the body limit fits the source
/// (a CI callback is a few hundred bytes). What fails here costs kcd a head, never a body.
extension HooksHandler {
  /// Largest body each source sends (registries batch events; CI sends one small object).
  static let bodyLimits: [String: Int] = [
    "ci": 64 << 10, "dockerhub": 64 << 10, "quay": 64 << 10, "gcr": 64 << 10,
    "harbor": 256 << 10, "ecr": 256 << 10, "github": 1 << 20, "distribution": 1 << 20,
  ]

  /// Headers a body-signed source cannot be authentic without.
  static let signatureHeaders: [String: [String]] = [
    "ci": ["webhook-id", "webhook-timestamp", "webhook-signature"], "github": ["X-Hub-Signature-256"], "gcr": ["Authorization"],
  ]

  public func admit(_ head: HTTPRequest) -> HTTPAdmission {
    let segments = head.pathSegments
    guard segments.count >= 2, segments[0] == "hooks", HooksHandler.sources.contains(String(segments[1])) else {
      count("unknown", 404)
      return .refuse(status: 404, message: "no such hook")
    }
    let source = String(segments[1])
    guard head.method == "POST" else { return .proceed(maximumBodyBytes: 0) }
    guard let lines = sources.lines(source, secrets: secrets) else {
      count(source, 404)
      return .refuse(status: 404, message: "source \(source) is not enabled")
    }
    let limit = HooksHandler.bodyLimits[source] ?? (1 << 20)
    // Body-signed sources: the headers are enough here (the source itself is built, once,
    // when the request is authenticated).
    // A CI callback may carry an OIDC ID token instead of signature headers.
    if source == "ci", sources.oidc != nil, OIDCVerifier.bearer(head.headers["authorization"]) != nil { return .proceed(maximumBodyBytes: limit) }
    if let required = HooksHandler.signatureHeaders[source] {
      for name in required where (head.headers[name] ?? "").isEmpty {
        count(source, 401)
        return .refuse(status: 401, message: "missing \(name) header")
      }
      return .proceed(maximumBodyBytes: limit)
    }
    // SNS deliveries are signed inside the body (their topic is checked before anything else).
    if source == "ecr" && head.headers["x-amz-sns-message-type"] != nil { return .proceed(maximumBodyBytes: limit) }
    guard let hook = try? built.source(source, lines: lines, make: sources.make) else {
      count(source, 404)
      return .refuse(status: 404, message: "source \(source) is not enabled")
    }
    // Authenticated by the path or a header: the source's own check, on the head alone (with an
    // empty body an authentic request can only fail on its body, never as unauthorized).
    let headers = head.headers
    let probe = HookRequest(method: head.method, pathRest: segments.dropFirst(2).map(String.init), header: { headers[$0] }, body: [], now: clock())
    do { _ = try hook.handle(probe) } catch {
      if error.status == 401 {
        count(source, 401)
        return .refuse(status: 401, message: error.message)
      }
    }
    return .proceed(maximumBodyBytes: limit)
  }
}
