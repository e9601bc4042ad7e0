import KcdController
import KcdJSON

/// `notifications:` and `dashboardURL` in kcd's config file (docs/notifications.md):
///
/// ```yaml
/// dashboardURL: https://kcd.example/
/// notifications:
///   - name: deploys                  # [a-z0-9._-], unique; the metric label and what kcd.dev/notify names
///     kind: slack                    # slack | webhook | cdevents
///     urlFile: /etc/kcd/slack/url    # the Slack URL is a secret: only from a file
///     events: [failed, rolledBack]   # default: success, failed, rolledBack
///   - {name: audit, kind: webhook, url: "https://audit.example/kcd", keyFile: /etc/kcd/audit/key, scope: named}
///   - {name: events, kind: cdevents, url: "http://sink.example/", source: /kcd/prod-1, environment: prod}
/// ```
extension KcdConfig {
  static let receiverKeys: Set<String> = ["name", "kind", "url", "urlFile", "keyFile", "source", "environment", "events", "scope", "timeoutSeconds",
                                          "attempts", "retryBaseSeconds"]

  static func parseNotifications(_ json: JSON, source: String) throws(UsageError) -> NotificationSettings {
    var settings = NotificationSettings()
    if !json["dashboardURL"].isNull {
      guard let d = json["dashboardURL"].stringValue, d.hasPrefix("https://") || d.hasPrefix("http://") else {
        throw UsageError("\(source): dashboardURL must be an http(s) URL")
      }
      settings.dashboardURL = d
    }
    guard !json["notifications"].isNull else { return settings }
    guard let list = json["notifications"].arrayValue else { throw UsageError("\(source): notifications must be a list of receivers") }
    for (i, item) in list.enumerated() {
      let r = try parseReceiver(item, at: "\(source): notifications[\(i)]")
      if settings.receivers.contains(where: { $0.name == r.name }) { throw UsageError("\(source): notifications[\(i)]: the name \(r.name) is taken") }
      settings.receivers.append(r)
    }
    return settings
  }

  static func parseReceiver(_ j: JSON, at place: String) throws(UsageError) -> NotificationReceiver {
    guard let fields = j.objectValue else { throw UsageError("\(place) must be a mapping") }
    for key in fields.keys.sorted() where !receiverKeys.contains(key) {
      throw UsageError("\(place): unknown setting \"\(key)\" (known: \(receiverKeys.sorted().joined(separator: ", ")))")
    }
    guard let name = j["name"].stringValue, !name.isEmpty, name.count <= 63,
      name.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D || $0 == 0x2E || $0 == 0x5F })
    else { throw UsageError("\(place): name is required: lower-case letters, digits, '-', '.', '_' (at most 63)") }
    let at = "\(place) (\(name))"
    guard let kind = j["kind"].stringValue.flatMap(NotificationReceiver.Kind.init(rawValue:)) else {
      throw UsageError("\(at): kind must be one of \(NotificationReceiver.Kind.allCases.map(\.rawValue).joined(separator: ", "))")
    }
    var r = NotificationReceiver(name: name, kind: kind)
    r.url = j["url"].stringValue
    r.urlFile = j["urlFile"].stringValue
    guard (r.url == nil) != (r.urlFile == nil) else { throw UsageError("\(at): give url or urlFile (one of them)") }
    if kind == .slack && r.url != nil {
      throw UsageError("\(at): a Slack webhook URL is a secret: put it in a file and name it with urlFile")
    }
    if let url = r.url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) { throw UsageError("\(at): url must be an http(s) URL") }
    r.keyFile = j["keyFile"].stringValue
    if kind == .webhook && r.keyFile == nil { throw UsageError("\(at): a webhook receiver signs its messages: name the Standard Webhooks key with keyFile") }
    if kind != .webhook && r.keyFile != nil { throw UsageError("\(at): keyFile is only for kind webhook") }
    for key in ["source", "environment"] where !j[key].isNull {
      guard kind == .cdevents else { throw UsageError("\(at): \(key) is only for kind cdevents") }
      guard let v = j[key].stringValue, !v.isEmpty, !v.contains(where: { $0 == " " || $0.isNewline }) else {
        throw UsageError("\(at): \(key) must be a non-empty string without spaces")
      }
      if key == "source" { r.source = v } else { r.environment = v }
    }
    if !j["events"].isNull {
      guard let names = j["events"].arrayValue, !names.isEmpty else { throw UsageError("\(at): events must be a non-empty list") }
      r.events = []
      for n in names {
        guard let e = n.stringValue.flatMap({ NotificationReceiver.eventNames[$0] }) else {
          throw UsageError("\(at): events: \(n.text) is not one of \(NotificationReceiver.eventNames.keys.sorted().joined(separator: ", "))")
        }
        r.events.insert(e)
      }
    }
    if !j["scope"].isNull {
      guard let s = j["scope"].stringValue.flatMap(NotificationReceiver.Scope.init(rawValue:)) else { throw UsageError("\(at): scope must be all or named") }
      r.scope = s
    }
    r.timeoutSeconds = try number(j["timeoutSeconds"], r.timeoutSeconds, 0.1...60, "timeoutSeconds", at)
    r.attempts = Int(try number(j["attempts"], Double(r.attempts), 1...20, "attempts", at))
    r.retryBaseSeconds = try number(j["retryBaseSeconds"], r.retryBaseSeconds, 0.01...600, "retryBaseSeconds", at)
    return r
  }

  static func number(_ j: JSON, _ fallback: Double, _ range: ClosedRange<Double>, _ key: String, _ at: String) throws(UsageError) -> Double {
    guard !j.isNull else { return fallback }
    guard let v = j.doubleValue, range.contains(v) else { throw UsageError("\(at): \(key) must be a number from \(range.lowerBound) to \(range.upperBound)") }
    return v
  }
}
