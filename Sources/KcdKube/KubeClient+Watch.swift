import KcdCore
import KcdHTTP
import KcdJSON

/// One event of a watch stream.
public struct WatchEvent: Sendable {
  public var type: String
  public var object: JSON
  /// Parts of the object nested deeper than `KubeClient.keptDepth` were dropped.
  public var truncated = false
  public var resourceVersion: String? { object["metadata"]["resourceVersion"].stringValue }
}

/// Splits a byte stream into newline-terminated lines, carrying partial lines across chunks
/// (an event may span chunks; a chunk may hold several events).
struct LineSplitter {
  var pending: [UInt8] = []
  let limit: Int

  init(limit: Int = 16 << 20) { self.limit = limit }

  /// Complete lines in this chunk; nil when one line grew past the limit.
  mutating func feed(_ chunk: [UInt8]) -> [[UInt8]]? {
    pending.append(contentsOf: chunk)
    var lines: [[UInt8]] = []
    var start = 0
    for i in pending.indices where pending[i] == 0x0A {
      if i > start { lines.append(Array(pending[start..<i])) }
      start = i + 1
    }
    pending.removeFirst(start)
    if pending.count > limit { return nil }
    return lines
  }
}

extension KubeClient {
  /// Streams a watch until the server ends it, `onEvent` returns false, or `shouldStop` says so
  /// (polled each second, or — given a `cancellation` — when that is cancelled, with no wake-ups
  /// meanwhile).
  /// An ERROR event is thrown as the KubeError its Status describes (410 for expired history).
  /// A stream silent for `silenceLimit` seconds (no event, no bookmark) is treated as dead.
  /// `onOpen` is called once the server has answered 200 (the watch is established).
  public func watch(
    _ r: KubeResource, namespace: String? = nil, resourceVersion: String, labelSelector: String? = nil, fieldSelector: String? = nil,
    timeoutSeconds: Int, allowBookmarks: Bool = true, silenceLimit: Double? = nil, onOpen: @escaping () -> Void = {},
    onEvent: @escaping (WatchEvent) -> Bool, shouldStop: @escaping () -> Bool, cancellation: TransferCancellation? = nil
  ) throws(KubeError) {
    var q: [(String, String)] = [("watch", "true"), ("resourceVersion", resourceVersion), ("timeoutSeconds", String(timeoutSeconds))]
    if allowBookmarks { q.append(("allowWatchBookmarks", "true")) }
    if let l = labelSelector { q.append(("labelSelector", l)) }
    if let f = fieldSelector { q.append(("fieldSelector", f)) }
    try budget.acquire(.normal)
    var request = HTTPClientRequest(method: "GET", url: url(r.path(namespace: namespace), q))
    request.timeout = 0
    request.idleTimeout = min(Double(timeoutSeconds) + 30, silenceLimit ?? .infinity)
    request.headers.set("Accept", "application/json")
    if let auth = try connection.credentials.authorization() { request.headers.set("Authorization", auth) }

    final class State {
      var status = 0
      var errorBody: [UInt8] = []
      var splitter = LineSplitter()
      var failure: KubeError?
    }
    let state = State()
    let client = try http()
    do {
      try client.stream(request, onHead: { status, _ in
        state.status = status
        if status == 200 { onOpen() }
        return true
      }, onData: { chunk in
        if state.status != 200 {
          state.errorBody.append(contentsOf: chunk.prefix(64 * 1024 - state.errorBody.count))
          return true
        }
        guard let lines = state.splitter.feed(chunk) else {
          state.failure = KubeError.transport("watch event larger than the line limit")
          return false
        }
        for line in lines {
          let options = JSONParseOptions(truncateBeyondDepth: KubeClient.keptDepth + 1, attributionDepth: 1)
          guard let parsed = try? JSON.parse(line, options: options), let type = parsed.value["type"].stringValue else {
            state.failure = KubeError.transport("watch stream sent an undecodable event")
            return false
          }
          let envelope = parsed.value
          if type == "ERROR" {
            let s = envelope["object"]
            state.failure = KubeError(status: Int(s["code"].intValue ?? 500), reason: s["reason"].stringValue ?? "", message: s["message"].stringValue ?? "watch error")
            return false
          }
          if !onEvent(WatchEvent(type: type, object: envelope["object"], truncated: !parsed.truncated.isEmpty)) { return false }
        }
        return true
      }, shouldStop: shouldStop, cancellation: cancellation)
    } catch {
      if let f = state.failure { throw f }
      if error.isAborted { observer("watch", "200"); return }
      observer("watch", "transport")
      throw KubeError.transport("watch \(r.path(namespace: namespace)): \(error.message)")
    }
    observer("watch", String(state.status))
    if let f = state.failure { throw f }
    if state.status != 200 {
      if state.status == 401 { _ = connection.credentials.invalidate() }
      throw KubeError(status: state.status, body: state.errorBody, retryAfter: nil)
    }
  }
}
