import KcdJSON

/// A Slack incoming-webhook message: `text` (what notifications and old clients show) and one
/// coloured attachment with Block Kit sections: the result, version, short digest, workloads,
/// approver, the reason of a failure, and a link to the dashboard.
enum SlackMessage {
  static func body(_ o: RolloutOutcome, dashboard: String?) -> JSON {
    let (emoji, colour) = look(o)
    var fields: [JSON] = [field("Version", "`\(escape(o.version))`"), field("Digest", "`\(escape(o.shortDigest))`"),
                          field("Workloads", escape(listed(o.workloads)))]
    if let by = o.approvedBy { fields.append(field("Approved by", escape(by))) }
    if o.result != .success, let before = o.previousVersion { fields.append(field("Last success", "`\(escape(before))`")) }
    var blocks: [JSON] = [section("\(emoji) \(headline(o, bold: true))"), ["type": "section", "fields": .array(fields)]]
    if o.result != .success {
      blocks.append(section("*\(escape(o.reason))*: \(escape(String(o.message.prefix(1500))))"))
    }
    var context = "trigger `\(escape(String(o.trigger.prefix(120))))` · \(Int(max(0, o.finishedAt - o.startedAt))) s"
    if let link = dashboard { context = "<\(link)|Open the dashboard> · " + context }
    blocks.append(["type": "context", "elements": [["type": "mrkdwn", "text": .string(context)]]])
    return ["text": .string("\(emoji) \(headline(o, bold: false))"), "attachments": [["color": .string(colour), "blocks": .array(blocks)]]]
  }

  static func look(_ o: RolloutOutcome) -> (emoji: String, colour: String) {
    switch o.result {
    case .success: return (":white_check_mark:", "#2eb67d")
    case .rolledBack: return (":leftwards_arrow_with_hook:", "#ecb22e")
    default: return (":x:", "#e01e5a")
    }
  }

  static func headline(_ o: RolloutOutcome, bold: Bool) -> String {
    let kcd = bold ? "*\(escape(o.key))*" : escape(o.key)
    let version = "`\(escape(o.version))`"
    switch o.result {
    case .success where o.isExplicitRollback: return "\(kcd) rolled back to \(version)"
    case .success: return "\(kcd) rolled out \(version)"
    case .rolledBack: return "\(kcd): \(version) failed and was rolled back" + (o.previousVersion.map { " to `\(escape($0))`" } ?? "")
    default: return "\(kcd): \(version) failed (\(escape(o.reason)))"
    }
  }

  static func section(_ text: String) -> JSON { ["type": "section", "text": ["type": "mrkdwn", "text": .string(text)]] }

  static func field(_ title: String, _ value: String) -> JSON { ["type": "mrkdwn", "text": .string("*\(title)*\n\(value)")] }

  /// At most ten names, then how many more.
  static func listed(_ names: [String]) -> String {
    guard !names.isEmpty else { return "none" }
    let shown = names.prefix(10).joined(separator: ", ")
    return names.count > 10 ? "\(shown) and \(names.count - 10) more" : shown
  }

  /// Slack's mrkdwn reserves `&`, `<` and `>`.
  static let reserved: [Character: String] = ["&": "&amp;", "<": "&lt;", ">": "&gt;"]

  static func escape(_ s: String) -> String { s.reduce(into: "") { out, c in out += reserved[c] ?? String(c) } }
}
