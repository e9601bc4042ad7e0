import KcdCore
import KcdHooks
import KcdJSON

/// The durable record of an accepted event, kept in the KCD's `kcd.dev/event` annotation:
/// written by intake before the 202 goes out, read by the reconciler. Only the newest event is
/// kept (newer events supersede queued ones); recent delivery ids stay to refuse replays.
public struct RequestedRollout: Sendable, Equatable {
  public static let annotation = "kcd.dev/event"
  /// The source of a request made by `kcd rollback`: an explicit rollback, which the
  /// failed-digest rule and the regression check do not stop.
  public static let rollbackSource = "rollback"

  public var isExplicitRollback: Bool { source == RequestedRollout.rollbackSource }

  /// The source of a "look again now" request (the API's sync, `kcd` CLI): the tag is resolved
  /// with the registry; nothing happens when it still points at what runs.
  public static let syncSource = "sync"
  public static let recentLimit = 20
  /// A larger annotation is not kcd's (kcd writes a few hundred bytes).
  public static let maximumAnnotationBytes = 64 * 1024

  public var id: String
  public var source: String
  public var repository: String
  public var tag: String?
  public var digest: String?
  public var version: String?
  /// Wall-clock seconds (stored as MicroTime).
  public var receivedAt: Double
  /// Delivery ids seen recently for this KCD (newest last).
  public var recent: [String]
  /// When the sender signed it (CI callbacks).
  public var signedAt: Double?
  /// The newest signing time of any CI callback taken for this KCD, kept across requests of
  /// other sources (a rollback, a registry event): an older callback is never news.
  public var latestSignedAt: Double?

  /// `previous`: the request this one replaces (what it remembers carries over).
  public init(event: ImageEvent, recent: [String], previous: RequestedRollout? = nil) {
    id = event.deliveryID
    source = event.source
    repository = event.repository
    tag = event.tag
    digest = event.digest
    version = event.version
    receivedAt = event.receivedAt
    signedAt = event.signedAt
    latestSignedAt = [previous?.latestSignedAt ?? previous?.signedAt, event.signedAt].compactMap { $0 }.max()
    self.recent = Array((recent + [event.deliveryID]).suffix(RequestedRollout.recentLimit))
  }

  public init?(kcd: JSON) {
    guard let text = kcd["metadata"]["annotations"][RequestedRollout.annotation].stringValue else { return nil }
    self.init(annotation: text)
  }

  /// From the annotation's text; nil when absent or unreadable.
  public init?(annotation text: String) {
    guard text.utf8.count <= RequestedRollout.maximumAnnotationBytes, let j = try? JSON.parse(text),
      let id = j["id"].stringValue, let source = j["source"].stringValue, let repository = j["repository"].stringValue
    else { return nil }
    self.id = id
    self.source = source
    self.repository = repository
    tag = j["tag"].stringValue
    digest = j["digest"].stringValue
    version = j["version"].stringValue
    receivedAt = j["receivedAt"].stringValue.flatMap(Timestamps.parse) ?? 0
    recent = j["recent"].arrayValue?.compactMap(\.stringValue) ?? []
    signedAt = j["signedAt"].doubleValue
    latestSignedAt = j["latestSignedAt"].doubleValue
  }

  public var json: JSON {
    var j: JSON = ["id": .string(id), "source": .string(source), "repository": .string(repository),
                   "receivedAt": .string(Timestamps.microTime(receivedAt)), "recent": .array(recent.map { .string($0) })]
    if let tag { j["tag"] = .string(tag) }
    if let digest { j["digest"] = .string(digest) }
    if let version { j["version"] = .string(version) }
    if let signedAt { j["signedAt"] = .double(signedAt) }
    if let latestSignedAt, latestSignedAt != signedAt { j["latestSignedAt"] = .double(latestSignedAt) }
    return j
  }
}
