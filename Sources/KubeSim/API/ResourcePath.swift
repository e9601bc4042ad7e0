/// A request path under `/api` or `/apis`, split into what it addresses.
struct ResourcePath: Equatable {
  var group: String
  var version: String
  /// nil for discovery of the group version itself.
  var plural: String?
  var namespace: String?
  var name: String?
  var subresource: String?

  /// Parses `/api/v1/...` and `/apis/{group}/{version}/...`; nil for anything else.
  static func parse(_ segments: [Substring]) -> ResourcePath? {
    var rest: ArraySlice<Substring>
    var p = ResourcePath(group: "", version: "")
    if segments.first == "api" {
      guard segments.count >= 2 else { return nil }
      p.version = String(segments[1])
      rest = segments[2...]
    } else if segments.first == "apis" {
      guard segments.count >= 3 else { return nil }
      p.group = String(segments[1])
      p.version = String(segments[2])
      rest = segments[3...]
    } else {
      return nil
    }
    let r = Array(rest)
    if r.isEmpty { return p }
    if r[0] == "namespaces" && r.count >= 3 && !(r.count == 3 && (r[2] == "status" || r[2] == "finalize")) {
      p.namespace = String(r[1])
      p.plural = String(r[2])
      if r.count > 3 { p.name = String(r[3]) }
      if r.count > 4 { p.subresource = String(r[4]) }
      if r.count > 5 { return nil }
    } else {
      p.plural = String(r[0])
      if r.count > 1 { p.name = String(r[1]) }
      if r.count > 2 { p.subresource = String(r[2]) }
      if r.count > 3 { return nil }
    }
    return p
  }
}
