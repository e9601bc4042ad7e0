import KcdCore
import KcdCrypto
import KcdTestSupport

/// A Sigstore made for one test: a Fulcio-like CA (root and intermediate), a transparency-log
/// key, leaves issued for identities, and SETs signed over entries — all by `openssl`.
final class TestSigstore: @unchecked Sendable {
  let workshop: OpenSSLWorkshop
  let rootKey: OpenSSLWorkshop.Key
  let root: OpenSSLWorkshop.CertificateFile
  let intermediateKey: OpenSSLWorkshop.Key
  let intermediate: OpenSSLWorkshop.CertificateFile
  let logKey: OpenSSLWorkshop.Key
  let logURL = "https://rekor.kcd-test.invalid"

  init(_ workshop: OpenSSLWorkshop, name: String = "kcd-test-fulcio") throws {
    self.workshop = workshop
    rootKey = try workshop.key()
    root = try workshop.rootCA(rootKey, name: name + "-root")
    intermediateKey = try workshop.key()
    intermediate = try workshop.intermediateCA(intermediateKey, name: name + "-intermediate", issuer: root, issuerKey: rootKey)
    logKey = try workshop.key()
  }

  /// Rekor's log ID: hex SHA-256 of the log key's DER.
  var logID: String { Digest.hex(Digest.sha256(logKey.publicDER)) }

  /// trusted_root.json naming this CA (intermediate then root) and this log; `extraAuthorities`
  /// are more `certChain` lists (DER, root last).
  func trustedRoot(extraAuthorities: [[[UInt8]]] = [], logStart: String = "2020-01-01T00:00:00Z") -> String {
    let chains = [[intermediate.der, root.der]] + extraAuthorities
    let authorities = chains.map { chain in
      let certificates = chain.map { #"{"rawBytes":"\#(Base64.encode($0))"}"# }.joined(separator: ",")
      return #"{"subject":{"organization":"kcd-test","commonName":"fulcio"},"uri":"https://fulcio.kcd-test.invalid","certChain":{"certificates":[\#(certificates)]},"validFor":{"start":"2020-01-01T00:00:00Z"}}"#
    }
    return """
    {"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
     "tlogs":[{"baseUrl":"\(logURL)","hashAlgorithm":"SHA2_256","publicKey":{"rawBytes":"\(Base64.encode(logKey.publicDER))","keyDetails":"PKIX_ECDSA_P256_SHA_256","validFor":{"start":"\(logStart)"}},"logId":{"keyId":"\(Base64.encode(Digest.sha256(logKey.publicDER)))"}}],
     "certificateAuthorities":[\(authorities.joined(separator: ","))],
     "ctlogs":[],"timestampAuthorities":[]}
    """
  }

  enum IssuerExtension { case v2, v1, none }

  /// A leaf for `san` (`email:…` or `URI:…`) with Fulcio's issuer extension.
  func leaf(san: String, issuer: String, issuerExtension: IssuerExtension = .v2, codeSigning: Bool = true, days: Int = 1) throws -> (key: OpenSSLWorkshop.Key, certificate: OpenSSLWorkshop.CertificateFile) {
    let key = try workshop.key()
    var extensions = ["basicConstraints=critical,CA:FALSE", "keyUsage=critical,digitalSignature", "subjectAltName=critical,\(san)"]
    if codeSigning { extensions.append("extendedKeyUsage=codeSigning") }
    switch issuerExtension {
    case .v2: extensions.append("1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:\(issuer)")
    case .v1: extensions.append("1.3.6.1.4.1.57264.1.1=DER:\(Digest.hex(Array(issuer.utf8)))")
    case .none: break
    }
    let certificate = try workshop.issue(key, subject: "/O=sigstore.dev", issuer: intermediate, issuerKey: intermediateKey, extensions: extensions, days: days)
    return (key, certificate)
  }

  /// The canonical SET payload, written out here independently of the code under test.
  static func setPayload(bodyBase64: String, integratedTime: Int64, logID: String, logIndex: Int64) -> [UInt8] {
    Array(#"{"body":"\#(bodyBase64)","integratedTime":\#(integratedTime),"logID":"\#(logID)","logIndex":\#(logIndex)}"#.utf8)
  }

  /// The SET over an entry, signed with this log's key (or another key, for negative tests).
  func signedEntryTimestamp(body: [UInt8], integratedTime: Int64, logIndex: Int64, key: OpenSSLWorkshop.Key? = nil) throws -> [UInt8] {
    try workshop.sign(TestSigstore.setPayload(bodyBase64: Base64.encode(body), integratedTime: integratedTime, logID: logID, logIndex: logIndex), with: key ?? logKey)
  }
}
