import KcdCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Part 3: one push to each of `pushes.count` distinct KCDs, paced evenly over one second from
/// several client threads (each request on its own connection, sent without waiting for the
/// previous answer), then the time until every Deployment of those KCDs carries its image.
struct Burst {
  /// Enough that a connection kcd is slow to accept delays only its own thread's next sends.
  static let threads = 32
  static let patchLimit = 60.0
  /// How long after the first send an answer may still come.
  static let answerLimit = 70.0

  var count = 0
  /// First send → last send.
  var sendSpan = 0.0
  var codes: [Int: Int] = [:]
  /// First send → last answer read.
  var lastAnswer = 0.0
  var deployments = 0
  var patchedDeployments = 0
  /// First send → the moment half / all of the Deployments carried their image.
  var halfPatched: Double? = nil
  var allPatched: Double? = nil
  var pushes: [Int: Push] = [:]

  final class Shared: Sendable {
    let codes = Mutex<[Int: Int]>([:])
    let lastSend = Mutex<Double>(0)
    let lastAnswer = Mutex<Double>(0)
    let finished = Atomic<Int>(0)
  }

  static func run(cluster: ScaleCluster, hooksPort: Int, signer: CallbackSigner, count: Int, firstSequence: Int) -> Burst {
    var burst = Burst()
    let chosen = Array(Array(0..<cluster.kcds).shuffled().prefix(count))
    let pushes = chosen.enumerated().map { Push(kcd: $0.element, sequence: firstSequence + $0.offset) }
    // Signed before the clock starts: the second is spent sending, not hashing.
    let requests = pushes.map { $0.request(signer, close: true) }
    for p in pushes { cluster.expect(p) }
    burst.count = pushes.count
    for p in pushes { burst.pushes[p.kcd] = p }
    let shared = Shared()
    let t0 = monotonicSeconds() + 0.05
    let t0Wall = Timestamps.now() + 0.05
    for t in 0..<threads {
      Threads.spawn {
        var open: [LoopbackConnection] = []
        for k in stride(from: t, to: requests.count, by: threads) {
          let at = t0 + Double(k) / Double(requests.count)
          let wait = at - monotonicSeconds()
          if wait > 0 { usleep(UInt32(wait * 1_000_000)) }
          do {
            let c = try LoopbackConnection(port: hooksPort, timeout: answerLimit)
            try c.send(requests[k])
            open.append(c)
          } catch {
            shared.codes.withLock { $0[-1, default: 0] += 1 }
          }
          let sent = monotonicSeconds()
          shared.lastSend.withLock { $0 = max($0, sent) }
        }
        for c in open {
          c.setReadTimeout(t0 + answerLimit - monotonicSeconds())
          let status = (try? c.readResponse().status) ?? -1
          let read = monotonicSeconds()
          shared.codes.withLock { $0[status, default: 0] += 1 }
          if status > 0 { shared.lastAnswer.withLock { $0 = max($0, read) } }
        }
        shared.finished.wrappingAdd(1, ordering: .relaxed)
      }
    }
    // Meanwhile, wait until each Deployment carries its image (the rollout driver notes it); the
    // times are when the API server accepted each patch, from its request log.
    var pending = pushes.flatMap { p in cluster.deploymentNames(of: p.kcd).map { (cluster.namespace(of: p.kcd), $0) } }
    burst.deployments = pending.count
    let all = pending
    while !pending.isEmpty && monotonicSeconds() - t0 < patchLimit {
      usleep(20_000)
      pending.removeAll { key in cluster.rollouts.patchedAt(namespace: key.0, name: key.1) != nil }
    }
    let accepted = cluster.patchAcceptedTimes(since: t0Wall - 0.05)
    var patchedAt = all.compactMap { key in accepted["\(key.0)/\(key.1)"].map { $0 - t0Wall } }
    patchedAt.sort()
    if !patchedAt.isEmpty && patchedAt.count * 2 >= burst.deployments { burst.halfPatched = patchedAt[(burst.deployments + 1) / 2 - 1] }
    if pending.isEmpty { burst.allPatched = patchedAt.last }
    burst.patchedDeployments = burst.deployments - pending.count
    while shared.finished.load(ordering: .relaxed) < threads { usleep(10_000) }
    burst.codes = shared.codes.withLock { $0 }
    burst.sendSpan = shared.lastSend.withLock { $0 } - t0
    burst.lastAnswer = shared.lastAnswer.withLock { $0 } - t0
    return burst
  }
}
