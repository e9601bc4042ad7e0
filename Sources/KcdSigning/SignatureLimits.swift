/// Bounds on everything the verifier reads or tries, so a hostile registry or signature cannot
/// make kcd download, parse or verify without end. Anything over a bound is refused, never
/// truncated and then trusted.
public struct SignatureLimits: Sendable, Equatable {
  /// Signature manifests, referrer manifests and referrers indexes.
  public var manifestBytes = 1 << 20
  /// A simple-signing payload blob.
  public var payloadBytes = 256 * 1024
  /// A Sigstore bundle blob.
  public var bundleBytes = 1 << 20
  /// Signatures tried per verification (`.sig` layers and bundle referrers together).
  public var signatures = 16
  /// Referrers-index entries looked at (bundle or not).
  public var referrers = 256
  /// Transparency-log entries and DSSE signatures looked at per signature.
  public var entriesPerSignature = 8
  /// Certificates in one chain (an annotation, a bundle, or a trusted-root authority).
  public var chainCertificates = 10
  /// The trusted_root.json text, and its authorities and logs.
  public var trustedRootBytes = 1 << 20
  public var trustedRootEntries = 64
  /// A transparency-log integration time may be this far ahead of `now` (clock skew).
  public var clockSkew = 300.0

  public init() {}
}
