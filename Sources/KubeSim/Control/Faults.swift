import KcdJSON
import Synchronization

/// A scripted failure: requests matching verb/resource (and optionally namespace/name) fail
/// with `code` at `rate`, at most `count` times. 429 answers like API Priority and Fairness
/// (text/plain body, `Retry-After`) unless `statusBody` asks for a JSON Status.
public struct FaultRule: Sendable {
  public var verb: String = "*"
  public var resource: String = "*"
  public var namespace: String?
  public var name: String?
  public var code: Int = 500
  public var rate: Double = 1
  public var count: Int?
  public var retryAfterSeconds: Int?
  public var statusBody = false

  public init(verb: String = "*", resource: String = "*", code: Int, rate: Double = 1, count: Int? = nil, retryAfterSeconds: Int? = nil) {
    self.verb = verb
    self.resource = resource
    self.code = code
    self.rate = rate
    self.count = count
    self.retryAfterSeconds = retryAfterSeconds
  }

  init(json: JSON) throws(StatusError) {
    guard let code = json["code"].intValue, [403, 404, 409, 429, 500, 502, 503, 504].contains(code) else {
      throw .badRequest("fault code must be one of 403, 404, 409, 429, 500, 502, 503, 504")
    }
    self.code = Int(code)
    verb = json["verb"].stringValue ?? "*"
    resource = json["resource"].stringValue ?? "*"
    namespace = json["namespace"].stringValue
    name = json["name"].stringValue
    rate = json["rate"].doubleValue ?? 1
    count = json["count"].intValue.map(Int.init)
    retryAfterSeconds = json["retryAfterSeconds"].intValue.map(Int.init)
    statusBody = json["statusBody"].boolValue ?? false
    guard rate >= 0 && rate <= 1 else { throw .badRequest("fault rate must be between 0 and 1") }
  }

  func matches(verb v: String, resource r: String, namespace ns: String?, name n: String?) -> Bool {
    (verb == "*" || verb == v) && (resource == "*" || resource == r)
      && (namespace == nil || namespace == ns) && (name == nil || name == n)
  }
}

/// How watch streams misbehave on purpose.
public enum WatchFault: String, Sendable {
  /// Normal: one chunk per event.
  case none
  /// Each event is cut into several small chunks.
  case split
  /// All events of one wake-up go in a single chunk.
  case pack
  /// The connection stays open but nothing more is sent.
  case stall
}

/// Every fault switch, changeable at run time from flags, `/_sim/` or Swift.
public final class FaultPlan: Sendable {
  struct State {
    var rules: [FaultRule] = []
    var latencySeconds = 0.0
    var watchFault = WatchFault.none
  }
  let state = Mutex(State())
  /// Bumped to cut every open watch stream abruptly.
  let dropGeneration = Atomic<Int>(0)

  public init() {}

  public func add(_ rule: FaultRule) { state.withLock { $0.rules.append(rule) } }

  public func clear() { state.withLock { $0 = State() } }

  public var latencySeconds: Double {
    get { state.withLock { $0.latencySeconds } }
    set { state.withLock { $0.latencySeconds = max(0, newValue) } }
  }

  public var watchFault: WatchFault {
    get { state.withLock { $0.watchFault } }
    set { state.withLock { $0.watchFault = newValue } }
  }

  /// Cuts every open watch now (clients see the connection end mid-stream).
  public func dropWatches() { dropGeneration.wrappingAdd(1, ordering: .relaxed) }

  /// The fault this request draws, if any (consumes one from a counted rule).
  func draw(verb: String, resource: String, namespace: String?, name: String?) -> FaultRule? {
    state.withLock { s in
      var g = SystemRandomNumberGenerator()
      for i in s.rules.indices where s.rules[i].matches(verb: verb, resource: resource, namespace: namespace, name: name) {
        if let c = s.rules[i].count, c <= 0 { continue }
        if s.rules[i].rate < 1 && Double(g.next() % 1_000_000) / 1_000_000 >= s.rules[i].rate { continue }
        if let c = s.rules[i].count { s.rules[i].count = c - 1 }
        return s.rules[i]
      }
      return nil
    }
  }
}
