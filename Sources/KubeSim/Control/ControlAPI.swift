import KcdHTTP
import KcdJSON

/// `/_sim/…`: the test-control plane. The prefix cannot collide with Kubernetes paths, and the
/// same bearer token guards it.
extension KubeSimAPI {
  func control(_ request: HTTPRequest) -> HTTPResponse {
    let body = request.body.isEmpty ? JSON.object([:]) : ((try? JSON.parse(request.body)) ?? .null)
    if case .null = body { return KubeSimAPI.failure(.badRequest("control requests take a JSON object body")) }
    let ok = HTTPResponse.json(200, ["ok": true])
    switch (request.method, request.path) {
    case ("GET", "/_sim/requests"):
      return .json(200, ["items": .array(requestLog.records.map(\.json))])
    case ("DELETE", "/_sim/requests"):
      requestLog.clear()
      return ok
    case ("POST", "/_sim/faults"):
      do { faults.add(try FaultRule(json: body)) } catch { return KubeSimAPI.failure(error) }
      return ok
    case ("DELETE", "/_sim/faults"):
      faults.clear()
      return ok
    case ("PUT", "/_sim/latency"):
      faults.latencySeconds = body["seconds"].doubleValue ?? 0
      return ok
    case ("PUT", "/_sim/watch-fault"):
      guard let mode = body["mode"].stringValue.flatMap(WatchFault.init(rawValue:)) else {
        return KubeSimAPI.failure(.badRequest("mode must be one of none, split, pack, stall"))
      }
      faults.watchFault = mode
      return ok
    case ("POST", "/_sim/watches/drop"):
      faults.dropWatches()
      return ok
    case ("POST", "/_sim/compact"):
      store.compact()
      return .json(200, ["ok": true, "compactedRevision": .int(store.compactedRevision)])
    case ("PUT", "/_sim/history-limit"):
      guard let limit = body["limit"].intValue, limit > 0 else { return KubeSimAPI.failure(.badRequest("limit must be a positive integer")) }
      store.setHistoryLimit(Int(limit))
      return ok
    case ("PUT", "/_sim/token"):
      let list = body["tokens"].arrayValue?.compactMap(\.stringValue) ?? body["token"].stringValue.map { [$0] } ?? []
      guard !list.isEmpty, list.allSatisfy({ !$0.isEmpty }) else { return KubeSimAPI.failure(.badRequest("give token or tokens")) }
      setTokens(list)
      return ok
    case ("PUT", "/_sim/bookmark-interval"):
      guard let s = body["seconds"].doubleValue, s > 0 else { return KubeSimAPI.failure(.badRequest("seconds must be positive")) }
      bookmarkInterval = s
      return ok
    case ("PUT", "/_sim/watch-timeout"):
      guard let s = body["seconds"].doubleValue, s > 0 else { return KubeSimAPI.failure(.badRequest("seconds must be positive")) }
      maximumWatchTimeout = s
      return ok
    case ("PUT", "/_sim/access"):
      access.clear()
      access.load(body)
      return ok
    case ("GET", "/_sim/stats"):
      return .json(200, ["revision": .int(store.currentRevision), "compactedRevision": .int(store.compactedRevision)])
    default:
      if let handler = extraControl.withLock({ $0["\(request.method) \(request.path)"] }) { return handler(request) }
      return KubeSimAPI.failure(StatusError(code: 404, reason: "NotFound", message: "no such control endpoint: \(request.method) \(request.path)"))
    }
  }
}
