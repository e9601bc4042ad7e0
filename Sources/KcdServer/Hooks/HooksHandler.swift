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
  /// Builds the source for a name from its current secret lines (nil: no such source).
  let sources: HookSourceFactory
  let intake: EventIntake
  let metrics: MetricsRegistry
  let log: Logger
  /// `http://host:port` of the API listener, for status URLs.
  let statusBase: String
  /// Rewrites an event's registry host by the configured aliases.
  let aliases: @Sendable (String) -> String
  /// Version tags seen per digest, to name a later pointer-tag push.
  let versions = VersionTagMemory()
  /// Whether the KCD cache can answer: matching against an empty or stale cache would answer
  /// "nothing to do" and the sender would not retry.
  let readiness: HooksReadiness
  let clock: @Sendable () -> Double
  /// Hook sources built from their secret files, rebuilt only when a file changes.
  let built = SourceCache()
  /// `kcd_hook_requests_total` cells by source and status, looked up without a lock or a
  /// label array on every request.
  let cellsBySource: [String: [Int: MetricCell]]
  /// The last answers, for the dashboard.
  let deliveries: DeliveryLog
  static let codes = [200, 202, 400, 401, 403, 404, 405, 408, 413, 429, 500, 503]

  public init(secrets: HookSecrets, sources: HookSourceFactory = HookSourceFactory(), intake: EventIntake, metrics: MetricsRegistry, log: Logger,
              aliases: @escaping @Sendable (String) -> String = { $0 }, statusBase: String, clock: @escaping @Sendable () -> Double = Timestamps.now,
              readiness: HooksReadiness = HooksReadiness(), deliveries: DeliveryLog = DeliveryLog()) {
    self.deliveries = deliveries
    self.aliases = aliases
    self.readiness = readiness
    var cells: [String: [Int: MetricCell]] = [:]
    for s in HooksHandler.sources.sorted() + ["unknown"] {
      for code in HooksHandler.codes { cells[s, default: [:]][code] = MetricCell() }
    }
    cellsBySource = cells
    self.secrets = secrets
    self.sources = sources
    self.intake = intake
    self.metrics = metrics
    self.log = log
    self.statusBase = statusBase
    self.clock = clock
  }

  public func handle(_ request: HTTPRequest) -> HTTPResponse {
    switch authenticate(request, segments: request.pathSegments) {
    case .answer(let response): return response
    case .events(let events, let source):
      switch prepare(events, source: source) {
      case .answer(let response): return settled(response, events)
      case .write(let pushes): return settled(write(pushes, source: source), events)
      }
    }
  }

  /// On the event loop: everything that needs no Kubernetes write is answered at once
  /// (signature checks, parsing, "no KCD follows", duplicates found in the cache are not: they
  /// need a fresh read). Sources that may fetch a certificate or key set (SNS, Google's OIDC
  /// keys) always run on a worker.
  public func reply(_ request: HTTPRequest) -> HTTPReply {
    let segments = request.pathSegments
    if segments.count >= 2, segments[0] == "hooks", HooksHandler.fetchingSources.contains(String(segments[1])) || mayFetch(request, segments[1]) {
      return .later { handle(request) }
    }
    switch authenticate(request, segments: segments) {
    case .answer(let response): return .now(response)
    case .events(let events, let source):
      switch prepare(events, source: source) {
      case .answer(let response): return .now(settled(response, events))
      case .write(let pushes): return .later { settled(write(pushes, source: source), events) }
      }
    }
  }

  /// Sources whose verification may fetch over the network.
  static let fetchingSources: Set<String> = ["ecr", "gcr"]

  enum Authenticated {
    case answer(HTTPResponse)
    case events([ImageEvent], source: String)
  }

  enum Prepared {
    case answer(HTTPResponse)
    /// Push events, normalised, for which Kubernetes must be written.
    case write([ImageEvent])
  }

  /// Routing, the source's secret, authentication and parsing: nothing is recorded or logged
  /// of a request that is not authentic.
  func authenticate(_ request: HTTPRequest, segments: [Substring]) -> Authenticated {
    guard segments.count >= 2, segments[0] == "hooks", HooksHandler.sources.contains(String(segments[1])) else {
      return .answer(answer("unknown", 404, ["error": "no such hook"]))
    }
    let source = String(segments[1])
    guard request.method == "POST" else {
      return .answer(answer(source, 405, ["error": "hooks take POST"], headers: ["Allow": "POST"]))
    }
    guard let lines = sources.lines(source, secrets: secrets) else { return .answer(answer(source, 404, ["error": .string("source \(source) is not enabled")])) }
    let hook: any HookSource
    do {
      guard let made = try built.source(source, lines: lines, make: sources.make) else {
        return .answer(answer(source, 404, ["error": .string("source \(source) is not enabled")]))
      }
      hook = made
    } catch {
      log.error("hook source is misconfigured", [("source", source), ("error", error.message)])
      return .answer(answer(source, 500, ["error": .string("the \(source) hook is misconfigured")]))
    }
    let headers = request.headers
    let hookRequest = HookRequest(method: request.method, pathRest: segments.dropFirst(2).map(String.init), header: { headers[$0] }, body: request.body, now: clock())
    let outcome: HookOutcome
    do { outcome = try hook.handle(hookRequest) } catch {
      return .answer(answer(source, error.status, ["error": .string(error.message)]))
    }
    switch outcome {
    case .reply(let status, let message): return .answer(answer(source, status, ["message": .string(message)]))
    case .events(let events): return .events(events, source: source)
    }
  }

  /// Pushes normalised (aliases, version names); answered here unless something must be written.
  func prepare(_ events: [ImageEvent], source: String) -> Prepared {
    // Delivery ids are remembered on the KCD: an outsized one is refused, whatever the source.
    if events.contains(where: { $0.deliveryID.utf8.count > ImageEvent.maximumDeliveryIDLength }) {
      return .answer(answer(source, 400, ["error": .string("delivery id longer than \(ImageEvent.maximumDeliveryIDLength) bytes")]))
    }
    var pushes = events.filter { $0.action == .push }.map { e -> ImageEvent in
      var event = e
      event.repository = aliases(e.repository)
      return event
    }
    for e in pushes { versions.observe(e) }
    // Naming the version only matters for an event something follows.
    for i in pushes.indices where pushes[i].version == nil && intake.isFollowed(pushes[i]) {
      if let d = pushes[i].digest { pushes[i].version = versions.version(repository: pushes[i].repository, digest: d) }
    }
    if pushes.isEmpty {
      let actions = Set(events.map(\.action.rawValue)).sorted().joined(separator: ", ")
      return .answer(answer(source, 200, ["message": .string(actions.isEmpty ? "no image events" : "\(actions) events are ignored")]))
    }
    guard readiness.synced() else {
      return .answer(answer(source, 503, ["error": "kcd is starting; retry"], headers: ["Retry-After": "2"]))
    }
    if let refusal = scopeRefusal(pushes, source: source) { return .answer(refusal) }
    guard pushes.contains(where: intake.isFollowed) else {
      // Nothing follows any of them: answered without touching intake.
      guard readiness.current() else {
        return .answer(answer(source, 503, ["error": "kcd's view of the KCDs is not current; retry"], headers: ["Retry-After": "2"]))
      }
      return .answer(noFollower(source, pushes[0]))
    }
    // Every KCD that follows is one kcd refuses: answered from the cache, never written (the
    // event loop must not wait on the API even if the cache changes meanwhile).
    guard pushes.contains(where: intake.needsWrites) else {
      var result = EventIntake.Result()
      for event in pushes { result.merge(intake.refusals(event)) }
      return .answer(respond(result, pushes, source: source))
    }
    return .write(pushes)
  }

  /// Durable before 2xx: 202 when recorded on at least one KCD, 200 when there was nothing to do,
  /// 429/503 with Retry-After when Kubernetes could not take the write. One budget covers the
  /// whole delivery, however many events it carries.
  func write(_ pushes: [ImageEvent], source: String) -> HTTPResponse {
    let deadline = monotonicSeconds() + intake.budgetSeconds
    var result = EventIntake.Result()
    for event in pushes {
      do {
        let r = try intake.record(event, deadline: deadline)
        result.accepted += r.accepted
        result.duplicates += r.duplicates
        result.refused += r.refused
      } catch {
        log.warn("cannot record event; asking the sender to retry", [("source", event.source), ("id", String(event.deliveryID.prefix(128))),
                                                                       ("error", error.description)])
        // The API server's own pushback is passed on as is; anything else is "unavailable".
        let wait = String(Int(max(1, (error.retryAfterSeconds ?? 5).rounded(.up))))
        return answer(source, error.status == 429 ? 429 : 503, ["error": "cannot record the event right now; retry"], headers: ["Retry-After": wait])
      }
    }
    return respond(result, pushes, source: source)
  }

  func respond(_ result: EventIntake.Result, _ pushes: [ImageEvent], source: String) -> HTTPResponse {
    if result.accepted.isEmpty && result.duplicates.isEmpty && result.refused.isEmpty && !readiness.current() {
      // "No KCD follows" from a cache that may be stale would lose the event: ask for a retry.
      return answer(source, 503, ["error": "kcd's view of the KCDs is not current; retry"], headers: ["Retry-After": "2"])
    }
    let event = pushes[0]
    let accepted: [JSON] = result.accepted.map { key in
      let parts = key.split(separator: "/").map(String.init)
      return ["kcd": .string(key), "status": .string("\(statusBase)/api/v1/namespaces/\(parts[0])/kcds/\(parts[1])")]
    }
    let duplicates: [JSON] = result.duplicates.map { d -> JSON in ["kcd": .string(d.kcd), "reason": .string(d.reason)] }
    let refused: [JSON] = result.refused.map { d -> JSON in ["kcd": .string(d.kcd), "reason": .string(String(d.reason.prefix(512)))] }
    if result.accepted202 {
      log.info("event accepted", [("source", source), ("id", event.deliveryID), ("repository", event.repository), ("kcds", result.accepted.joined(separator: ","))])
      var body: JSON = ["accepted": .array(accepted), "duplicates": .array(duplicates)]
      if !refused.isEmpty { body["refused"] = .array(refused) }
      return answer(source, 202, body)
    }
    let message = !duplicates.isEmpty ? "nothing new for the matching KCDs"
      : !refused.isEmpty ? "the KCDs that follow \(event.repository):\(event.tag ?? "") cannot act on it (see refused)"
      : "no KCD follows \(event.repository):\(event.tag ?? "")"
    var body: JSON = ["accepted": [], "duplicates": .array(duplicates), "message": .string(message)]
    if !refused.isEmpty { body["refused"] = .array(refused) }
    return answer(source, 200, body)
  }

  func answer(_ source: String, _ status: Int, _ body: JSON, headers: HTTPHeaders = HTTPHeaders()) -> HTTPResponse {
    count(source, status)
    return .json(status, body, headers: headers)
  }

  func count(_ source: String, _ status: Int) {
    deliveries.record(source: source, status: status)
    guard let cell = cellsBySource[source]?[status] else {
      metrics.increment(ControllerMetrics.hookRequests, [source, String(status)])
      return
    }
    metrics.live(cell, ControllerMetrics.hookRequests, [source, String(status)])?.add(1)
  }

  /// "No KCD follows": the answer most webhooks get (every push of every repository nobody
  /// deploys), written without building a JSON tree.
  func noFollower(_ source: String, _ event: ImageEvent) -> HTTPResponse {
    count(source, 200)
    var body = Array(#"{"accepted":[],"duplicates":[],"message":"no KCD follows "#.utf8)
    // Repository names and tags are validated (no quote, backslash or control character), so
    // they go in as they are.
    body += event.repository.utf8
    body.append(UInt8(ascii: ":"))
    body += (event.tag ?? "").utf8
    body += Array(#""}"#.utf8)
    return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"], body: body)
  }
}
