import KcdController
import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdKube

/// The hooks listener (the only port an Ingress exposes): authenticates, parses and records
/// events; answers with the codes of SPEC §3. Nothing is recorded or logged of a request that
/// is not authentic.
public struct HooksHandler: HTTPHandler {
  public static let sources: Set<String> = ["ci", "ecr", "distribution", "dockerhub", "harbor", "quay", "github", "gcr"]

  let secrets: HookSecrets
  let intake: EventIntake
  let metrics: MetricsRegistry
  let log: Logger
  /// `http://host:port` of the API listener, for status URLs.
  let statusBase: String
  let clock: @Sendable () -> Double

  public init(secrets: HookSecrets, intake: EventIntake, metrics: MetricsRegistry, log: Logger, statusBase: String,
              clock: @escaping @Sendable () -> Double = Timestamps.now) {
    self.secrets = secrets
    self.intake = intake
    self.metrics = metrics
    self.log = log
    self.statusBase = statusBase
    self.clock = clock
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    let segments = request.pathSegments
    guard segments.count >= 2, segments[0] == "hooks", HooksHandler.sources.contains(String(segments[1])) else {
      return answer("unknown", 404, ["error": "no such hook"])
    }
    let source = String(segments[1])
    guard request.method == "POST" else {
      return answer(source, 405, ["error": "hooks take POST"], headers: ["Allow": "POST"])
    }
    switch source {
    case "ci" where segments.count == 2: return ci(request)
    default: return answer(source, 404, ["error": "source \(source) is not enabled"])
    }
  }

  func ci(_ request: HTTPRequest) -> HTTPResponse {
    guard let keys = secrets.ciKeys() else { return answer("ci", 404, ["error": "source ci is not enabled"]) }
    guard !keys.isEmpty else {
      log.error("the ci hook secret file holds no usable key", [("source", "ci")])
      return answer("ci", 500, ["error": "the ci hook is misconfigured"])
    }
    let event: ImageEvent
    do {
      event = try CICallback(keys: keys).event(headers: { request.headers[$0] }, body: request.body, now: clock())
    } catch {
      return answer("ci", error.status, ["error": .string(error.message)])
    }
    return record(event)
  }

  /// Durable before 2xx: 202 when recorded on at least one KCD, 200 when there was nothing to do,
  /// 503 with Retry-After when Kubernetes could not take the write.
  func record(_ event: ImageEvent) -> HTTPResponse {
    if event.action != .push {
      return answer(event.source, 200, ["message": .string("\(event.action.rawValue) events are ignored")])
    }
    let result: EventIntake.Result
    do { result = try intake.record(event) } catch {
      log.warn("cannot record event; asking the sender to retry", [("source", event.source), ("id", event.deliveryID), ("error", error.description)])
      return answer(event.source, 503, ["error": "cannot record the event right now; retry"], headers: ["Retry-After": "5"])
    }
    let accepted: [JSON] = result.accepted.map { key in
      let parts = key.split(separator: "/").map(String.init)
      return ["kcd": .string(key), "status": .string("\(statusBase)/api/v1/namespaces/\(parts[0])/kcds/\(parts[1])")]
    }
    let duplicates: [JSON] = result.duplicates.map { ["kcd": .string($0.kcd), "reason": .string($0.reason)] }
    if result.accepted202 {
      log.info("event accepted", [("source", event.source), ("id", event.deliveryID), ("repository", event.repository), ("kcds", result.accepted.joined(separator: ","))])
      return answer(event.source, 202, ["accepted": .array(accepted), "duplicates": .array(duplicates)])
    }
    let message = duplicates.isEmpty ? "no KCD follows \(event.repository):\(event.tag ?? "")" : "nothing new for the matching KCDs"
    return answer(event.source, 200, ["accepted": [], "duplicates": .array(duplicates), "message": .string(message)])
  }

  func answer(_ source: String, _ status: Int, _ body: JSON, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    metrics.increment(ControllerMetrics.hookRequests, [source, String(status)])
    return .json(status, body, headers: headers)
  }
}
