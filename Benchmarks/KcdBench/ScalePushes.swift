import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// Part 2: pushes one after the other to randomly chosen KCDs, each timed from the request
/// leaving the client to the API server accepting the patch of each of that KCD's 3 Deployments
/// (its request log).
struct OneAtATime {
  var patch: [Double] = []
  /// Request sent → each Deployment patched: the bench's counterpart of kcd's
  /// kcd_event_to_patch_seconds, which observes every patch (`patch` is the last of the 3).
  var eachPatch: [Double] = []
  var acknowledged: [Double] = []
  var codes: [Int: Int] = [:]
  var timedOut = 0
  /// The newest push per KCD, for waiting until everything has settled.
  var latest: [Int: Push] = [:]
  var seconds = 0.0

  static let patchTimeout = 30.0

  static func run(cluster: ScaleCluster, hooksPort: Int, signer: CallbackSigner, count: Int) -> OneAtATime {
    var result = OneAtATime()
    let started = monotonicSeconds()
    /// Per timed push: when it was sent (wall clock) and its Deployments, matched against the API
    /// server's request log at the end.
    var sent: [(wall: Double, namespace: String, names: [String])] = []
    // Random KCDs without repeats until every KCD had one, so a KCD is rarely pushed again
    // while its previous rollout still runs.
    var order: [Int] = []
    var connection: LoopbackConnection? = nil
    for n in 0..<count {
      if order.isEmpty { order = Array(0..<cluster.kcds).shuffled() }
      let i = order.removeLast()
      if let previous = result.latest[i] {
        // Not timed: the earlier rollout of this KCD finishes first, as a CI pipeline would wait.
        let deadline = monotonicSeconds() + patchTimeout
        while !cluster.isSettled(i, on: previous.pinnedImage) && monotonicSeconds() < deadline { usleep(1_000) }
      }
      let push = Push(kcd: i, sequence: n)
      cluster.expect(push)
      let request = push.request(signer)
      // A keep-alive connection, opened outside the timing (a CI runner's TCP set-up is its own).
      if connection == nil { connection = try? LoopbackConnection(port: hooksPort, timeout: patchTimeout) }
      let start = monotonicSeconds()
      let startWall = Timestamps.now()
      var status = -1
      do {
        if let c = connection { status = try c.exchange(request).status }
      } catch {
        connection = nil
      }
      let answered = monotonicSeconds()
      result.codes[status, default: 0] += 1
      guard status == 202 else { continue }
      result.acknowledged.append(answered - start)
      result.latest[i] = push
      // Waiting (every millisecond, gently: a busy poll would take the API server's CPU) until the
      // Deployments carry the image; the times come from the API server's log afterwards.
      let ns = cluster.namespace(of: i)
      var waiting = cluster.deploymentNames(of: i)
      while !waiting.isEmpty && monotonicSeconds() - start <= patchTimeout {
        waiting.removeAll { cluster.image(namespace: ns, deployment: $0) == push.pinnedImage }
        if !waiting.isEmpty { usleep(1_000) }
      }
      if !waiting.isEmpty { result.timedOut += 1; continue }
      sent.append((startWall, ns, cluster.deploymentNames(of: i)))
    }
    result.seconds = monotonicSeconds() - started
    // Each Deployment is pushed to at most once before every KCD had a push, so its first
    // accepted patch after the send is this push's.
    let patches = PatchLog(cluster)
    for s in sent {
      let each = s.names.compactMap { patches.firstPatch(namespace: s.namespace, deployment: $0, after: s.wall) }
      guard each.count == s.names.count else { result.timedOut += 1; continue }
      result.patch.append(each.max() ?? 0)
      result.eachPatch += each
    }
    return result
  }
}

/// When the API server accepted each Deployment PATCH (its request log, wall clock).
struct PatchLog {
  var byPath: [String: [Double]] = [:]

  init(_ cluster: ScaleCluster) {
    for r in cluster.sim.api.requestLog.records where r.method == "PATCH" && r.code == 200 && r.path.contains("/deployments/") {
      byPath[r.path, default: []].append(r.at)
    }
  }

  /// Seconds from `wall` to the first accepted patch of the Deployment at or after it.
  func firstPatch(namespace: String, deployment: String, after wall: Double) -> Double? {
    byPath["/apis/apps/v1/namespaces/\(namespace)/deployments/\(deployment)"]?.first { $0 >= wall }.map { $0 - wall }
  }
}

/// Waiting until kcd has finished everything it was asked: every pushed KCD settled (see
/// `ScaleCluster.isSettled`), and for `quiet` seconds no request
/// reached the API server and nothing was written (by kcd or the workload simulator).
enum Settle {
  struct Outcome {
    var seconds: Double
    var settled: Bool
    /// KCDs not settled when the wait gave up, and why the first of them is not.
    var unsettled: Int
    var example: String = ""
  }

  static func wait(cluster: ScaleCluster, pushes: [Int: Push], limit: Double, quiet: Double = 1) -> Outcome {
    let start = monotonicSeconds()
    var pending = Array(pushes.values)
    var lastActivity = cluster.activity
    var lastChange = monotonicSeconds()
    while true {
      pending.removeAll { cluster.isSettled($0.kcd, on: $0.pinnedImage) }
      let activity = cluster.activity
      if activity != lastActivity { lastActivity = activity; lastChange = monotonicSeconds() }
      let now = monotonicSeconds()
      if pending.isEmpty && now - lastChange >= quiet { return Outcome(seconds: now - start, settled: true, unsettled: 0) }
      if now - start > limit {
        let example = pending.first.map { cluster.whyNotSettled($0.kcd, on: $0.pinnedImage) } ?? "the API server is still busy"
        return Outcome(seconds: now - start, settled: false, unsettled: pending.count, example: example)
      }
      usleep(pending.isEmpty ? 20_000 : 100_000)
    }
  }
}
