import KcdController
import KcdHooks
import KcdJSON

/// `checks:` in kcd's config file (docs/verification.md, "Who can make kcd do what"): what
/// KCD editors may make kcd do when their KCDs ask for checks. A list left out allows anything;
/// a list given (even empty) allows only what it names. Fail closed: an unknown setting, a list
/// written without a value, a URL prefix that is not an http(s) URL, or an image that is not a
/// repository name stops kcd.
///
/// ```yaml
/// checks:
///   webhookURLs: [https://verify.example.com/kcd/]   # Webhook checks POST only under these
///   images: [registry.example/tools/]                # Image checks run only these repositories (a trailing / : any under it)
///   commands: false                                  # with images set, a check may not give its own command or args
///   serviceAccounts: [kcd-checks]                    # and only as these (a check naming none runs without a token)
/// ```
extension KcdConfig {
  static let checkKeys = ["webhookURLs", "images", "commands", "serviceAccounts"]

  static func parseChecks(_ json: JSON, source: String) throws(UsageError) -> CheckAllowList {
    guard !json.isNull else { return .any }
    guard let fields = json.objectValue else { throw UsageError("\(source): checks must be a mapping") }
    for key in fields.keys.sorted() where !checkKeys.contains(key) {
      throw UsageError("\(source): checks: unknown setting \"\(key)\" (known: \(checkKeys.joined(separator: ", ")))")
    }
    func strings(_ key: String) throws(UsageError) -> [String]? {
      guard let value = fields[key] else { return nil }
      // `webhookURLs:` with nothing after it is null: refused, not read as "not set" (which allows anything).
      guard let list = value.arrayValue else { throw UsageError("\(source): checks.\(key) must be a list (write [] to allow none)") }
      var out: [String] = []
      for (i, item) in list.enumerated() {
        guard let s = item.stringValue, !s.isEmpty else { throw UsageError("\(source): checks.\(key)[\(i)] must be a non-empty string") }
        out.append(s)
      }
      return out
    }
    var urls: [CheckURL]?
    if let list = try strings("webhookURLs") {
      urls = []
      for (i, s) in list.enumerated() {
        guard let url = CheckURL(s), !s.contains("?"), !s.contains("#") else {
          throw UsageError("\(source): checks.webhookURLs[\(i)] must be an http or https URL prefix without query, fragment or dot segments")
        }
        urls?.append(url)
      }
    }
    let images = try strings("images")
    for (i, s) in (images ?? []).enumerated() {
      let name = s.hasSuffix("/") ? s + "x" : s
      guard RepositoryName.isValid(name) else { throw UsageError("\(source): checks.images[\(i)] must be a repository name, or a prefix ending with /") }
    }
    var commands = false
    if let value = fields["commands"] {
      guard let b = value.boolValue else { throw UsageError("\(source): checks.commands must be true or false") }
      commands = b
    }
    return CheckAllowList(webhookURLs: urls, images: images, commands: commands, serviceAccounts: try strings("serviceAccounts"))
  }
}
