import KcdCore
import KcdHTTP
import KcdJSON

/// A watch: newline-delimited JSON events on a chunked response, with the start semantics of
/// "Semantics for watch", bookmarks, timeoutSeconds, selector transitions, 410 for compacted
/// history, and the injected stream faults.
struct WatchStream {
  let api: KubeSimAPI
  let type: ResourceType
  let namespace: String?
  let request: HTTPRequest

  func response() throws(StatusError) -> HTTPResponse {
    let filter = try ObjectFilter(type: type, namespace: namespace, labelSelector: request.queryValue("labelSelector"), fieldSelector: request.queryValue("fieldSelector"))
    let rv = request.queryValue("resourceVersion") ?? ""
    let bookmarks = request.queryValue("allowWatchBookmarks") == "true" || request.queryValue("allowWatchBookmarks") == "1"
    let sendInitial = request.queryValue("sendInitialEvents") == "true"
    if sendInitial && request.queryValue("resourceVersionMatch") != "NotOlderThan" {
      throw .badRequest("resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan")
    }
    if sendInitial && !bookmarks {
      throw .badRequest("allowWatchBookmarks: Forbidden: sendInitialEvents requires setting allowWatchBookmarks to true")
    }
    var timeout = api.maximumWatchTimeout
    if let t = request.queryValue("timeoutSeconds"), let s = Double(t), s > 0 { timeout = min(timeout, s) }
    let store = api.store
    let type = self.type
    var initial: [JSON] = []
    var start: Int64
    var expired: Int64?
    if rv.isEmpty || rv == "0" || sendInitial {
      let snapshot = store.list(type, namespace: namespace)
      initial = snapshot.items.filter(filter.matches)
      if store.version.setsSelfLink { initial = initial.map { SelfLink.stamp($0, type: type, requestPath: request.path) } }
      start = snapshot.revision
    } else {
      guard let n = Int64(rv) else { throw .badRequest("resourceVersion: Invalid value: \"\(rv)\": must be a non-negative integer") }
      start = n
      if n < store.lowerBound(of: type) { expired = n }
    }
    let api = self.api
    let table = TableView.wanted(request) ? TableView(type: type, store: store, request: request) : nil
    let (initialItems, startRevision, expiredRevision, watchTimeout) = (initial, start, expired, timeout)
    let dropAt = api.faults.dropGeneration.load(ordering: .relaxed)
    return HTTPResponse(status: 200, headers: ["Content-Type": "application/json"]) { sink in
      var writer = EventWriter(sink: sink, faults: api.faults, table: table)
      if let old = expiredRevision {
        let status = StatusError.expired("too old resource version: \(old) (\(store.lowerBound(of: type)))").status
        try writer.send([["type": "ERROR", "object": status]])
        return
      }
      try writer.send(initialItems.map { ["type": "ADDED", "object": $0] })
      if sendInitial {
        try writer.send([WatchStream.bookmark(type, startRevision, initialEventsEnd: true)])
      }
      let deadline = monotonicSeconds() + watchTimeout
      var cursor = startRevision
      var lastBookmark = monotonicSeconds()
      var seen = store.signal.current
      while true {
        if api.faults.dropGeneration.load(ordering: .relaxed) != dropAt { throw SocketError.closed }
        if sink.isClosed { return }
        if api.faults.watchFault == .stall {
          if monotonicSeconds() >= deadline { return }
          seen = store.signal.wait(after: seen, timeout: 0.2)
          continue
        }
        guard let (changes, revision) = store.changes(of: type, after: cursor) else {
          let status = StatusError.expired("too old resource version: \(cursor) (\(store.lowerBound(of: type)))").status
          try writer.send([["type": "ERROR", "object": status]])
          return
        }
        let events = changes.compactMap { WatchStream.translate($0, type: type, filter: filter, selfLink: store.version.setsSelfLink) }
        try writer.send(events)
        cursor = max(cursor, revision)
        let now = monotonicSeconds()
        if now >= deadline { return }
        if bookmarks && now - lastBookmark >= api.bookmarkInterval {
          try writer.send([WatchStream.bookmark(type, cursor, initialEventsEnd: false)])
          lastBookmark = now
        }
        let wait = min(deadline - now, bookmarks ? api.bookmarkInterval : 0.5, 0.5)
        seen = store.signal.wait(after: seen, timeout: max(0.01, wait))
      }
    }
  }

  static func bookmark(_ type: ResourceType, _ revision: Int64, initialEventsEnd: Bool) -> JSON {
    var metadata: JSON = ["resourceVersion": .string(String(revision))]
    if initialEventsEnd { metadata["annotations"] = ["k8s.io/initial-events-end": "true"] }
    return ["type": "BOOKMARK", "object": ["kind": .string(type.kind), "apiVersion": .string(type.groupVersion), "metadata": metadata]]
  }

  /// A stored change as this watch sees it: objects entering or leaving the selection become
  /// ADDED or DELETED.
  static func translate(_ change: ChangeEvent, type: ResourceType, filter: ObjectFilter, selfLink: Bool = false) -> JSON? {
    guard change.storage == type.storageGroupResource else { return nil }
    var object = change.object
    object["apiVersion"] = .string(type.groupVersion)
    object["kind"] = .string(type.kind)
    if selfLink { object["metadata"]["selfLink"] = .string(SelfLink.path(of: object, type: type)) }
    let now = filter.matches(change.object)
    let before = change.previous.map(filter.matches) ?? false
    let kind: String
    switch change.type {
    case "ADDED": guard now else { return nil }; kind = "ADDED"
    case "DELETED": guard now || before else { return nil }; kind = "DELETED"
    default:
      switch (before, now) {
      case (true, true): kind = "MODIFIED"
      case (false, true): kind = "ADDED"
      case (true, false): kind = "DELETED"
      case (false, false): return nil
      }
    }
    return ["type": .string(kind), "object": object]
  }
}

/// Frames events as the fault plan says: one chunk each, split into pieces, or packed.
struct EventWriter {
  let sink: any ChunkSink
  let faults: FaultPlan
  /// Objects are sent as one-row Tables (column definitions in the first event only).
  let table: TableView?
  var sentDefinitions = false

  init(sink: any ChunkSink, faults: FaultPlan, table: TableView? = nil) { self.sink = sink; self.faults = faults; self.table = table }

  mutating func send(_ raw: [JSON]) throws {
    guard !raw.isEmpty else { return }
    var events = raw
    if let table {
      events = raw.map { e in
        guard e["type"] != "ERROR", e["type"] != "BOOKMARK" else { return e }
        var wrapped = e
        wrapped["object"] = table.table([e["object"]], resourceVersion: e["object"]["metadata"]["resourceVersion"].stringValue ?? "", withDefinitions: !sentDefinitions)
        sentDefinitions = true
        return wrapped
      }
    }
    switch faults.watchFault {
    case .pack:
      var bytes: [UInt8] = []
      for e in events { e.write(into: &bytes); bytes.append(0x0A) }
      try sink.write(bytes)
    case .split:
      for e in events {
        var bytes = e.serialized()
        bytes.append(0x0A)
        var i = 0
        let piece = max(1, bytes.count / 3)
        while i < bytes.count {
          try sink.write(Array(bytes[i..<min(bytes.count, i + piece)]))
          i += piece
        }
      }
    case .none, .stall:
      for e in events {
        var bytes = e.serialized()
        bytes.append(0x0A)
        try sink.write(bytes)
      }
    }
  }
}
