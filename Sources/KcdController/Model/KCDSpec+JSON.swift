import KcdHooks
import KcdJSON
import KcdPattern
import KcdVersionPolicy

extension KCDSpec {
  /// Reads `spec`; every problem is collected (not thrown one at a time) so the status and the
  /// Event can list everything a user has to fix. `spec` is nil when a field is invalid.
  public static func parse(_ s: JSON) -> (spec: KCDSpec?, problems: [SpecProblem]) {
    var problems: [SpecProblem] = []
    func invalid(_ field: String, _ message: String) { problems.append(SpecProblem(.invalid, field, message)) }
    let imageRepo = s["imageRepo"].stringValue ?? ""
    if imageRepo.isEmpty {
      invalid("spec.imageRepo", "spec.imageRepo is required")
    } else if !RepositoryName.isValid(imageRepo) || imageRepo.contains("@") || KCDSpec.hasTag(imageRepo) {
      invalid("spec.imageRepo", "spec.imageRepo \(imageRepo.quotedForMessage()) is not a repository name (no tag or digest)")
    }
    let tag = s["tag"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    if let t = tag, !RepositoryName.isValidTag(t) { invalid("spec.tag", "spec.tag \(t.quotedForMessage()) is not a valid tag") }
    if tag == nil && s["versionPolicy"].isNull { invalid("spec.tag", "spec.tag or spec.versionPolicy is required") }
    if tag != nil && !s["versionPolicy"].isNull { invalid("spec.versionPolicy", "spec.tag and spec.versionPolicy exclude each other (pointer mode or stream mode)") }
    var policy: VersionPolicy?
    if !s["versionPolicy"].isNull {
      let p = s["versionPolicy"]
      do throws(VersionPolicyError) {
        guard p.objectValue != nil else { throw VersionPolicyError("must be an object") }
        policy = try VersionPolicy(kind: p["kind"].stringValue ?? VersionPolicy.Kind.semver.rawValue, range: p["range"].stringValue,
                                   extract: p["extract"].stringValue)
      } catch {
        invalid("spec.versionPolicy", "spec.versionPolicy: \(String(error.description.prefix(512)))")
      }
    }
    let syntax = s["versionSyntax"].stringValue ?? defaultVersionSyntax
    var pattern: Pattern?
    do { pattern = try Pattern(syntax) } catch { invalid("spec.versionSyntax", "spec.versionSyntax: \(error.description)") }
    var selector: [String: String] = [:]
    for (k, v) in s["selector"].objectValue ?? [:] {
      if let str = v.stringValue { selector[k] = str } else { invalid("spec.selector", "spec.selector.\(k.prefix(63)) must be a string") }
    }
    if selector.isEmpty { invalid("spec.selector", "spec.selector must name at least one label (an empty selector would match every workload)") }
    let timeout = s["timeoutSeconds"].intValue ?? Int64(KCDSpec.defaultTimeoutSeconds)
    if timeout < 1 || timeout > 86_400 * 7 { invalid("spec.timeoutSeconds", "spec.timeoutSeconds must be from 1 to 604800") }
    let poll = s["pollIntervalSeconds"].intValue ?? 600
    if poll < 0 || poll > 86_400 * 7 { invalid("spec.pollIntervalSeconds", "spec.pollIntervalSeconds must be from 0 to 604800") }
    // The original kcd read any other strategy kind as RollingUpdate.
    let strategy = s["strategy"]["kind"].stringValue.flatMap(Strategy.init(rawValue:)) ?? .rollingUpdate
    let history = HistorySpec.parse(s["history"], problems: &problems)
    let config = ConfigTarget.parse(s["config"], problems: &problems)
    let approval = ApprovalSpec.parse(s["approval"], problems: &problems)
    let (blueGreen, blueGreenProblems) = strategy == .serviceBlueGreen ? BlueGreenSpec.parse(s["strategy"]["blueGreen"]) : (nil, [])
    problems += blueGreenProblems
    var verify: [VerifyStep] = []
    for (field, list) in [("spec.verify", s["verify"]), ("spec.container.verify", s["container"]["verify"])] {
      verify += VerifyStep.parseList(list, field: field, problems: &problems)
    }
    let postVerify = VerifyStep.parseList(s["strategy"]["verify"], field: "spec.strategy.verify", problems: &problems)
    let canary = strategy == .canary ? CanarySpec.parse(s["strategy"]["canary"], problems: &problems) : nil
    var ignored: [String] = []
    if s["serviceAccountName"].stringValue != nil { ignored.append("spec.serviceAccountName") }
    // The original's syncer-pod liveness probe period: kcd runs no syncer pods.
    if !s["livenessSeconds"].isNull { ignored.append("spec.livenessSeconds") }
    guard !problems.contains(where: { $0.kind == .invalid }), let pattern else { return (nil, problems) }
    let spec = KCDSpec(
      imageRepo: imageRepo, repository: RepositoryName.normalize(imageRepo), tag: tag, versionPolicy: policy, versionSyntax: syntax, versionPattern: pattern,
      selector: selector, containerName: s["container"]["name"].stringValue.flatMap { $0.isEmpty ? nil : $0 }, timeoutSeconds: Int(timeout),
      pollIntervalSeconds: Int(poll), suspend: s["suspend"].boolValue ?? false, strategy: strategy, blueGreen: blueGreen,
      rollbackEnabled: s["rollback"]["enabled"].boolValue ?? true, verify: verify, postVerify: postVerify, canary: canary, history: history, config: config, approval: approval, ignoredFields: ignored)
    return (spec, problems)
  }

  /// The repository and tag a spec names when both are well formed, whatever else is wrong.
  static func declaredFollow(_ s: JSON) -> KCDCache.Follow? {
    guard let imageRepo = s["imageRepo"].stringValue, RepositoryName.isValid(imageRepo), !imageRepo.contains("@"), !hasTag(imageRepo),
          let tag = s["tag"].stringValue, !tag.isEmpty, RepositoryName.isValidTag(tag) else { return nil }
    return KCDCache.Follow(repository: RepositoryName.normalize(imageRepo), tag: tag)
  }

  /// A colon in the last path segment is a tag (`web:1.0`); one in the host is a port.
  static func hasTag(_ name: String) -> Bool {
    name.split(separator: "/", omittingEmptySubsequences: false).last?.contains(":") == true
  }
}
