import KcdHTTP
import KcdJSON

#if canImport(Glibc)
import Glibc
#endif

/// The resourceVersion / resourceVersionMatch / limit / continue rules of a LIST
/// (API Concepts, "Semantics for get and list").
struct ListQuery {
  var limit: Int?
  var continuation: Continuation?
  /// Serve the state at exactly this revision (resourceVersionMatch=Exact, or RV with a limit).
  var exactRevision: Int64?

  /// Opaque paging position: the snapshot revision and the last key served.
  struct Continuation {
    var revision: Int64
    var after: ObjectKey

    var token: String { PercentDecoding.encode("\(revision)|\(after.namespace)|\(after.name)") }

    init(revision: Int64, after: ObjectKey) { self.revision = revision; self.after = after }

    init?(token: String) {
      let parts = PercentDecoding.decode(token, plusIsSpace: false).split(separator: "|", omittingEmptySubsequences: false)
      guard parts.count == 3, let r = Int64(parts[0]) else { return nil }
      revision = r
      after = ObjectKey(String(parts[1]), String(parts[2]))
    }
  }

  init(request: HTTPRequest, store: ObjectStore, type: ResourceType) throws(StatusError) {
    let rv = request.queryValue("resourceVersion")
    let match = request.queryValue("resourceVersionMatch")
    if let text = request.queryValue("limit"), !text.isEmpty {
      guard let l = Int(text), l >= 0 else { throw .badRequest("invalid limit: \(text)") }
      limit = l
    }
    if let m = match, !m.isEmpty {
      guard m == "Exact" || m == "NotOlderThan" else { throw .badRequest("resourceVersionMatch: Unsupported value: \"\(m)\"") }
      guard let r = rv, !r.isEmpty else { throw .badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided") }
      if m == "Exact" && r == "0" { throw .badRequest("resourceVersionMatch: Forbidden: resourceVersionMatch \"exact\" is forbidden for resourceVersion \"0\"") }
    }
    if let c = request.queryValue("continue"), !c.isEmpty {
      // RV "0" with continue is a plain continuation (API Concepts table; etcd3 store GetList).
      if let r = rv, !r.isEmpty, r != "0" { throw .badRequest("specifying resource version is not allowed when using continue") }
      guard let cont = Continuation(token: c) else { throw .badRequest("continue key is not valid") }
      if cont.revision < store.lowerBound(of: type) {
        throw .expired("The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.")
      }
      continuation = cont
      return
    }
    // resourceVersion=0 is answered whole from the watch cache, which ignores limit
    // (apiserver `cacher.go` `shouldDelegateList`: only a list with a limit and no RV, or an
    // exact RV, goes to etcd's paged reader; API Concepts, "resourceVersion unset vs 0").
    if rv == "0" { limit = nil }
    guard let r = rv, !r.isEmpty, r != "0" else { return }
    guard let n = Int64(r) else { throw .badRequest("resourceVersion: Invalid value: \"\(r)\": must be a non-negative integer") }
    // A revision the store has not reached yet: wait briefly, then "Too large resource version".
    var waited = 0
    while n > store.currentRevision && waited < 20 { usleep(25_000); waited += 1 }
    if n > store.currentRevision {
      throw StatusError(code: 504, reason: "Timeout", message: "Too large resource version: \(n), current: \(store.currentRevision)",
                        details: ["causes": [["reason": "ResourceVersionTooLarge", "message": "Too large resource version"]], "retryAfterSeconds": 1], retryAfterSeconds: 1)
    }
    let exact = match == "Exact" || (match == nil && (limit ?? 0) > 0)
    if exact && n < store.lowerBound(of: type) {
      throw .expired("too old resource version: \(n) (\(store.lowerBound(of: type)))")
    }
    if exact { exactRevision = n }
  }
}
