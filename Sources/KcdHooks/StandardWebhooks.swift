import KcdCore
import KcdCrypto

/// Standard Webhooks 1.0 (symmetric `v1`): HMAC-SHA256 over `id.timestamp.body`, a ±5 minute
/// window, and a list of signatures so senders can rotate keys without downtime.
public enum StandardWebhooks {
  public static let tolerance: Double = 300

  /// A signing key: `whsec_<base64>` or raw bytes. Empty keys are refused (an empty key would
  /// make every signature forgeable).
  public struct Key: Sendable, Equatable {
    public let bytes: [UInt8]

    public init(secret: String) throws(HookRejection) {
      let text = secret.trimmingSpaces()
      if text.hasPrefix("whsec_") {
        guard let decoded = Base64.decode(String(text.dropFirst(6))), !decoded.isEmpty else {
          throw HookRejection(500, "the ci key is not a Standard Webhooks key (base64 after the prefix)")
        }
        bytes = decoded
      } else {
        guard !text.isEmpty else { throw HookRejection(500, "the ci hook secret is empty") }
        bytes = Array(text.utf8)
      }
    }

    public init(bytes: [UInt8]) { self.bytes = bytes }
  }

  /// `v1,<base64>` for one key.
  public static func signature(key: Key, id: String, timestamp: String, body: [UInt8]) -> String {
    var content = Array("\(id).\(timestamp).".utf8)
    content.append(contentsOf: body)
    return "v1," + Base64.encode(Digest.hmacSHA256(key: key.bytes, message: content))
  }

  /// Checks the three headers against any of the keys. `now` is wall-clock seconds; pass nil to
  /// skip the window (only for published test vectors).
  public static func verify(
    keys: [Key], id: String?, timestamp: String?, signatures: String?, body: [UInt8], now: Double?
  ) throws(HookRejection) {
    guard let id, !id.isEmpty, let timestamp, !timestamp.isEmpty, let signatures, !signatures.isEmpty else {
      throw .unauthorized("missing webhook-id, webhook-timestamp or webhook-signature header")
    }
    guard !keys.isEmpty else { throw .unauthorized("no key configured") }
    guard let ts = Int64(timestamp) else { throw .unauthorized("webhook-timestamp is not an integer") }
    if let now {
      if now - Double(ts) > tolerance { throw .unauthorized("webhook-timestamp is too old") }
      if Double(ts) - now > tolerance { throw .unauthorized("webhook-timestamp is too new") }
    }
    var content = Array("\(id).\(timestamp).".utf8)
    content.append(contentsOf: body)
    let expected = keys.map { Digest.hmacSHA256(key: $0.bytes, message: content) }
    for entry in signatures.split(separator: " ") {
      let parts = entry.split(separator: ",", maxSplits: 1)
      guard parts.count == 2, parts[0] == "v1", let mac = Base64.decode(String(parts[1])) else { continue }
      for e in expected where ConstantTime.equal(mac, e) { return }
    }
    throw .unauthorized("no valid webhook-signature")
  }
}
