import KcdJSON

/// One object of a list page or watch event, with whether parts of it nested too deeply to be
/// kept (a hostile object is reported on its own instead of spoiling the whole page).
public struct ListedObject: Sendable {
  public var object: JSON
  /// True when a value deeper than `KubeClient.keptDepth` was dropped from `object`.
  public var truncated: Bool

  public init(object: JSON, truncated: Bool = false) {
    self.object = object
    self.truncated = truncated
  }
}

extension KubeClient {
  /// Values nested deeper than this in an object are dropped (and the object flagged): real
  /// objects stay far below it, and nothing kcd reads is deeper.
  public static let keptDepth = 64
  public static let pageSize = 500

  /// Lists page by page (`limit` + `continue`), handing each page to `onPage`, so memory never
  /// holds more than one page. A page too large for the client is asked again with half the
  /// limit (down to one object). Returns the list's resourceVersion.
  public func listPages(
    _ r: KubeResource, namespace: String? = nil, labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
    options: KubeCallOptions = .normal, onPage: ([ListedObject]) -> Void
  ) throws(KubeError) -> String {
    var token: String?
    var version = ""
    var limit = KubeClient.pageSize
    while true {
      var q: [(String, String)] = [("limit", String(limit))]
      if let l = labelSelector { q.append(("labelSelector", l)) }
      if let f = fieldSelector { q.append(("fieldSelector", f)) }
      if let t = token { q.append(("continue", t)) } else if let rv = resourceVersion { q.append(("resourceVersion", rv)) }
      let bytes: [UInt8]
      do { bytes = try raw("GET", r.path(namespace: namespace), query: q, options: options) } catch {
        if error.isResponseTooLarge && limit > 1 {
          limit = max(1, limit / 2)
          continue
        }
        throw error
      }
      let parsed: JSONParseResult
      do { parsed = try JSON.parse(bytes, options: JSONParseOptions(truncateBeyondDepth: KubeClient.keptDepth + 2, attributionDepth: 2)) } catch {
        throw KubeError.transport("GET \(r.path(namespace: namespace)): response is not JSON: \(error)")
      }
      let page = parsed.value
      let truncated = Set(parsed.truncated.compactMap { path -> Int? in
        if path.count == 2, case .index(let i) = path[1] { return i }
        return nil
      })
      var items: [ListedObject] = []
      for (i, var item) in (page["items"].arrayValue ?? []).enumerated() {
        if item["kind"].isNull { item["kind"] = .string(r.kind); item["apiVersion"] = .string(r.apiVersion) }
        items.append(ListedObject(object: item, truncated: truncated.contains(i)))
      }
      onPage(items)
      if version.isEmpty || token == nil { version = page["metadata"]["resourceVersion"].stringValue ?? "" }
      token = page["metadata"]["continue"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
      if token == nil { return version }
    }
  }
}
