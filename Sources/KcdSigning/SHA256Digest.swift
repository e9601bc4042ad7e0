import KcdCrypto

/// `sha256:<64 lower-case hex>` digests: the only form kcd pins and verifies.
enum SHA256Digest {
  static func isValid(_ digest: String) -> Bool {
    let b = Array(digest.utf8)
    return b.count == 71 && digest.hasPrefix("sha256:") && b.dropFirst(7).allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
  }

  /// The 64 hex digits after `sha256:`.
  static func hex(_ digest: String) -> String { String(digest.dropFirst(7)) }

  static func of(_ bytes: [UInt8]) -> String { "sha256:" + Digest.hex(Digest.sha256(bytes)) }

  /// The tag cosign's legacy layout stores signatures under: `sha256-<hex>.sig`.
  static func signatureTag(_ digest: String) -> String { "sha256-" + hex(digest) + ".sig" }

  /// The referrers tag schema of distribution-spec: `sha256-<hex>`.
  static func referrersTag(_ digest: String) -> String { "sha256-" + hex(digest) }
}
