import KcdCore
import KcdCrypto
import KcdJSON

/// The parts of a Sigstore `trusted_root.json` (protobuf-specs `TrustedRoot`) that keyless
/// verification uses: certificate authorities (`certChain`, root last) and transparency logs
/// (`publicKey.rawBytes`, identified by the SHA-256 of that DER), each with its `validFor`
/// window. A malformed root is refused as a whole rather than partly trusted.
struct TrustedRoot: Sendable {
  struct Window: Sendable, Equatable {
    let start: Double
    let end: Double?
    func contains(_ time: Double) -> Bool { time >= start && (end.map { time <= $0 } ?? true) }
  }

  struct Authority: Sendable {
    let uri: String
    let root: Certificate
    let intermediates: [Certificate]
    let window: Window
  }

  struct Log: Sendable {
    let baseURL: String
    let key: VerificationKey
    /// Lower-case hex SHA-256 of the key's DER (Rekor's `logID`).
    let id: String
    let window: Window
  }

  let authorities: [Authority]
  let logs: [Log]

  init(authorities: [Authority], logs: [Log]) {
    self.authorities = authorities
    self.logs = logs
  }

  init(json text: String, limits: SignatureLimits) throws(CandidateFailure) {
    guard text.utf8.count <= limits.trustedRootBytes else { throw .rejected("the trusted root is larger than \(limits.trustedRootBytes) bytes") }
    guard let json = try? JSON.parse(text), json.objectValue != nil else { throw .rejected("the trusted root is not a JSON object") }
    guard let mediaType = json["mediaType"].stringValue, mediaType.hasPrefix("application/vnd.dev.sigstore.trustedroot") else {
      throw .rejected("the trusted root's mediaType is not application/vnd.dev.sigstore.trustedroot…")
    }
    let caList = json["certificateAuthorities"].arrayValue ?? []
    let logList = json["tlogs"].arrayValue ?? []
    guard caList.count <= limits.trustedRootEntries, logList.count <= limits.trustedRootEntries else {
      throw .rejected("the trusted root lists more than \(limits.trustedRootEntries) authorities or logs")
    }
    var authorities: [Authority] = []
    for (i, ca) in caList.enumerated() {
      authorities.append(try TrustedRoot.authority(ca, index: i, limits: limits))
    }
    var logs: [Log] = []
    for (i, log) in logList.enumerated() {
      if let parsed = try TrustedRoot.log(log, index: i) { logs.append(parsed) }
    }
    guard !authorities.isEmpty else { throw .rejected("the trusted root has no certificate authority") }
    guard !logs.isEmpty else { throw .rejected("the trusted root has no transparency log with a usable key") }
    self.authorities = authorities
    self.logs = logs
  }

  func log(id: String) -> Log? { logs.first { $0.id == id } }

  static func authority(_ json: JSON, index: Int, limits: SignatureLimits) throws(CandidateFailure) -> Authority {
    let list = json["certChain"]["certificates"].arrayValue ?? []
    guard !list.isEmpty, list.count <= limits.chainCertificates else {
      throw .rejected("certificate authority \(index) of the trusted root has no certChain or more than \(limits.chainCertificates) certificates")
    }
    var certificates: [Certificate] = []
    for entry in list {
      guard let der = entry["rawBytes"].stringValue.flatMap(Base64.decode), let certificate = try? Certificate(der: der) else {
        throw .rejected("certificate authority \(index) of the trusted root has a certificate that is not base64 DER")
      }
      certificates.append(certificate)
    }
    let window = try TrustedRoot.window(json["validFor"], requireStart: false, what: "certificate authority \(index)")
    return Authority(uri: json["uri"].stringValue ?? "", root: certificates.last!, intermediates: Array(certificates.dropLast()), window: window)
  }

  /// Nil for a log whose key kcd cannot use (a key type it does not verify with).
  static func log(_ json: JSON, index: Int) throws(CandidateFailure) -> Log? {
    guard let der = json["publicKey"]["rawBytes"].stringValue.flatMap(Base64.decode), !der.isEmpty else {
      throw .rejected("transparency log \(index) of the trusted root has no base64 publicKey.rawBytes")
    }
    let window = try TrustedRoot.window(json["publicKey"]["validFor"], requireStart: true, what: "transparency log \(index)")
    guard let key = try? VerificationKey(der: der) else { return nil }
    return Log(baseURL: json["baseUrl"].stringValue ?? "", key: key, id: Digest.hex(Digest.sha256(der)), window: window)
  }

  /// `{"start": RFC 3339, "end": RFC 3339}`; a missing end is open. Logs must say when they
  /// start (as sigstore-go requires); an authority without a start is valid from the beginning.
  static func window(_ json: JSON, requireStart: Bool, what: String) throws(CandidateFailure) -> Window {
    var start = -Double.infinity
    if let text = json["start"].stringValue {
      guard let parsed = Timestamps.parse(text) else { throw .rejected("\(what) of the trusted root has an invalid validFor.start") }
      start = parsed
    } else if requireStart {
      throw .rejected("\(what) of the trusted root has no validFor.start")
    }
    var end: Double?
    if let text = json["end"].stringValue {
      guard let parsed = Timestamps.parse(text) else { throw .rejected("\(what) of the trusted root has an invalid validFor.end") }
      end = parsed
    }
    return Window(start: start, end: end)
  }
}
