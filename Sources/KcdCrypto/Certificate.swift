import CKcdCrypto
import COpenSSL

/// A parsed X.509 certificate: host names, validity period and chain verification, for checking
/// who signed something before trusting its key (SNS signing certificates).
public final class Certificate: @unchecked Sendable {
  let x509: OpaquePointer

  init(owning x509: OpaquePointer) { self.x509 = x509 }
  deinit { X509_free(x509) }

  /// The first certificate of a PEM text.
  public convenience init(pem: String) throws(CryptoError) {
    guard let first = try Certificate.all(pem: pem).first else { throw CryptoError("no PEM certificate found") }
    guard let copy = X509_dup(first.x509) else { throw .openSSL("cannot copy the certificate") }
    self.init(owning: copy)
  }

  /// A DER-encoded certificate (what AIA `caIssuers` URLs usually serve).
  public convenience init(der: [UInt8]) throws(CryptoError) {
    let x509: OpaquePointer? = der.withUnsafeBufferPointer { b in
      var p: UnsafePointer<UInt8>? = b.baseAddress
      return d2i_X509(nil, &p, b.count)
    }
    guard let x509 else { throw .openSSL("not a DER certificate") }
    self.init(owning: x509)
  }

  /// PEM or DER, whichever the bytes are.
  public static func parse(_ bytes: [UInt8]) throws(CryptoError) -> Certificate {
    let text = bytes.drop(while: { $0 == 32 || $0 == 9 || $0 == 10 || $0 == 13 })
    if text.starts(with: Array("-----BEGIN".utf8)) {
      return try Certificate(pem: String(decoding: bytes, as: UTF8.self))
    }
    return try Certificate(der: bytes)
  }

  /// Every certificate of a PEM text, in order (a leaf followed by its chain).
  public static func all(pem: String) throws(CryptoError) -> [Certificate] {
    let bytes = Array(pem.utf8)
    var found: [Certificate] = []
    bytes.withUnsafeBytes { buffer in
      guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return }
      defer { BIO_free(bio) }
      while let x = PEM_read_bio_X509(bio, nil, nil, nil) { found.append(Certificate(owning: x)) }
    }
    // Reading stops with a "no start line" entry on the queue; it is not an error here.
    ERR_clear_error()
    guard !found.isEmpty else { throw CryptoError("no PEM certificate found") }
    return found
  }

  /// Whether the subject alternative names (or, lacking any, the CN) cover `host`.
  public func matches(host: String) -> Bool {
    defer { ERR_clear_error() }
    let name = Array(host.utf8)
    return name.withUnsafeBufferPointer { b in
      b.withMemoryRebound(to: CChar.self) { X509_check_host(x509, $0.baseAddress, $0.count, 0, nil) == 1 }
    }
  }

  /// (notBefore, notAfter) in Unix seconds.
  public var validity: (notBefore: Double, notAfter: Double) {
    var start: Int64 = 0, end: Int64 = 0
    guard kcd_crypto_x509_validity(x509, &start, &end) == 1 else { return (1, 0) }
    return (Double(start), Double(end))
  }

  public func isValid(at time: Double) -> Bool {
    let v = validity
    return time >= v.notBefore && time <= v.notAfter
  }

  /// Where the issuer's certificate can be downloaded (AIA `caIssuers`), when the cert says.
  public var issuerURL: String? {
    var out = [CChar](repeating: 0, count: 2048)
    let n = kcd_crypto_ca_issuers_url(x509, &out, out.count)
    guard n > 0 else { return nil }
    return String(decoding: out.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
  }

  /// SHA-256 of the DER encoding (the certificate's fingerprint).
  public var fingerprint: [UInt8] {
    var out = [UInt8](repeating: 0, count: 32)
    var length: UInt32 = 32
    _ = X509_digest(x509, EVP_sha256(), &out, &length)
    ERR_clear_error()
    return out
  }

  /// Where chains may end: the operating system's CA store and/or extra anchors (which count
  /// as trusted even when they are intermediates or leaves, like a pinned certificate).
  public struct TrustAnchors: Sendable {
    public var useSystemStore: Bool
    public var extra: [Certificate]
    public init(useSystemStore: Bool = true, extra: [Certificate] = []) {
      self.useSystemStore = useSystemStore
      self.extra = extra
    }
    /// System store plus the certificates of an optional PEM text.
    public init(systemPlusPEM pem: String?) throws(CryptoError) {
      self.init(useSystemStore: true, extra: try pem.map { p throws(CryptoError) in try Certificate.all(pem: p) } ?? [])
    }
  }

  /// Verifies that this certificate chains to one of `anchors` through `intermediates`, with
  /// every certificate valid at `time` (Unix seconds).
  public func verifyChain(intermediates: [Certificate] = [], anchors: TrustAnchors, at time: Double) throws(CryptoError) {
    var error: Int32 = 0
    let inter: [OpaquePointer] = intermediates.map { $0.x509 }
    let extra: [OpaquePointer] = anchors.extra.map { $0.x509 }
    let ok = inter.withUnsafeBufferPointer { i in
      extra.withUnsafeBufferPointer { a in
        kcd_crypto_verify_chain(x509, i.baseAddress, i.count, a.baseAddress, a.count, anchors.useSystemStore ? 1 : 0, Int64(time), &error)
      }
    }
    withExtendedLifetime((intermediates, anchors)) {}
    guard ok == 1 else {
      let reason = error < 0 ? "cannot set up chain verification" : String(cString: X509_verify_cert_error_string(Int(error)))
      throw CryptoError("certificate chain does not verify: \(reason)")
    }
  }
}
