import KcdCore
import KcdHooks
import KcdJSON
import Testing

/// Builds requests and reads outcomes for the source tests.
enum HookTest {
  static func request(_ body: [UInt8], headers: [String: String] = [:], path: [String] = [], now: Double = 1_700_000_000) -> HookRequest {
    var lower: [String: String] = [:]
    for (k, v) in headers { lower[k.lowercased()] = v }
    let table = lower
    return HookRequest(pathRest: path, header: { table[$0.lowercased()] }, body: body, now: now)
  }

  static func request(_ json: JSON, headers: [String: String] = [:], path: [String] = [], now: Double = 1_700_000_000) -> HookRequest {
    request(json.serialized(), headers: headers, path: path, now: now)
  }

  /// The status a source answers with: its rejection's, the reply's, or 202 for events.
  static func status(_ source: some HookSource, _ request: HookRequest) -> Int {
    do {
      switch try source.handle(request) {
      case .events: return 202
      case .reply(let status, _): return status
      }
    } catch {
      return error.status
    }
  }

  /// The events of an outcome; records an issue for a reply or a rejection.
  static func events(_ source: some HookSource, _ request: HookRequest, sourceLocation: SourceLocation = #_sourceLocation) -> [ImageEvent] {
    do {
      if case .events(let e) = try source.handle(request) { return e }
      Issue.record("expected events, got a reply", sourceLocation: sourceLocation)
    } catch {
      Issue.record("expected events, got \(error)", sourceLocation: sourceLocation)
    }
    return []
  }

  static let digestA = "sha256:" + String(repeating: "a1", count: 32)
  static let digestB = "sha256:" + String(repeating: "b2", count: 32)
}
