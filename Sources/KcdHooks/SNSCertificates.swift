import KcdCrypto
import Synchronization

/// SNS signing certificates by URL, already checked, so a burst of notifications costs one
/// download. Shared across hook instances (the handler may build a hook per request).
public final class SNSCertificateCache: Sendable {
  public static let shared = SNSCertificateCache()

  struct Entry: Sendable {
    let certificate: Certificate
    let verifier: RSAVerifier
    let storedAt: Double
  }

  let entries = Mutex<[String: Entry]>([:])
  /// Re-download after this long, so a revoked or replaced certificate is noticed.
  public let timeToLive: Double
  /// Bound on distinct URLs kept (only certificates that passed every check are stored).
  public let capacity: Int

  public init(timeToLive: Double = 24 * 3600, capacity: Int = 32) {
    self.timeToLive = timeToLive
    self.capacity = capacity
  }

  func lookup(_ url: String, now: Double) -> Entry? {
    entries.withLock { entries in
      guard let e = entries[url] else { return nil }
      if now - e.storedAt > timeToLive { entries[url] = nil; return nil }
      return e
    }
  }

  func store(_ url: String, _ entry: Entry) {
    entries.withLock { entries in
      if entries.count >= capacity, entries[url] == nil,
         let oldest = entries.min(by: { $0.value.storedAt < $1.value.storedAt })?.key {
        entries[oldest] = nil
      }
      entries[url] = entry
    }
  }
}

/// Downloads and checks the certificate at a validated `SigningCertURL`: valid now, issued to
/// `sns.amazonaws.com`, chaining to a trusted CA. SNS serves the leaf alone, so when the chain
/// is incomplete the issuer is fetched from the certificate's AIA URL, but only from Amazon's
/// trust-services host; it must itself chain to a trusted root, so it needs no other trust.
struct SNSCertificateCheck: Sendable {
  static let maximumSize = 64 * 1024

  let fetch: @Sendable (String) throws -> [UInt8]
  let anchors: Certificate.TrustAnchors
  let cache: SNSCertificateCache

  func verifier(for url: PayloadURL, text: String, now: Double) throws(HookRejection) -> RSAVerifier {
    if let cached = cache.lookup(text, now: now) {
      guard cached.certificate.isValid(at: now) else { throw .unauthorized("the SNS signing certificate is outside its validity period") }
      return cached.verifier
    }
    let certificates = try download(text, what: "SNS signing certificate")
    let leaf = certificates[0]
    guard leaf.isValid(at: now) else { throw .unauthorized("the SNS signing certificate is outside its validity period") }
    // China-partition certificate names are unconfirmed; their own domain is accepted there too.
    guard leaf.matches(host: "sns.amazonaws.com") || (url.isChinaPartition && leaf.matches(host: "sns.amazonaws.com.cn")) else {
      throw .unauthorized("the SNS signing certificate is not issued to sns.amazonaws.com")
    }
    try verifyChain(leaf, intermediates: Array(certificates.dropFirst()), now: now)
    let verifier: RSAVerifier
    do { verifier = try RSAVerifier(certificate: leaf) } catch { throw .unauthorized("the SNS signing certificate has no usable RSA key") }
    cache.store(text, SNSCertificateCache.Entry(certificate: leaf, verifier: verifier, storedAt: now))
    return verifier
  }

  func verifyChain(_ leaf: Certificate, intermediates: [Certificate], now: Double) throws(HookRejection) {
    do {
      try leaf.verifyChain(intermediates: intermediates, anchors: anchors, at: now)
      return
    } catch {
      guard let issuerText = leaf.issuerURL, let issuerURL = PayloadURL(issuerText),
            issuerURL.scheme == "http" || issuerURL.scheme == "https",
            issuerURL.host == "amazontrust.com" || issuerURL.host.hasSuffix(".amazontrust.com") else {
        throw .unauthorized("the SNS signing certificate does not chain to a trusted CA")
      }
    }
    let issuers = try download(leaf.issuerURL ?? "", what: "issuer of the SNS signing certificate")
    do { try leaf.verifyChain(intermediates: intermediates + issuers, anchors: anchors, at: now) } catch {
      throw .unauthorized("the SNS signing certificate does not chain to a trusted CA")
    }
  }

  /// A fetch that fails is the network's fault (503, SNS retries); content that is not a
  /// certificate is refused.
  func download(_ url: String, what: String) throws(HookRejection) -> [Certificate] {
    let bytes: [UInt8]
    do { bytes = try fetch(url) } catch { throw HookRejection(503, "cannot download the \(what); retry later") }
    guard !bytes.isEmpty, bytes.count <= Self.maximumSize else { throw .unauthorized("the \(what) has an implausible size") }
    if let pem = try? Certificate.all(pem: String(decoding: bytes, as: UTF8.self)) { return pem }
    guard let der = try? Certificate(der: bytes) else { throw .unauthorized("the \(what) is not a certificate") }
    return [der]
  }
}
