import KcdCore
import KcdJSON
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Writes core/v1 Events the way client-go's recorder does: a repeat of the same event
/// (object, type, reason, message) within an hour PATCHes the count instead of creating a new
/// one; a PATCH that finds the event gone creates it again. Failures are reported, not thrown:
/// an Event is never worth failing a rollout for. Writes happen on the recorder's own thread,
/// in order, at background priority, so they never sit on the path from webhook to patch; a
/// repeat still waiting to be written is folded into the waiting one (its count grows).
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
  struct Pending {
    var target: ObjectReference
    var type: String
    var reason: String
    var message: String
    var times: Int64
  }

  let pending = Mutex<[Pending]>([])
  let wake = ChangeSignal()
  let draining = Atomic<Bool>(false)
  /// How long a newly recorded Event waits before it is written.
  static let delayMicroseconds: UInt32 = 25_000
  /// Events waiting beyond this are dropped (and reported, at most every 10 s): Kubernetes is
  /// down or very slow, or a burst of rollouts outran the Events' share of the API budget.
  static let backlogLimit = 5000
  /// Drops not reported yet, and when they were last reported.
  let drops = Mutex<(count: Int, reportedAt: Double)>((0, -.infinity))

  public init(client: KubeClient, component: String = "kcd", host: String, onError: @escaping @Sendable (String) -> Void = { _ in }) {
    self.client = client
    self.component = component
    self.host = host
    self.onError = onError
  }

  /// Records an event about `object` (which must carry kind, apiVersion, metadata name/namespace/uid);
  /// returns at once, the write follows on the recorder's thread.
  public func record(_ object: JSON, type: String, reason: String, message: String) {
    record(ObjectReference(object), type: type, reason: reason, message: message)
  }

  /// Records an event about the referenced object; returns at once.
  public func record(_ target: ObjectReference, type: String, reason: String, message: String) {
    let message = String(message.prefix(1024))
    let dropped = pending.withLock { p -> Bool in
      if let i = p.lastIndex(where: { $0.target == target && $0.reason == reason && $0.message == message && $0.type == type }) {
        p[i].times += 1
        return false
      }
      if p.count >= EventRecorder.backlogLimit { return true }
      p.append(Pending(target: target, type: type, reason: reason, message: message, times: 1))
      return false
    }
    if dropped {
      let now = monotonicSeconds()
      let report = drops.withLock { d -> Int? in
        d.count += 1
        guard now - d.reportedAt >= 10 else { return nil }
        defer { d = (0, now) }
        return d.count
      }
      if let report { onError("event backlog full; dropped \(report) events (the latest \(reason))") }
      return
    }
    if !draining.exchange(true, ordering: .relaxed) {
      Threads.spawn { [self] in drain() }
    }
    wake.notify()
  }

  /// Writes queued events until none is left for a while, then lets the thread end.
  func drain() {
    // Events wait a moment before going out: the rollout's own writes (status, patches) that
    // the Event describes are then not sharing the API server with it, and repeats fold.
    usleep(EventRecorder.delayMicroseconds)
    while true {
      let seen = wake.current
      let next = pending.withLock { p -> Pending? in p.isEmpty ? nil : p.removeFirst() }
      if let next {
        write(next)
        continue
      }
      if wake.wait(after: seen, timeout: 5) != seen {
        usleep(EventRecorder.delayMicroseconds)
      } else {
        draining.store(false, ordering: .relaxed)
        // An event queued between the check and the flag: keep going.
        if pending.withLock({ !$0.isEmpty }), !draining.exchange(true, ordering: .relaxed) { continue }
        return
      }
    }
  }

  /// Events queued and not yet written.
  public var backlog: Int { pending.withLock { $0.count } }

  func write(_ p: Pending) {
    let (type, reason, message) = (p.type, p.reason, p.message)
    let namespace = p.target.namespace.isEmpty ? "default" : p.target.namespace
    let name = p.target.name
    var involved = p.target.json
    involved["namespace"] = .string(namespace)
    let key = [namespace, p.target.kind, name, p.target.uid, type, reason, message].joined(separator: "\u{1}")
    let now = Timestamps.now()
    let stamp = Timestamps.rfc3339(now)
    let previous = seen.withLock { s -> Entry? in
      s = s.filter { now - $0.value.at < 3600 }
      return s[key]
    }
    if let e = previous {
      let count = e.count + p.times
      do {
        _ = try client.patch(.events, namespace: namespace, name: e.name, ["count": .int(count), "lastTimestamp": .string(stamp)], type: .strategic,
                             options: .background)
        seen.withLock { $0[key] = Entry(name: e.name, count: count, first: e.first, at: now) }
        return
      } catch {
        if !error.isNotFound { onError("event \(reason) on \(namespace)/\(name): \(error)"); return }
      }
    }
    let eventName = "\(name).\(String(UInt64(now * 1e9), radix: 16))"
    let event: JSON = [
      "apiVersion": "v1", "kind": "Event",
      "metadata": ["name": .string(eventName), "namespace": .string(namespace)],
      "involvedObject": involved, "reason": .string(reason), "message": .string(message), "type": .string(type),
      "source": ["component": .string(component), "host": .string(host)],
      "firstTimestamp": .string(stamp), "lastTimestamp": .string(stamp), "count": .int(p.times),
      "reportingComponent": .string("kcd.dev/\(component)"), "reportingInstance": .string(host),
    ]
    do {
      _ = try client.create(.events, namespace: namespace, event, options: .background)
      seen.withLock { $0[key] = Entry(name: eventName, count: p.times, first: stamp, at: now) }
    } catch {
      onError("event \(reason) on \(namespace)/\(name): \(error)")
    }
  }
}
