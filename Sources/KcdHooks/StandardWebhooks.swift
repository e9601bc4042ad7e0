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
    /// Prepared once, so checking a signature costs the message's hashing only.
    let prepared: HMACKey?

    public static func == (a: Key, b: Key) -> Bool { a.bytes == b.bytes }

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
      prepared = HMACKey(bytes)
    }

    public init(bytes: [UInt8]) {
      self.bytes = bytes
      prepared = HMACKey(bytes)
    }

    /// HMAC-SHA256 of `prefix ‖ body`.
    func mac(_ prefix: [UInt8], _ body: [UInt8]) -> [UInt8] {
      prepared?.mac(prefix, body) ?? Digest.hmacSHA256(key: bytes, message: prefix + body)
    }
  }

  /// `v1,<base64>` for one key.
  public static func signature(key: Key, id: String, timestamp: String, body: [UInt8]) -> String {
    "v1," + Base64.encode(key.mac(Array("\(id).\(timestamp).".utf8), body))
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
    var prefix = Array(id.utf8)
    prefix.append(UInt8(ascii: "."))
    prefix += timestamp.utf8
    prefix.append(UInt8(ascii: "."))
    let expected = keys.map { $0.mac(prefix, body) }
    // Space-separated `v1,<base64>` entries, read as bytes (the header is ASCII).
    for entry in signatures.utf8.split(separator: UInt8(ascii: " ")) {
      guard entry.starts(with: "v1,".utf8), let mac = Base64.decode(String(decoding: entry.dropFirst(3), as: UTF8.self)) else { continue }
      for e in expected where ConstantTime.equal(mac, e) { return }
    }
    throw .unauthorized("no valid webhook-signature")
  }
}
