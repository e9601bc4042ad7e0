import KcdJSON

/// A request as `--dry-run` prints it: when it would be made, the method and URL, the headers
/// and the JSON body, with every secret already replaced by its placeholder.
struct ShownRequest: Sendable {
  /// `always`, `when the policy is missing`, …
  let when: String
  let method: String
  let url: String
  let headers: [(name: String, value: String)]
  let body: JSON?

  var text: String {
    var lines = ["# \(when)", "\(method) \(url)"] + headers.map { "\($0.name): \($0.value)" }
    if let body { lines += ["", body.text] }
    return lines.joined(separator: "\n")
  }

  /// The dry run's whole output.
  static func listing(_ requests: [ShownRequest], source: String) -> String {
    "Dry run for --source \(source): no request is made. Without --dry-run kcd would make these, in order:\n\n"
      + requests.map(\.text).joined(separator: "\n\n")
  }
}
