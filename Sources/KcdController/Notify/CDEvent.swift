import KcdCore
import KcdCrypto
import KcdJSON

/// A rollout outcome as a CDEvent (spec v0.5.1, cdevents/spec `continuous-deployment.md` and
/// `continuous-operations.md`), sent in CloudEvents HTTP binary mode: the context in `ce-*`
/// headers, the whole CDEvent as the `application/json` body.
///
/// v0.5.1 has no failure predicate for services, and a `dev.cdevents.*` type it does not define
/// is not allowed; a failure without a rollback is therefore the closest event it defines,
/// `incident.detected` (environment, service, artifact, description), see docs/notifications.md.
enum CDEvent {
  static let specVersion = "0.5.1"

  enum EventType: String, CaseIterable {
    /// The first successful rollout of a KCD.
    case deployed = "dev.cdevents.service.deployed.0.3.0"
    /// A success replacing an earlier successful version.
    case upgraded = "dev.cdevents.service.upgraded.0.3.0"
    /// A failure rolled back, or an explicit rollback (`kcd rollback`) that succeeded.
    case rolledBack = "dev.cdevents.service.rolledback.0.3.0"
    /// A failure that left nothing rolled back (verification refused it, rollback off, …).
    case incident = "dev.cdevents.incident.detected.0.3.0"
  }

  static func type(of o: RolloutOutcome) -> EventType {
    switch o.result {
    case .success where o.isExplicitRollback: return .rolledBack
    case .success: return o.previousVersion == nil ? .deployed : .upgraded
    case .rolledBack: return .rolledBack
    default: return .incident
    }
  }

  /// The CDEvent; `source` is the receiver's (or `/kcd/<namespace>/<name>`).
  static func body(_ o: RolloutOutcome, source configured: String?, environment: String?, dashboard: String?) -> JSON {
    let type = type(of: o)
    let source = configured ?? "/kcd/\(o.namespace)/\(o.name)"
    let context: JSON = ["specversion": .string(specVersion), "id": .string(uuid(Digest.sha256(Array("\(o.id)\u{0}\(type.rawValue)".utf8)))),
                         "source": .string(source), "type": .string(type.rawValue), "timestamp": .string(Timestamps.rfc3339(o.finishedAt))]
    let env: JSON = ["id": .string(environment ?? o.namespace)]
    let service = o.key
    let candidate = artifact(o.repository, digest: o.digest, tag: o.version)
    var subject: JSON
    var custom = customData(o, dashboard: dashboard)
    switch type {
    case .incident:
      subject = ["id": .string("\(service)/\(o.id.prefix(12))"),
                 "content": ["description": .string(String("\(o.reason): \(o.message)".prefix(1024))), "environment": env,
                             "service": ["id": .string(service)], "artifactId": .string(candidate)]]
    case .rolledBack where o.result == .rolledBack:
      // What runs again is what the workloads ran before; the failed candidate goes in customData.
      subject = ["id": .string(service), "content": ["environment": env, "artifactId": .string(restored(o) ?? candidate)]]
      custom["failedArtifactId"] = .string(candidate)
    default:
      subject = ["id": .string(service), "content": ["environment": env, "artifactId": .string(candidate)]]
      if let d = o.previousDigest, d != o.digest { custom["previousArtifactId"] = .string(artifact(o.repository, digest: d, tag: o.previousVersion)) }
    }
    return ["context": context, "subject": subject, "customDataContentType": "application/json", "customData": custom]
  }

  static func customData(_ o: RolloutOutcome, dashboard: String?) -> JSON {
    var j: JSON = ["kcd": ["namespace": .string(o.namespace), "name": .string(o.name)], "result": .string(o.result.rawValue),
                   "reason": .string(o.reason), "version": .string(o.version), "digest": .string(o.digest), "image": .string(o.image),
                   "workloads": .array(o.workloads.map { .string($0) }), "trigger": .string(o.trigger),
                   "startedAt": .string(Timestamps.rfc3339(o.startedAt))]
    if o.result != .success { j["message"] = .string(String(o.message.prefix(2048))) }
    if let by = o.approvedBy { j["approvedBy"] = .string(by) }
    if let link = dashboard { j["dashboardURL"] = .string(link) }
    return j
  }

  /// The artifact a rollback put back: the image the first workload ran before, else the last
  /// success.
  static func restored(_ o: RolloutOutcome) -> String? {
    if let image = o.previousImage {
      let digest = image.split(separator: "@", maxSplits: 1).dropFirst().first.map(String.init)
      let named = image.split(separator: "@", maxSplits: 1).first.map(String.init) ?? image
      let repository = RolloutOutcome.repository(of: named)
      let tag = named.count > repository.count ? String(named.dropFirst(repository.count + 1)) : nil
      return artifact(repository, digest: digest, tag: tag)
    }
    return o.previousDigest.map { artifact(o.repository, digest: $0, tag: o.previousVersion) }
  }

  /// A package URL of type `oci` (purl-spec): `pkg:oci/<name>@sha256%3A<hex>?repository_url=<repository>&tag=<tag>`,
  /// the name lower-cased, the digest's `:` percent-encoded, the qualifiers sorted.
  static func artifact(_ repository: String, digest: String?, tag: String?) -> String {
    let name = String(repository.split(separator: "/").last ?? Substring(repository)).lowercased()
    var purl = "pkg:oci/" + PercentEncoding.encode(name)
    if let digest { purl += "@" + PercentEncoding.encode(digest) }
    purl += "?repository_url=" + PercentEncoding.query(repository.lowercased())
    if let tag, !tag.isEmpty { purl += "&tag=" + PercentEncoding.encode(tag) }
    return purl
  }

  /// The CloudEvents binary-mode headers for a CDEvent body (its context, and `ce-subject` =
  /// `subject.id` as the CDEvents binding requires).
  static func headers(_ event: JSON) -> [(String, String)] {
    [("ce-specversion", "1.0"), ("ce-id", headerValue(event["context"]["id"].stringValue ?? "")),
     ("ce-source", headerValue(event["context"]["source"].stringValue ?? "")), ("ce-type", event["context"]["type"].stringValue ?? ""),
     ("ce-subject", headerValue(event["subject"]["id"].stringValue ?? "")), ("ce-time", event["context"]["timestamp"].stringValue ?? ""),
     ("Content-Type", "application/json")]
  }

  /// CloudEvents HTTP binding §3.1.3.2: space, `"`, `%` and anything outside printable ASCII
  /// are percent-encoded (UTF-8).
  static func headerValue(_ s: String) -> String {
    var keep = Set<UInt8>(0x21...0x7E)
    keep.remove(0x22)
    keep.remove(0x25)
    return PercentEncoding.encode(s, keep: keep)
  }

  /// A UUID (version 4 layout) made from hash bytes: the same outcome always gets the same id.
  static func uuid(_ bytes: [UInt8]) -> String {
    var b = Array(bytes.prefix(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    let hex = Digest.hex(b)
    let parts = [hex.prefix(8), hex.dropFirst(8).prefix(4), hex.dropFirst(12).prefix(4), hex.dropFirst(16).prefix(4), hex.dropFirst(20)]
    return parts.map(String.init).joined(separator: "-")
  }
}
