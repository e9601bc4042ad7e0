import KcdJSON
@testable import KcdSigning

/// What a registry serves as signature evidence: every byte is the attacker's until verified.
enum SigningHarnesses {
  static let digest = "sha256:" + String(repeating: "ab", count: 32)
  static let limits = SignatureLimits()

  static let all = [
    Harness(name: "sigstore-bundle") { bytes in
      for keyless in [false, true] {
        _ = try? SigstoreBundle.evidence(bytes, keyless: keyless, limits: limits, manifest: { () throws(CandidateFailure) -> [UInt8] in Array("{}".utf8) })
      }
    },
    // cosign's simple-signing payload and in-toto statements, bound to a digest.
    Harness(name: "signed-payload") { bytes in
      _ = try? SimpleSigningPayload.check(bytes, digest: digest)
      _ = try? InTotoStatement.check(bytes, digest: digest)
      if let json = try? JSON.parse(bytes) {
        _ = try? DSSEEnvelope(json, limits: limits)
        _ = try? LogEntry(bundleEntry: json)
      }
      _ = try? LogEntry(cosignAnnotation: String(decoding: bytes, as: UTF8.self))
    },
    Harness(name: "trusted-root") { bytes in
      _ = try? TrustedRoot(json: String(decoding: bytes, as: UTF8.self), limits: limits)
    },
  ]
}
