import KcdCore
import KcdHooks
import KcdJSON
import KcdKube

/// Turns an authenticated ImageEvent into durable requests on the KCDs that follow it, before
/// anyone answers 2xx. It never touches workloads (the reconciler does). Safe on every replica:
/// each write is a compare-and-swap on the KCD, retried on conflict.
public final class EventIntake: Sendable {
  public struct Result: Sendable {
    /// `namespace/name` of KCDs that got the event.
    public var accepted: [String] = []
    /// KCDs for which this was a replay or nothing new.
    public var duplicates: [(kcd: String, reason: String)] = []
    public var accepted202: Bool { !accepted.isEmpty }
    public init() {}
  }

  let client: KubeClient
  /// Current KCDs (from the informer cache).
  let candidates: @Sendable () -> [JSON]

  public init(client: KubeClient, candidates: @escaping @Sendable () -> [JSON]) {
    self.client = client
    self.candidates = candidates
  }

  /// KCDs an event is for: same repository (canonical form) and tag, or the one CI named.
  public static func matches(_ event: ImageEvent, in kcds: [JSON]) -> [JSON] {
    kcds.filter { kcd in
      guard let spec = KCDSpec.parse(kcd).spec else { return false }
      if let target = event.target, Informer.key(kcd) != target { return false }
      return spec.repository == event.repository && spec.tag == event.tag
    }
  }

  /// Why this event adds nothing for this KCD, or nil when it should be recorded.
  public static func duplicateReason(_ event: ImageEvent, kcd: JSON) -> String? {
    let pending = RequestedRollout(kcd: kcd)
    if let p = pending, p.recent.contains(event.deliveryID) { return "delivery \(event.deliveryID) was already received" }
    guard let digest = event.digest else { return nil }
    let status = kcd["status"]
    if status["failedDigest"].stringValue == digest { return "digest failed before; it is not redeployed until a different digest arrives" }
    // A request for another digest still waiting behind the current rollout: this event moves
    // the tag back, and must supersede it.
    let waiting = pending.map { $0.id != status["lastEvent"]["id"].stringValue && $0.digest != digest } ?? false
    if !waiting, status["currDigest"].stringValue == digest, ["Progressing", "Success", "Verifying"].contains(status["currStatus"].stringValue ?? "") {
      return "digest is already deployed"
    }
    if let p = pending, p.digest == digest, p.tag == event.tag, p.id != status["lastEvent"]["id"].stringValue || status["currDigest"].stringValue == digest {
      return "digest already requested"
    }
    return nil
  }

  /// Records the event on every matching KCD. Throws when Kubernetes cannot take the write now
  /// (the caller answers 503 so the sender retries).
  public func record(_ event: ImageEvent) throws(KubeError) -> Result {
    var result = Result()
    for kcd in EventIntake.matches(event, in: candidates()) {
      let namespace = kcd["metadata"]["namespace"].stringValue ?? ""
      let name = kcd["metadata"]["name"].stringValue ?? ""
      let key = "\(namespace)/\(name)"
      var attempt = 0
      // The cached copy first: the write below carries its resourceVersion, so a stale copy
      // gets 409 and the next attempt reads the KCD fresh.
      var fromCache: JSON? = kcd
      while true {
        attempt += 1
        let current: JSON
        if let cached = fromCache {
          current = cached
          fromCache = nil
        } else {
          do { current = try client.get(.kcds, namespace: namespace, name: name) } catch {
            if error.isNotFound { break }
            throw error
          }
        }
        if let reason = EventIntake.duplicateReason(event, kcd: current) {
          // A "nothing new" verdict is only taken from a fresh read.
          if attempt == 1 { continue }
          result.duplicates.append((key, reason))
          // Remember the delivery anyway, so a replay of it later (when it might no longer be a
          // duplicate) is refused.
          if var request = RequestedRollout(kcd: current), !request.recent.contains(event.deliveryID) {
            request.recent = Array((request.recent + [event.deliveryID]).suffix(RequestedRollout.recentLimit))
            let patch: JSON = ["metadata": ["resourceVersion": current["metadata"]["resourceVersion"],
                                            "annotations": [RequestedRollout.annotation: .string(request.json.text)]]]
            do { _ = try client.patch(.kcds, namespace: namespace, name: name, patch, type: .merge) } catch {
              if error.isConflict && attempt < 8 { result.duplicates.removeLast(); continue }
              if !error.isNotFound { throw error }
            }
          }
          break
        }
        let request = RequestedRollout(event: event, recent: RequestedRollout(kcd: current)?.recent ?? [])
        let patch: JSON = ["metadata": ["resourceVersion": current["metadata"]["resourceVersion"],
                                        "annotations": [RequestedRollout.annotation: .string(request.json.text)]]]
        do {
          _ = try client.patch(.kcds, namespace: namespace, name: name, patch, type: .merge)
          result.accepted.append(key)
          break
        } catch {
          if error.isConflict && attempt < 8 { continue }
          if error.isNotFound { break }
          throw error
        }
      }
    }
    return result
  }
}
