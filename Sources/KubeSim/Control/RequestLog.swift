import KcdJSON
import Synchronization

/// What KubeSim received and answered, so tests can assert on exact traffic
/// ("exactly one PATCH to deployment web"). Bounded: the oldest entries go first.
public struct RequestRecord: Sendable {
  public var method: String
  public var path: String
  public var query: String
  public var contentType: String
  public var body: String
  public var code: Int
  public var userAgent: String
  /// When the request was answered (seconds since the epoch), so tests and benchmarks can see
  /// request rates and when a write was accepted.
  public var at: Double = 0

  public var json: JSON {
    ["method": .string(method), "path": .string(path), "query": .string(query), "contentType": .string(contentType),
     "body": .string(body), "code": .int(Int64(code)), "userAgent": .string(userAgent), "at": .double(at)]
  }
}

public final class RequestLog: Sendable {
  let entries = Mutex<[RequestRecord]>([])
  let limit: Int

  public init(limit: Int = 50_000) { self.limit = limit }

  func append(_ r: RequestRecord) {
    entries.withLock {
      $0.append(r)
      // Trimmed a tenth at a time: dropping one entry per request would move the whole log each time.
      if $0.count > limit + limit / 10 { $0.removeFirst($0.count - limit) }
    }
  }

  public var records: [RequestRecord] { entries.withLock { Array($0.suffix(limit)) } }

  /// How many requests are logged (without copying them).
  public var count: Int { entries.withLock { min($0.count, limit) } }

  public func clear() { entries.withLock { $0.removeAll() } }

  /// Records matching a method and a path suffix, e.g. `("PATCH", "/deployments/web")`.
  public func matching(method: String, pathSuffix: String) -> [RequestRecord] {
    records.filter { $0.method == method && $0.path.hasSuffix(pathSuffix) }
  }
}
