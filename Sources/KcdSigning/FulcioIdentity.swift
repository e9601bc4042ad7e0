import KcdCrypto

/// The OIDC identity a Fulcio certificate was issued for: the issuer from Fulcio's extension
/// (`1.3.6.1.4.1.57264.1.8`, a DER UTF8String; or the deprecated `…1.1`, the raw string) and
/// the subject from the one email or URI subject alternative name.
struct FulcioIdentity: Sendable, Equatable {
  let issuer: String
  let subject: String
}

extension FulcioIdentity {
  static let issuerV2 = "1.3.6.1.4.1.57264.1.8"
  static let issuerV1 = "1.3.6.1.4.1.57264.1.1"

  init(_ certificate: Certificate) throws(CandidateFailure) {
    issuer = try FulcioIdentity.issuer(certificate)
    subject = try FulcioIdentity.subject(certificate)
  }

  /// The v2 extension when present (it must then be a valid UTF8String), else the v1 one.
  static func issuer(_ certificate: Certificate) throws(CandidateFailure) -> String {
    let v2: [UInt8]?, v1: [UInt8]?
    do {
      v2 = try certificate.extensionValue(oid: issuerV2)
      v1 = try certificate.extensionValue(oid: issuerV1)
    } catch {
      throw .rejected(error.message)
    }
    if let v2 {
      guard let text = DER.utf8String(v2), !text.isEmpty else { throw .rejected("the certificate's OIDC issuer extension (\(issuerV2)) is not a DER UTF8String") }
      return text
    }
    if let v1 {
      guard let text = String(validating: v1, as: UTF8.self), !text.isEmpty else { throw .rejected("the certificate's OIDC issuer extension (\(issuerV1)) is not UTF-8 text") }
      return text
    }
    throw .rejected("the certificate has no OIDC issuer extension (\(issuerV2) or \(issuerV1))")
  }

  /// Exactly one email or URI name; several would make the identity ambiguous.
  static func subject(_ certificate: Certificate) throws(CandidateFailure) -> String {
    let names: [Certificate.AlternativeName]
    do { names = try certificate.alternativeNames() } catch { throw .rejected(error.message) }
    let identities = names.compactMap { name -> String? in
      switch name {
      case .email(let value), .uri(let value): return value
      case .other: return nil
      }
    }
    guard identities.count == 1, let subject = identities.first, !subject.isEmpty else {
      throw .rejected(identities.isEmpty ? "the certificate has no email or URI subject alternative name" : "the certificate has \(identities.count) email/URI subject alternative names; exactly one is accepted")
    }
    return subject
  }
}
