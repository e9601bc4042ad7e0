import KcdCore

/// `GET /`: the dashboard, complete without JavaScript (filters are a plain form); the script
/// (`/dashboard.js`, same origin, the only one the Content-Security-Policy allows) refreshes the
/// tables from `/api/v1/dashboard` every two seconds without reloading the page.
enum DashboardPage {
  static let contentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

  static func render(_ m: DashboardModel) -> String {
    let e = HTML.escape
    var h = """
      <!doctype html>
      <html lang="en">
      <head>
      <meta charset="utf-8">
      <meta name="viewport" content="width=device-width, initial-scale=1">
      <title>kcd</title>
      <link rel="stylesheet" href="/dashboard.css">
      <script src="/dashboard.js" defer></script>
      </head>
      <body>
      <header><h1>kcd</h1><p>Leader: <span id="leader">\(e(m.leader.leader ?? "none yet"))</span> · updated <time id="updated">\(e(Timestamps.rfc3339(m.generatedAt)))</time></p></header>
      <main>
      <form method="get" action="/" aria-label="Filters">
      <label>Namespace <select name="namespace" id="namespace"><option value="">all</option>
      """
    for ns in m.namespaces { h += "<option value=\"\(e(ns))\"\(ns == m.namespace ? " selected" : "")>\(e(ns))</option>" }
    h += "</select></label>\n<label>Status <select name=\"status\" id=\"status\"><option value=\"\">all</option>"
    for st in DashboardModel.statuses { h += "<option value=\"\(st)\"\(st == m.status ? " selected" : "")>\(st)</option>" }
    h += "</select></label>\n<button type=\"submit\">Filter</button>\n</form>\n"
    h += section("Workloads", id: "workloads", head: ["Namespace", "Workload", "Kind", "Container", "KCD", "Version", "Digest", "Status", "Available"],
                 rows: m.workloads.map { w in
                   (key: "\(w.namespace)/\(w.kind)/\(w.name)/\(w.container)", status: w.status,
                    cells: [w.namespace, w.name, w.kind, w.container, w.kcd, w.version ?? "", short(w.digest), w.status ?? "", String(w.availablePods)])
                 })
    h += section("In flight", id: "inflight", head: ["KCD", "Phase", "Version", "Progress", "Since"],
                 rows: m.inFlight.map { f in
                   (key: f.kcd, status: f.phase,
                    cells: [f.kcd, f.phase, f.version, f.progress.map { "\($0.workload): \($0.available)/\($0.replicas) available, \($0.updated) updated" }.joined(separator: "; "),
                            f.since.map(Timestamps.rfc3339) ?? ""])
                 })
    h += section("Recent rollouts", id: "rollouts", head: ["Started", "KCD", "Version", "Digest", "Result", "Trigger", "Approved by"],
                 rows: m.rollouts.map { r in
                   (key: "\(r.kcd)/\(r.record.trigger)", status: r.record.result.rawValue,
                    cells: [Timestamps.rfc3339(r.record.startedAt), r.kcd, r.record.version, short(r.record.digest), r.record.result.rawValue, r.record.trigger,
                            r.record.approvedBy ?? ""])
                 })
    h += section("Failed digests", id: "failed", head: ["KCD", "Digest", "Why"],
                 rows: m.failed.map { (key: $0.kcd, status: "Failed", cells: [$0.kcd, short($0.digest), $0.message]) })
    h += section("Webhook deliveries", id: "deliveries", head: ["At", "Source", "Answer"],
                 rows: m.deliveries.map { d in (key: "", status: nil, cells: [Timestamps.rfc3339(d.at), d.source, String(d.status)]) })
    h += "</main>\n</body>\n</html>\n"
    return h
  }

  static func short(_ digest: String?) -> String {
    guard let d = digest else { return "" }
    return d.hasPrefix("sha256:") ? String(d.prefix(19)) : d
  }

  static func section(_ title: String, id: String, head: [String], rows: [(key: String, status: String?, cells: [String])]) -> String {
    let e = HTML.escape
    var h = "<section aria-labelledby=\"h-\(id)\"><h2 id=\"h-\(id)\">\(title)</h2><div class=\"scroll\"><table>\n<thead><tr>"
    h += head.map { "<th scope=\"col\">\($0)</th>" }.joined() + "</tr></thead>\n<tbody id=\"\(id)\">\n"
    for r in rows {
      h += "<tr data-key=\"\(e(r.key))\"\(r.status.map { " class=\"status-\(e($0.lowercased()))\"" } ?? "")>"
      h += r.cells.map { "<td>\(e($0))</td>" }.joined() + "</tr>\n"
    }
    if rows.isEmpty { h += "<tr class=\"empty\"><td colspan=\"\(head.count)\">none</td></tr>\n" }
    return h + "</tbody></table></div></section>\n"
  }
}
