import KcdHooks
import KcdPattern
import KcdVersionPolicy

/// A KCD's spec, read and checked (see `KCDSpec+JSON.swift`). A spec with problems is never
/// acted on: invalid fields are the user's to fix, unsupported ones wait for the kcd release
/// that implements them (fail closed: a KCD asking for signature checks never deploys
/// unchecked images).
public struct KCDSpec: Sendable, Equatable {
  public enum Strategy: String, Sendable, Equatable {
    case rollingUpdate = "RollingUpdate"
    case serviceBlueGreen = "ServiceBlueGreen"
    case canary = "Canary"
  }

  public var imageRepo: String
  /// `imageRepo` in canonical form, for matching events.
  public var repository: String
  /// Pointer mode: the tag followed. Nil in stream mode.
  public var tag: String?
  /// Stream mode: which tags are versions and which is newest. Nil in pointer mode.
  public var versionPolicy: VersionPolicy?
  public var versionSyntax: String
  /// `versionSyntax` compiled once (linear-time matcher: a tenant's pattern cannot wedge kcd).
  public var versionPattern: Pattern
  public var selector: [String: String]
  public var containerName: String?
  public var timeoutSeconds: Int
  /// `spec.timeoutSeconds` when unset.
  public static let defaultTimeoutSeconds = 900
  public var pollIntervalSeconds: Int
  public var suspend: Bool
  public var strategy: Strategy
  /// `strategy.blueGreen`, set when the strategy is ServiceBlueGreen.
  public var blueGreen: BlueGreenSpec?
  public var rollbackEnabled: Bool
  /// Checks every candidate passes before anything is patched (`spec.verify`, then
  /// `spec.container.verify`).
  public var verify: [VerifyStep]
  /// Checks once the new version runs, before the rollout is declared a success
  /// (`strategy.verify`); a failure rolls back.
  public var postVerify: [VerifyStep]
  /// `strategy.canary` when the strategy is Canary.
  public var canary: CanarySpec?
  /// Finished rollouts also kept in a ConfigMap (`history.enabled`).
  public var history: HistorySpec?
  /// Where the deployed version is written after each success (`config`).
  public var config: ConfigTarget?
  /// A verified candidate waits for an approval of its digest (`approval.required`).
  public var approval: ApprovalSpec?
  /// Fields from the original kcd that are accepted and ignored (warned about once).
  public var ignoredFields: [String]

  public static let defaultVersionSyntax = "[0-9a-f]{5,40}"
  /// Longest tag the OCI distribution spec allows; longer input is never a version.
  public static let maximumTagLength = 128

  /// Whether the tag names a version: by the version policy in stream mode, else by
  /// versionSyntax (whole match, as the original).
  public func isVersion(_ tag: String) -> Bool {
    if let versionPolicy { return versionPolicy.accepts(tag) }
    return tag.utf8.count <= KCDSpec.maximumTagLength && versionPattern.wholeMatch(tag)
  }

  /// Labels match the selector (matchLabels semantics).
  public func selects(_ labels: [String: String]) -> Bool {
    selector.allSatisfy { labels[$0.key] == $0.value }
  }
}

/// Something that keeps a KCD from being acted on, with the field it concerns.
public struct SpecProblem: Error, Sendable, Equatable, CustomStringConvertible {
  public enum Kind: String, Sendable {
    /// The user has to fix it (`Ready=False`, reason InvalidSpec).
    case invalid
    /// kcd does not implement it yet (`Ready=False`, reason Unsupported).
    case unsupported
  }

  public var kind: Kind
  public var field: String
  public var message: String

  public init(_ kind: Kind, _ field: String, _ message: String) {
    self.kind = kind
    self.field = field
    self.message = message
  }

  public var description: String { message }
}

extension String {
  /// User input quoted for a message, cut so a hostile value cannot bloat a status or a log.
  func quotedForMessage(limit: Int = 64) -> String {
    let cut = self.count > limit ? String(self.prefix(limit)) + "…" : self
    return "\"\(cut)\""
  }
}
