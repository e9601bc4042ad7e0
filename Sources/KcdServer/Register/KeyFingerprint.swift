import KcdCrypto

/// What stands for an API key that cannot be read back (an EventBridge Connection's): the first
/// 16 hex digits of SHA-256 over a fixed domain-separation prefix and the key. Recorded in the
/// object's description so the next run sees whether the key file changed. Safe to publish only
/// for high-entropy keys (`openssl rand -hex 32`); a guessable key is guessable from it.
enum KeyFingerprint {
  static let prefix = "kcd hooks register: EventBridge API key fingerprint v1\n"

  static func of(_ key: String) -> String {
    String(Digest.hex(Digest.sha256(Array((prefix + key).utf8))).prefix(16))
  }
}
