import KcdCore
import KcdHTTP
import KcdKube

/// Tells the configured receivers how rollouts end, off the rollout path: `enqueue` only puts
/// the outcome in each interested receiver's bounded queue (dropping the oldest when full);
/// every receiver has its own thread that sends, retrying with exponential back-off and
/// jitter, so a receiver that fails or hangs delays only its own messages.
public final class Notifier: Sendable {
  public static let metric = "kcd_notifications_total"

  let lanes: [NotificationLane]

  public init(settings: NotificationSettings, metrics: MetricsRegistry, log: Logger,
              http: HTTPClient = HTTPClient(userAgent: "kcd/\(KcdVersion.current) notifications")) {
    metrics.counter(Notifier.metric, help: "Rollout notifications, by receiver and result (delivered, failed after its tries, dropped from a full queue).",
                    labels: ["receiver", "result"])
    lanes = settings.receivers.map { r in
      for result in ["delivered", "failed", "dropped"] { metrics.increment(Notifier.metric, [r.name, result], by: 0) }
      return NotificationLane(receiver: r, dashboardURL: settings.dashboardURL, limit: settings.queueLimit, http: http, metrics: metrics, log: log)
    }
  }

  /// Starts one thread per receiver.
  public func start() {
    for lane in lanes { lane.start() }
  }

  /// Queues the outcome for every receiver that wants it; never blocks on a receiver.
  public func enqueue(_ outcome: RolloutOutcome) {
    for lane in lanes where lane.receiver.wants(outcome) { lane.add(outcome) }
  }

  /// Sends what is queued for at most `grace` seconds (no retry waits past it), then stops;
  /// what is left is logged and counted as dropped.
  public func stop(grace: Double = 2) {
    let deadline = monotonicSeconds() + grace
    for lane in lanes { lane.requestStop(deadline: deadline) }
    for lane in lanes { lane.waitStopped(until: deadline + 1) }
  }
}
