import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON

/// A JSON-over-HTTPS management API (Harbor, Quay, GitHub, GitLab): its base URL, the
/// headers every call carries (one of them the credential), and errors that name the call and
/// its status but never the credential or a secret of the run.
struct WebAPI: Sendable {
  /// For messages: `Harbor`, `GitHub`.
  let name: String
  /// `https://harbor.example.com`, without a trailing slash.
  let base: String
  let credential: (header: String, value: SecretValue)
  let headers: [(name: String, value: String)]
  let http: HTTPClient
  let redactor: Redactor

  init(name: String, base: String, credential: (header: String, value: SecretValue), headers: [(name: String, value: String)] = [],
       redactor: Redactor, http: HTTPClient = HTTPClient(userAgent: "kcd-hooks-register")) {
    self.name = name
    self.base = base.hasSuffix("/") ? String(base.dropLast()) : base
    self.credential = credential
    self.headers = (headers.contains { $0.name == "Accept" } ? [] : [("Accept", "application/json")]) + headers
    var redactor = redactor
    redactor.add(credential.value)
    self.redactor = redactor
    self.http = http
  }

  struct Response: Sendable {
    let status: Int
    /// The parsed body; `.null` when empty or not JSON.
    let json: JSON
  }

  /// Sends `request`; a status outside 2xx and `accepting` is an error naming the call.
  func send(_ request: WebRequest, accepting: Set<Int> = []) throws -> Response {
    var outgoing = HTTPClientRequest(method: request.method, url: base + request.path, body: request.body.map { $0.serialized() })
    for (name, value) in allHeaders(request, .send) { outgoing.headers.set(name, value) }
    outgoing.timeout = 30
    outgoing.maximumBodyBytes = 8 << 20
    let response: HTTPClientResponse
    do {
      response = try http.send(outgoing)
    } catch {
      throw RegisterError(redactor.scrub("\(name) \(request.method) \(request.pathWithoutQuery): cannot reach \(base): \(error.message)"))
    }
    let json = (try? JSON.parse(response.body)) ?? .null
    guard (200..<300).contains(response.status) || accepting.contains(response.status) else {
      let detail = WebAPI.message(json).map { ": " + $0 } ?? ""
      throw RegisterError(redactor.scrub("\(name) \(request.method) \(request.pathWithoutQuery) answered \(response.status)\(detail)"))
    }
    return Response(status: response.status, json: json)
  }

  func shown(_ request: WebRequest, when: String) -> ShownRequest {
    ShownRequest(when: when, method: request.method, url: base + request.path, headers: allHeaders(request, .show), body: request.body)
  }

  func allHeaders(_ request: WebRequest, _ rendering: Rendering) -> [(name: String, value: String)] {
    headers + [(credential.header, credential.value.text(rendering))] + (request.body == nil ? [] : [("Content-Type", "application/json")])
  }

  /// The error text of a forge's answer: `message` (GitHub, GitLab; an object of field
  /// errors in GitLab), `errors[0].message` (Harbor), `error_message` or `detail` (Quay).
  /// Printable and short.
  static func message(_ json: JSON) -> String? {
    let candidates = [json["message"], json["errors"][0]["message"], json["error_message"], json["detail"], json["error"]]
    guard let found = candidates.first(where: { !$0.isNull }) else { return nil }
    let text = found.stringValue ?? found.text
    return String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(300).map(Character.init))
  }
}

/// One call of a `WebAPI`: the path below its base URL (with any query) and the JSON body.
struct WebRequest: Sendable {
  let method: String
  let path: String
  let body: JSON?

  init(_ method: String, _ path: String, body: JSON? = nil) {
    self.method = method
    self.path = path
    self.body = body
  }

  var pathWithoutQuery: String { String(path.prefix { $0 != "?" }) }

  /// One path segment, percent-encoded (RFC 3986: only unreserved characters stay).
  static func segment(_ text: String) -> String { SigV4Signer.uriEncode(text, keepSlash: false) }
}
