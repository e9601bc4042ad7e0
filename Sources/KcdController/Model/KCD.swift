import KcdJSON
import KcdKube

/// A KCD as kcd reasons about it: decoded once per resourceVersion (spec parsed, patterns
/// compiled), with the pending request from its annotation. JSON stays at the edges.
public struct KCD: Sendable, Equatable {
  public var ref: ObjectReference
  public var generation: Int64
  /// nil when a field is invalid (see `problems`).
  public var spec: KCDSpec?
  /// Why kcd will not act on this KCD; empty when it will.
  public var problems: [SpecProblem]
  public var status: KCDStatus
  /// The newest accepted event (the `kcd.dev/event` annotation), if any.
  public var request: RequestedRollout?
  /// The newest approval given (the `kcd.dev/approval` annotation), if any.
  public var approval: GivenApproval?
  /// The repository and tag the KCD names, read even when another field is invalid, so a push
  /// for a KCD kcd refuses is answered "refused", not "no KCD follows".
  public var follow: KCDCache.Follow?
  /// Stream mode: the canonical repository whose version tags the KCD follows.
  public var stream: String?
  /// The notification receivers the `kcd.dev/notify` annotation names (nil: no annotation).
  public var notify: [String]?

  public var namespace: String { ref.namespace }
  public var name: String { ref.name }
  public var key: String { "\(ref.namespace)/\(ref.name)" }
  public var resourceVersion: String { ref.resourceVersion }

  /// The spec kcd acts on: valid and fully supported.
  public var actionable: KCDSpec? { problems.isEmpty ? spec : nil }

  public init(ref: ObjectReference, generation: Int64, spec: KCDSpec?, problems: [SpecProblem], status: KCDStatus, request: RequestedRollout?) {
    self.ref = ref
    self.generation = generation
    self.spec = spec
    self.problems = problems
    self.status = status
    self.request = request
    self.follow = spec.flatMap { s in s.tag.map { KCDCache.Follow(repository: s.repository, tag: $0) } }
    self.stream = spec.flatMap { $0.versionPolicy == nil ? nil : $0.repository }
  }

  /// Decodes a KCD object. `truncated` (parts nested too deeply were dropped) makes it invalid:
  /// it is reported on its own and never acted on.
  public init(json o: JSON, truncated: Bool = false) {
    let ref = ObjectReference(o, resource: .kcds)
    let annotation = o["metadata"]["annotations"][RequestedRollout.annotation].stringValue
    if truncated {
      self.init(ref: ref, generation: o["metadata"]["generation"].intValue ?? 0, spec: nil,
                problems: [SpecProblem(.invalid, "spec", "the KCD nests deeper than \(KubeClient.keptDepth) levels; kcd does not read it")],
                status: KCDStatus(json: o["status"]), request: nil)
    } else {
      let (spec, problems) = KCDSpec.parse(o["spec"])
      self.init(ref: ref, generation: o["metadata"]["generation"].intValue ?? 0, spec: spec, problems: problems,
                status: KCDStatus(json: o["status"]), request: annotation.flatMap(RequestedRollout.init(annotation:)))
    }
    if follow == nil { follow = KCDSpec.declaredFollow(o["spec"]) }
    approval = o["metadata"]["annotations"][GivenApproval.annotation].stringValue.flatMap(GivenApproval.init(annotation:))
    notify = o["metadata"]["annotations"][NotificationReceiver.annotation].stringValue.map(NotificationReceiver.names)
  }

  /// A request that has not been acted on yet (its id is not the status' last event).
  public var pendingRequest: RequestedRollout? {
    guard let r = request, r.id != status.lastEvent?.id else { return nil }
    return r
  }
}
