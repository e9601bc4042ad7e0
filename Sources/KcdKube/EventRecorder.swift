import KcdCore
import KcdJSON
import Synchronization

/// Writes core/v1 Events the way client-go's recorder does: a repeat of the same event
/// (object, type, reason, message) within an hour PATCHes the count instead of creating a new
/// one; a PATCH that finds the event gone creates it again. Failures are reported, not thrown:
/// an Event is never worth failing a rollout for. Writes happen on the recorder's own thread,
/// in order, so they never sit on the path from webhook to patch.
public final class EventRecorder: Sendable {
  struct Entry {
    var name: String
    var count: Int64
    var first: String
    var at: Double
  }

  let client: KubeClient
  let component: String
  let host: String
  let seen = Mutex<[String: Entry]>([:])
  let onError: @Sendable (String) -> Void
  let pending = Mutex<[(JSON, String, String, String)]>([])
  let wake = ChangeSignal()
  let draining = Atomic<Bool>(false)
  /// Events waiting beyond this are dropped (and reported): Kubernetes is down or very slow.
  static let backlogLimit = 1000

  public init(client: KubeClient, component: String = "kcd", host: String, onError: @escaping @Sendable (String) -> Void = { _ in }) {
    self.client = client
    self.component = component
    self.host = host
    self.onError = onError
  }

  /// Records an event about `object` (which must carry kind, apiVersion, metadata name/namespace/uid);
  /// returns at once, the write follows on the recorder's thread.
  public func record(_ object: JSON, type: String, reason: String, message: String) {
    let dropped = pending.withLock { p -> Bool in
      if p.count >= EventRecorder.backlogLimit { return true }
      p.append((object, type, reason, message))
      return false
    }
    if dropped { onError("event backlog full; dropped \(reason)") ; return }
    if !draining.exchange(true, ordering: .relaxed) {
      Threads.spawn { [self] in drain() }
    }
    wake.notify()
  }

  /// Writes queued events until none is left for a while, then lets the thread end.
  func drain() {
    while true {
      let seen = wake.current
      let next = pending.withLock { p -> (JSON, String, String, String)? in p.isEmpty ? nil : p.removeFirst() }
      if let (object, type, reason, message) = next {
        write(object, type: type, reason: reason, message: message)
        continue
      }
      if wake.wait(after: seen, timeout: 5) == seen {
        draining.store(false, ordering: .relaxed)
        // An event queued between the check and the flag: keep going.
        if pending.withLock({ !$0.isEmpty }), !draining.exchange(true, ordering: .relaxed) { continue }
        return
      }
    }
  }

  /// Events queued and not yet written.
  public var backlog: Int { pending.withLock { $0.count } }

  func write(_ object: JSON, type: String, reason: String, message: String) {
    let namespace = object["metadata"]["namespace"].stringValue ?? "default"
    let name = object["metadata"]["name"].stringValue ?? ""
    let involved: JSON = [
      "kind": object["kind"], "apiVersion": object["apiVersion"], "name": .string(name), "namespace": .string(namespace),
      "uid": object["metadata"]["uid"], "resourceVersion": object["metadata"]["resourceVersion"],
    ]
    let key = [namespace, object["kind"].stringValue ?? "", name, object["metadata"]["uid"].stringValue ?? "", type, reason, message].joined(separator: "\u{1}")
    let now = Timestamps.now()
    let stamp = Timestamps.rfc3339(now)
    let previous = seen.withLock { s -> Entry? in
      s = s.filter { now - $0.value.at < 3600 }
      return s[key]
    }
    if let p = previous {
      let count = p.count + 1
      do {
        _ = try client.patch(.events, namespace: namespace, name: p.name, ["count": .int(count), "lastTimestamp": .string(stamp)], type: .strategic)
        seen.withLock { $0[key] = Entry(name: p.name, count: count, first: p.first, at: now) }
        return
      } catch {
        if !error.isNotFound { onError("event \(reason) on \(namespace)/\(name): \(error)"); return }
      }
    }
    let eventName = "\(name).\(String(UInt64(now * 1e9), radix: 16))"
    let event: JSON = [
      "apiVersion": "v1", "kind": "Event",
      "metadata": ["name": .string(eventName), "namespace": .string(namespace)],
      "involvedObject": involved, "reason": .string(reason), "message": .string(String(message.prefix(1024))), "type": .string(type),
      "source": ["component": .string(component), "host": .string(host)],
      "firstTimestamp": .string(stamp), "lastTimestamp": .string(stamp), "count": 1,
      "reportingComponent": .string("kcd.dev/\(component)"), "reportingInstance": .string(host),
    ]
    do {
      _ = try client.create(.events, namespace: namespace, event)
      seen.withLock { $0[key] = Entry(name: eventName, count: 1, first: stamp, at: now) }
    } catch {
      onError("event \(reason) on \(namespace)/\(name): \(error)")
    }
  }
}
