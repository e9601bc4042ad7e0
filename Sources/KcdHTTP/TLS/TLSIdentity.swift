import CKcdTLS
import COpenSSL

/// A certificate chain and private key in PEM, and the means to mint them: a throwaway CA and
/// certificates it signs (KubeSim serves HTTPS with one, since kubectl sends credentials only
/// over TLS).
public struct TLSIdentity: Sendable {
  public var certificateChainPEM: String
  public var privateKeyPEM: String

  public init(certificateChainPEM: String, privateKeyPEM: String) {
    self.certificateChainPEM = certificateChainPEM
    self.privateKeyPEM = privateKeyPEM
  }

  /// A new self-signed CA (EC P-256).
  public static func certificateAuthority(commonName: String, days: Int = 3650) throws(TLSError) -> TLSIdentity {
    try generate(commonName: commonName, san: nil, isCA: true, days: days, issuer: nil)
  }

  /// A leaf certificate for `subjectAltNames` (e.g. `["IP:127.0.0.1", "DNS:localhost"]`) signed by `issuer`.
  public static func leaf(commonName: String, subjectAltNames: [String], issuer: TLSIdentity, days: Int = 825) throws(TLSError) -> TLSIdentity {
    try generate(commonName: commonName, san: subjectAltNames.joined(separator: ","), isCA: false, days: days, issuer: issuer)
  }

  static func generate(commonName: String, san: String?, isCA: Bool, days: Int, issuer: TLSIdentity?) throws(TLSError) -> TLSIdentity {
    var cert: UnsafeMutablePointer<CChar>?
    var key: UnsafeMutablePointer<CChar>?
    let rc = kcd_tls_generate(commonName, san, isCA ? 1 : 0, Int32(days), issuer?.certificateChainPEM, issuer?.privateKeyPEM, &cert, &key)
    defer {
      kcd_tls_free(cert)
      kcd_tls_free(key)
    }
    guard rc == 0, let c = cert, let k = key else { throw TLSError(message: "could not generate a certificate: \(TLSError.lastOpenSSLError())") }
    return TLSIdentity(certificateChainPEM: String(cString: c), privateKeyPEM: String(cString: k))
  }
}

/// A TLS failure, with OpenSSL's own reason where there is one.
public struct TLSError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }

  static func lastOpenSSLError() -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    kcd_tls_last_error(&buffer, buffer.count)
    return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }
}

/// An OpenSSL server context: shared by every connection of a listener.
public final class TLSServerContext: @unchecked Sendable {
  // SSL_CTX is safe to share across threads once configured; it is never changed after init.
  let context: OpaquePointer

  public init(identity: TLSIdentity) throws(TLSError) {
    var buffer = [CChar](repeating: 0, count: 256)
    guard let ctx = kcd_tls_server_context(identity.certificateChainPEM, identity.privateKeyPEM, &buffer, buffer.count) else {
      throw TLSError(message: "cannot use the TLS certificate: " + String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
    }
    context = ctx
  }

  deinit { SSL_CTX_free(context) }
}
