import KcdCore
import KcdCrypto

/// The secret lines of a header- or path-authenticated source (SPEC §6): several lines are
/// several accepted secrets, so a sender can be moved to a new one without downtime.
struct SharedSecrets: Sendable {
  let values: [[UInt8]]
  let source: String

  init(_ lines: [String], source: String) {
    values = lines.map { $0.trimmingSpaces() }.filter { !$0.isEmpty }.map { Array($0.utf8) }
    self.source = source
  }

  var isEmpty: Bool { values.isEmpty }

  /// Compares against every secret without stopping at the first match, in constant time each.
  func accepts(_ candidate: [UInt8]) -> Bool {
    var matched = false
    for secret in values where ConstantTime.equal(secret, candidate) { matched = true }
    return matched
  }

  /// `Authorization: Bearer <secret>`, the password of `Authorization: Basic`, the whole
  /// `Authorization` value (Harbor's verbatim Auth Header), or the whole `X-Api-Key` value
  /// (an EventBridge API-key connection named `x-api-key`).
  func authenticateHeader(_ request: HookRequest) throws(HookRejection) {
    guard !isEmpty else { throw HookRejection(500, "the \(source) hook has no usable secret") }
    var candidates: [[UInt8]] = []
    if let key = request.header("x-api-key") { candidates.append(Array(key.utf8)) }
    if let authorization = request.header("authorization") {
      let value = authorization.trimmingSpaces()
      candidates.append(Array(value.utf8))
      let parts = value.split(separator: " ", maxSplits: 1)
      if parts.count == 2 {
        let scheme = parts[0].lowercased(), credential = String(parts[1]).trimmingSpaces()
        if scheme == "bearer" { candidates.append(Array(credential.utf8)) }
        if scheme == "basic", let decoded = Base64.decode(credential), let colon = decoded.firstIndex(of: UInt8(ascii: ":")) {
          candidates.append(Array(decoded[(colon + 1)...]))
        }
      }
    }
    guard !candidates.isEmpty else { throw .unauthorized("missing Authorization header") }
    var matched = false
    for c in candidates where accepts(c) { matched = true }
    guard matched else { throw .unauthorized("wrong credentials") }
  }

  /// The token of `/hooks/<source>/<token>`.
  func authenticatePath(_ request: HookRequest) throws(HookRejection) {
    guard !isEmpty else { throw HookRejection(500, "the \(source) hook has no usable secret") }
    guard request.pathRest.count == 1, let token = request.pathRest.first, !token.isEmpty else {
      throw .unauthorized("missing token in the path")
    }
    guard accepts(Array(token.utf8)) else { throw .unauthorized("wrong token") }
  }
}
