import KcdHooks
import KcdJSON

/// A KCD's spec, read and checked. Problems are collected (not thrown one at a time) so the
/// status and the Event can list everything a user has to fix.
public struct KCDSpec: Sendable, Equatable {
  public var imageRepo: String
  /// `imageRepo` in canonical form, for matching events.
  public var repository: String
  public var tag: String?
  public var versionSyntax: String
  public var selector: [String: String]
  public var containerName: String?
  public var timeoutSeconds: Int
  public var pollIntervalSeconds: Int
  public var suspend: Bool
  public var strategy: String
  public var rollbackEnabled: Bool
  /// Fields from the original kcd that are accepted and ignored (warned about once).
  public var ignoredFields: [String]

  public static let defaultVersionSyntax = "[0-9a-f]{5,40}"

  public static func parse(_ kcd: JSON) -> (spec: KCDSpec?, problems: [String]) {
    let s = kcd["spec"]
    var problems: [String] = []
    let imageRepo = s["imageRepo"].stringValue ?? ""
    if imageRepo.isEmpty { problems.append("spec.imageRepo is required") } else if !RepositoryName.isValid(imageRepo) || imageRepo.contains("@") || KCDSpec.hasTag(imageRepo) {
      problems.append("spec.imageRepo \"\(imageRepo)\" is not a repository name (no tag or digest)")
    }
    let tag = s["tag"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    if let t = tag, !RepositoryName.isValidTag(t) { problems.append("spec.tag \"\(t)\" is not a valid tag") }
    if tag == nil && s["versionPolicy"].isNull { problems.append("spec.tag or spec.versionPolicy is required") }
    if tag == nil && !s["versionPolicy"].isNull { problems.append("spec.versionPolicy (stream mode) is not supported yet; follow a tag with spec.tag") }
    let syntax = s["versionSyntax"].stringValue ?? defaultVersionSyntax
    if let why = KCDSpec.unsafeSyntax(syntax) {
      problems.append("spec.versionSyntax \"\(syntax)\" \(why)")
    } else if (try? Regex(syntax)) == nil {
      problems.append("spec.versionSyntax \"\(syntax)\" is not a valid regular expression")
    }
    var selector: [String: String] = [:]
    for (k, v) in s["selector"].objectValue ?? [:] {
      if let str = v.stringValue { selector[k] = str } else { problems.append("spec.selector.\(k) must be a string") }
    }
    if selector.isEmpty { problems.append("spec.selector must name at least one label (an empty selector would match every workload)") }
    let timeout = Int(s["timeoutSeconds"].intValue ?? 900)
    if timeout < 1 { problems.append("spec.timeoutSeconds must be at least 1") }
    let poll = Int(s["pollIntervalSeconds"].intValue ?? 600)
    if poll < 0 { problems.append("spec.pollIntervalSeconds must not be negative") }
    var strategy = s["strategy"]["kind"].stringValue ?? "RollingUpdate"
    if !["RollingUpdate", "ServiceBlueGreen", "Canary"].contains(strategy) { strategy = "RollingUpdate" }
    var ignored: [String] = []
    if s["serviceAccountName"].stringValue != nil { ignored.append("spec.serviceAccountName") }
    guard problems.isEmpty else { return (nil, problems) }
    let spec = KCDSpec(
      imageRepo: imageRepo, repository: RepositoryName.normalize(imageRepo), tag: tag, versionSyntax: syntax, selector: selector,
      containerName: s["container"]["name"].stringValue.flatMap { $0.isEmpty ? nil : $0 }, timeoutSeconds: timeout,
      pollIntervalSeconds: poll, suspend: s["suspend"].boolValue ?? false, strategy: strategy,
      rollbackEnabled: s["rollback"]["enabled"].boolValue ?? true, ignoredFields: ignored)
    return (spec, [])
  }

  /// A colon in the last path segment is a tag (`web:1.0`); one in the host is a port.
  static func hasTag(_ name: String) -> Bool {
    name.split(separator: "/", omittingEmptySubsequences: false).last?.contains(":") == true
  }

  /// Why a versionSyntax could backtrack catastrophically (a tenant's regex runs in the shared
  /// controller): too long, or a repeated group that itself repeats or alternates. nil when safe.
  static func unsafeSyntax(_ syntax: String) -> String? {
    if syntax.count > 256 { return "is longer than 256 characters" }
    var stack: [(quantified: Bool, alternation: Bool)] = []
    var escaped = false, inClass = false
    var previousClosed: (quantified: Bool, alternation: Bool)?
    for c in syntax {
      if escaped { escaped = false; previousClosed = nil; continue }
      if c == "\\" { escaped = true; continue }
      if inClass { if c == "]" { inClass = false }; continue }
      let isQuantifier = c == "*" || c == "+" || c == "?" || c == "{"
      if isQuantifier, let group = previousClosed, group.quantified || group.alternation {
        return "repeats a group that itself repeats or alternates (catastrophic backtracking); simplify it"
      }
      previousClosed = nil
      switch c {
      case "[": inClass = true
      case "(": stack.append((false, false))
      case ")":
        guard let group = stack.popLast() else { continue }
        previousClosed = group
        if group.quantified || group.alternation, !stack.isEmpty { stack[stack.count - 1].quantified = true }
      case "|": if !stack.isEmpty { stack[stack.count - 1].alternation = true }
      case "*", "+", "{": if !stack.isEmpty { stack[stack.count - 1].quantified = true }
      default: break
      }
    }
    return nil
  }

  /// Whether the tag names a version by this KCD's versionSyntax (anchored, as the original).
  public func isVersion(_ tag: String) -> Bool {
    guard let regex = try? Regex("^(?:\(versionSyntax))$") else { return false }
    return (try? regex.wholeMatch(in: tag)) != nil
  }

  /// Labels match the selector (matchLabels semantics).
  public func selects(_ labels: [String: String]) -> Bool {
    selector.allSatisfy { labels[$0.key] == $0.value }
  }
}
