import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback stand-in for an AWS endpoint (ECR, STS, a container credentials agent): hands
/// each request and its 0-based index to `handler`, and keeps every request for the test.
final class AWSFakeServer: Sendable {
  let server: HTTPServer
  let seen = ECRLocked<[HTTPRequest]>([])

  init(_ handler: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse) throws {
    let seen = self.seen
    var configuration = HTTPServerConfiguration(address: "127.0.0.1:0")
    configuration.maximumBodyBytes = 4 << 20
    server = try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in
      let index = seen.with { (all: inout [HTTPRequest]) -> Int in
        all.append(request)
        return all.count - 1
      }
      return handler(request, index)
    })
  }

  var url: String { "http://127.0.0.1:\(server.port)" }
  var requests: [HTTPRequest] { seen.current }
  func stop() { server.shutdown(grace: 1) }
}

/// Checks a received request's SigV4 signature the way AWS does: rebuild the canonical
/// request from the headers it names as signed, as they arrived, and compare signatures.
/// Proves the client signed exactly what curl sent (Host with port, body bytes).
enum SigV4Check {
  struct Parsed {
    let accessKeyID: String
    let scope: [String]
    let signedHeaders: [String]
    let signature: String
  }

  static func parse(_ authorization: String?) -> Parsed? {
    guard let value = authorization, value.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
    var fields: [String: String] = [:]
    for part in value.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
      let item = part.trimmingSpaces()
      guard let eq = item.firstIndex(of: "=") else { return nil }
      fields[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
    let pieces = credential.split(separator: "/").map(String.init)
    guard pieces.count == 5 else { return nil }
    return Parsed(accessKeyID: pieces[0], scope: Array(pieces[1...]), signedHeaders: signed.split(separator: ";").map(String.init), signature: signature)
  }

  /// True when `request` carries a valid signature by `secret`.
  static func isValid(_ request: HTTPRequest, secret: String, token: String? = nil) -> Bool {
    guard let parsed = parse(request.headers["Authorization"]), let amzDate = request.headers["X-Amz-Date"], amzDate.utf8.count == 16 else { return false }
    let d = Array(amzDate)
    let rfc = "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(d[9..<11])):\(String(d[11..<13])):\(String(d[13..<15]))Z"
    guard let time = Timestamps.parse(rfc) else { return false }
    let headers = request.headers.fields.filter { parsed.signedHeaders.contains($0.name.lowercased()) }
    let query = request.target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    let rebuilt = SigV4Request(method: request.method, path: request.path, query: query, headers: headers, body: request.body)
    let signer = SigV4Signer(region: parsed.scope[1], service: parsed.scope[2])
    let credentials = AWSSigningCredentials(accessKeyID: parsed.accessKeyID, secretAccessKey: secret, sessionToken: token)
    return signer.sign(rebuilt, credentials: credentials, at: time).signature == parsed.signature
  }
}

final class ECRLocked<Value: Sendable>: Sendable {
  let value: Mutex<Value>
  init(_ value: Value) { self.value = Mutex(value) }
  func with<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
  var current: Value { value.withLock { $0 } }
}

/// The `RegistryError` `body` throws, or nil when it succeeds or throws something else.
func registryError(_ body: () throws -> Void) -> RegistryError? {
  do {
    try body()
    return nil
  } catch let error as RegistryError {
    return error
  } catch {
    return nil
  }
}

/// moto could not be started or set up; the message carries its output.

