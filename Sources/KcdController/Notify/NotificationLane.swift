import KcdCore
import KcdHTTP
import Synchronization

/// One receiver's queue and the thread that empties it, in order. An outcome is tried up to
/// `attempts` times; between tries the thread sleeps (back-off with jitter, or the receiver's
/// Retry-After), waking early only to stop.
final class NotificationLane: Sendable {
  struct State {
    var queue: [RolloutOutcome] = []
    var head = 0
    /// Set by `requestStop`: nothing is tried after it.
    var deadline: Double?
    var running = false
  }

  let receiver: NotificationReceiver
  let dashboardURL: String?
  let limit: Int
  let http: HTTPClient
  let metrics: MetricsRegistry
  let log: Logger
  let state = Mutex(State())
  let wake = ChangeSignal()

  init(receiver: NotificationReceiver, dashboardURL: String?, limit: Int, http: HTTPClient, metrics: MetricsRegistry, log: Logger) {
    self.receiver = receiver
    self.dashboardURL = dashboardURL
    self.limit = max(1, limit)
    self.http = http
    self.metrics = metrics
    self.log = log
  }

  func start() {
    if let problem = receiver.problem() {
      log.warn("notification receiver not usable now (checked again for every message)", [("receiver", receiver.name), ("error", problem)])
    }
    state.withLock { $0.running = true }
    if !Threads.spawn({ [self] in run() }) {
      state.withLock { $0.running = false }
      log.error("cannot start a notification thread; this receiver gets nothing", [("receiver", receiver.name)])
    }
  }

  /// Queues an outcome; the oldest waiting one makes room when the queue is full.
  func add(_ outcome: RolloutOutcome) {
    let dropped = state.withLock { s -> Bool in
      guard s.deadline == nil else { return true }
      var dropped = false
      if s.queue.count - s.head >= limit {
        s.head += 1
        dropped = true
      }
      s.queue.append(outcome)
      if s.head > 64 && s.head * 2 > s.queue.count {
        s.queue.removeFirst(s.head)
        s.head = 0
      }
      return dropped
    }
    if dropped {
      metrics.increment(Notifier.metric, [receiver.name, "dropped"])
      log.warn("notification queue full or stopping: dropped the oldest", [("receiver", receiver.name)])
    }
    wake.notify()
  }

  func requestStop(deadline: Double) {
    state.withLock { $0.deadline = deadline }
    wake.notify()
  }

  /// Waits until the thread has ended (it says so on `wake`), or until `deadline`.
  func waitStopped(until deadline: Double) {
    while true {
      let seen = wake.current
      let left = deadline - monotonicSeconds()
      if !state.withLock({ $0.running }) || left <= 0 { return }
      _ = wake.wait(after: seen, timeout: left)
    }
  }

  /// The next outcome, waiting for one; nil once stopping and past the deadline or empty.
  func next() -> RolloutOutcome? {
    while true {
      let seen = wake.current
      let (item, stop) = state.withLock { s -> (RolloutOutcome?, Bool) in
        if let d = s.deadline, monotonicSeconds() >= d || s.head == s.queue.count { return (nil, true) }
        guard s.head < s.queue.count else { return (nil, false) }
        let o = s.queue[s.head]
        s.head += 1
        return (o, false)
      }
      if let item { return item }
      if stop { return nil }
      _ = wake.wait(after: seen, timeout: 60)
    }
  }

  func run() {
    while let outcome = next() { deliver(outcome) }
    let left = state.withLock { s -> Int in
      let n = s.queue.count - s.head
      s.queue = []
      s.head = 0
      s.running = false
      return n
    }
    if left > 0 {
      metrics.increment(Notifier.metric, [receiver.name, "dropped"], by: Double(left))
      log.warn("stopping: notifications not sent", [("receiver", receiver.name), ("count", String(left))])
    }
    wake.notify()
  }

  /// Tries one outcome until it is delivered, refused, or out of tries.
  func deliver(_ outcome: RolloutOutcome) {
    var why = ""
    for attempt in 1...max(1, receiver.attempts) {
      switch send(outcome) {
      case .delivered:
        metrics.increment(Notifier.metric, [receiver.name, "delivered"])
        return
      case .failed(let w):
        why = w
      case .retry(let w, let after):
        why = w
        if attempt < receiver.attempts, sleep(NotificationLane.backoff(attempt: attempt, base: receiver.retryBaseSeconds, retryAfter: after)) { continue }
      }
      break
    }
    metrics.increment(Notifier.metric, [receiver.name, "failed"])
    log.warn("notification not delivered", [("receiver", receiver.name), ("kcd", outcome.key), ("result", outcome.result.rawValue), ("error", why)])
  }

  func send(_ outcome: RolloutOutcome) -> NotificationReceiver.Attempt {
    let request: HTTPClientRequest
    let dashboard = NotificationSettings.dashboardLink(dashboardURL, namespace: outcome.namespace)
    switch receiver.request(outcome, dashboard: dashboard, now: Timestamps.now()) {
    case .success(let r): request = r
    case .failure(let e): return .failed(e.message)
    }
    let target = NotificationReceiver.displayHost(request.url)
    do {
      let response = try http.send(request)
      return NotificationReceiver.judge(status: response.status, retryAfter: response.headers["Retry-After"], host: target)
    } catch {
      if error.label == "invalid_request" || error.isTooLarge { return .failed("\(target): \(error.label)") }
      return .retry(error.isTimeout ? "\(target) did not answer within \(receiver.timeoutSeconds) s" : "\(target) could not be reached (\(error.label))", after: nil)
    }
  }

  /// Sleeps `seconds`, cut short by the stop deadline; false when stopping ends the wait.
  func sleep(_ seconds: Double) -> Bool {
    let until = monotonicSeconds() + seconds
    while true {
      let seen = wake.current
      let deadline = state.withLock { $0.deadline }
      if let deadline, deadline <= until { return false }
      let left = until - monotonicSeconds()
      if left <= 0 { return true }
      _ = wake.wait(after: seen, timeout: left)
    }
  }

  /// Seconds before try `attempt + 1`: `base · 2^(attempt-1)` ± 25 %, at least the receiver's
  /// Retry-After (at most 5 minutes).
  static func backoff(attempt: Int, base: Double, retryAfter: Double?, random: Double = Double.random(in: 0..<1)) -> Double {
    let exponential = base * Double(1 << min(max(attempt - 1, 0), 16))
    let jittered = exponential * (0.75 + 0.5 * random)
    return min(300, max(jittered, retryAfter ?? 0))
  }
}
