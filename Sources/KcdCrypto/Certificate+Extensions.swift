import CKcdCrypto
import COpenSSL

extension Certificate {
  /// A subject alternative name kcd reads: Sigstore identities are an email or a URI.
  public enum AlternativeName: Sendable, Equatable {
    case email(String)
    case uri(String)
    /// Any other form (DNS, IP, otherName…), kept only so callers can count names.
    case other
  }

  /// Extension values longer than this are refused (Fulcio's are well under 1 KB).
  public static let maximumExtensionBytes = 8 * 1024

  /// The raw value of the extension with the dotted `oid` (the extnValue contents), nil when
  /// absent. A duplicated or oversized extension is an error: which copy counts is ambiguous.
  public func extensionValue(oid: String) throws(CryptoError) -> [UInt8]? {
    var out = [UInt8](repeating: 0, count: Certificate.maximumExtensionBytes)
    let n = kcd_crypto_x509_extension_value(x509, oid, &out, out.count)
    switch n {
    case 0: return nil
    case -2: throw CryptoError("the certificate carries extension \(oid) more than once")
    case ..<0: throw CryptoError("the certificate's extension \(oid) is longer than \(Certificate.maximumExtensionBytes) bytes")
    default: return Array(out.prefix(Int(n)))
    }
  }

  /// Every subject alternative name, in certificate order (at most 64 are read).
  public func alternativeNames() throws(CryptoError) -> [AlternativeName] {
    var names: [AlternativeName] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    for index in 0..<64 {
      var kind: Int32 = 0
      let n = kcd_crypto_x509_san(x509, Int32(index), &kind, &buffer, buffer.count)
      if n == -1 { return names }
      if n < 0 { throw CryptoError("a subject alternative name is longer than \(buffer.count) bytes") }
      let text = String(decoding: buffer.prefix(Int(n)), as: UTF8.self)
      names.append(kind == 1 ? .email(text) : kind == 2 ? .uri(text) : .other)
    }
    throw CryptoError("the certificate has more than 64 subject alternative names")
  }

  /// Whether the extended key usage extension is present and allows code signing.
  public var allowsCodeSigning: Bool { kcd_crypto_x509_has_code_signing(x509) == 1 }
}
