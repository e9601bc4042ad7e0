import KcdController
import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON

/// What a person (CLI or API) asks kcd to do for a KCD, as the annotation that records it: a
/// rollback or a sync (the `kcd.dev/event` request the reconciler acts on, as after a webhook),
/// or an approval (`kcd.dev/approval`). The checks here are for clear answers; the reconciler
/// checks again.
enum KCDRequests {
  /// A request that cannot be made, with why (the API answers 409, the CLI exits 1).
  struct Refusal: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
  }

  struct Annotation {
    var key: String
    var value: String
    var said: String
  }

  static func newID(_ prefix: String) -> String { "\(prefix)-" + Digest.hex(SecureRandom.bytes(8)) }

  static func request(_ kcd: KCD, spec: KCDSpec, tag: String?, digest: String?, version: String?, source: String, said: (String) -> String) -> Annotation {
    let id = newID(source)
    let event = ImageEvent(repository: spec.repository, tag: tag, digest: digest, version: version, source: source, deliveryID: id, receivedAt: Timestamps.now())
    let request = RequestedRollout(event: event, recent: kcd.request?.recent ?? [], previous: kcd.request)
    return Annotation(key: RequestedRollout.annotation, value: request.json.text, said: said(id))
  }

  static func valid(_ kcd: KCD) throws(Refusal) -> KCDSpec {
    guard let spec = kcd.spec else { throw Refusal("KCD \(kcd.key) is invalid: \(kcd.problems.map(\.message).joined(separator: "; "))") }
    return spec
  }

  static func rollback(_ kcd: KCD, version: String?) throws(Refusal) -> Annotation {
    let spec = try valid(kcd)
    let target = try rollbackTarget(kcd.status, version: version)
    return request(kcd, spec: spec, tag: nil, digest: target.digest, version: target.version, source: RequestedRollout.rollbackSource) { id in
      "requested: \(kcd.key) back to \(target.version) (\(target.digest)) as \(id)"
    }
  }

  /// What to roll back to, from the status: a named version from the history, else the newest
  /// success before the one running (after a failure, the last success).
  static func rollbackTarget(_ s: KCDStatus, version: String?) throws(Refusal) -> (version: String, digest: String) {
    let successes = s.history.filter { $0.result == .success }
    if let version {
      guard let r = successes.first(where: { $0.version == version }) ?? s.history.first(where: { $0.version == version }) else {
        throw Refusal("version \(version) is not in the KCD's history (kcd history shows it)")
      }
      return (r.version, r.digest)
    }
    if s.currStatus == .success || s.currStatus == .progressing {
      guard let r = successes.first(where: { $0.digest != s.currDigest }) else { throw Refusal("no earlier successful version in the KCD's history to roll back to") }
      return (r.version, r.digest)
    }
    guard let v = s.successVersion, let d = s.successDigest else { throw Refusal("the KCD has no successful version to roll back to") }
    return (v, d)
  }

  /// Look again now: the followed tag (or, in stream mode, the newest version) is resolved with
  /// the registry as for a registry event.
  static func sync(_ kcd: KCD) throws(Refusal) -> Annotation {
    let spec = try valid(kcd)
    guard let tag = spec.tag ?? kcd.status.currVersion else {
      throw Refusal("a stream that has deployed nothing yet has no version to start from; the poller looks the newest up")
    }
    return request(kcd, spec: spec, tag: tag, digest: nil, version: nil, source: RequestedRollout.syncSource) { id in "requested: \(kcd.key) looks \(tag) up again as \(id)" }
  }

  static func approve(_ kcd: KCD, digest: String, by: String) throws(Refusal) -> Annotation {
    guard let pending = kcd.status.approval, kcd.status.currStatus == .awaitingApproval else {
      throw Refusal("\(kcd.key) is not waiting for an approval (status \(kcd.status.currStatus?.rawValue ?? "none"))")
    }
    guard pending.digest == digest else { throw Refusal("\(kcd.key) waits with \(pending.digest), not \(digest): an approval is for the exact digest") }
    let given = GivenApproval(id: newID("approval"), digest: digest, by: by, at: Timestamps.now())
    return Annotation(key: GivenApproval.annotation, value: given.json.text, said: "approved: \(kcd.key) \(pending.version) (\(digest)) by \(by)")
  }
}
