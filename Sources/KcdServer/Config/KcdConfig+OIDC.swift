import KcdHooks
import KcdJSON

/// `oidc:` in kcd's config file (docs/oidc.md): the issuers whose ID tokens authenticate CI
/// callbacks (`POST /hooks/ci` with `Authorization: Bearer <token>`). Fail closed: an unknown
/// setting, a missing audience, no claim rule, or a rule that does not compile stops kcd.
///
/// ```yaml
/// oidc:
///   - issuer: https://token.actions.githubusercontent.com
///     audience: https://kcd.example.com
///     claims:                                   # every rule must hold
///       repository: acme/shop                   # exact
///       ref: {glob: "refs/heads/*"}             # glob: * any run, ? one character
///       environment: [staging, production]      # any of
///       job_workflow_ref: {pattern: "acme/shop/\\.github/workflows/deploy\\.yml@.*"}  # regular expression, whole value
///     kcds:                                     # optional: the KCDs this identity may roll out
///       - {namespace: shop, name: "web*"}
///     caFile: /etc/kcd/oidc/ca.pem              # optional: CA bundle for discovery and JWKS
///     refreshSeconds: 30                        # optional: at most one key refresh per this many seconds
/// ```
extension KcdConfig {
  static let issuerKeys: Set<String> = ["issuer", "audience", "claims", "kcds", "caFile", "refreshSeconds"]

  static func parseOIDC(_ json: JSON, source: String) throws(UsageError) -> [OIDCIssuer] {
    guard !json.isNull else { return [] }
    guard let list = json.arrayValue else { throw UsageError("\(source): oidc must be a list of issuers") }
    var issuers: [OIDCIssuer] = []
    for (i, item) in list.enumerated() {
      let issuer = try parseIssuer(item, at: "\(source): oidc[\(i)]")
      if issuers.contains(where: { $0.issuer == issuer.issuer }) { throw UsageError("\(source): oidc[\(i)]: the issuer \(issuer.issuer) is listed twice") }
      issuers.append(issuer)
    }
    return issuers
  }

  static func parseIssuer(_ j: JSON, at place: String) throws(UsageError) -> OIDCIssuer {
    guard let fields = j.objectValue else { throw UsageError("\(place) must be a mapping") }
    for key in fields.keys.sorted() where !issuerKeys.contains(key) {
      throw UsageError("\(place): unknown setting \"\(key)\" (known: \(issuerKeys.sorted().joined(separator: ", ")))")
    }
    guard let url = j["issuer"].stringValue, url.hasPrefix("https://"), url.count > 8 else {
      throw UsageError("\(place): issuer is required: the issuer's https URL, exactly as its tokens' iss says")
    }
    let at = "\(place) (\(url))"
    guard let audience = j["audience"].stringValue, !audience.isEmpty else {
      throw UsageError("\(at): audience is required (the aud kcd's tokens are requested for)")
    }
    guard let ruleFields = j["claims"].objectValue, !ruleFields.isEmpty else {
      throw UsageError("\(at): claims needs at least one rule (an issuer such as GitHub's signs tokens for every repository)")
    }
    var rules: [ClaimRule] = []
    for name in ruleFields.keys.sorted() {
      rules.append(ClaimRule(claim: name, matcher: try matcher(j["claims"][name], at: "\(at): claims.\(name)", globOnly: false)))
    }
    var issuer = OIDCIssuer(issuer: url, audience: audience, claims: rules)
    if !j["kcds"].isNull {
      guard let list = j["kcds"].arrayValue, !list.isEmpty else { throw UsageError("\(at): kcds must be a non-empty list of {namespace, name}") }
      var entries: [KCDScope.Entry] = []
      for (i, e) in list.enumerated() {
        let here = "\(at): kcds[\(i)]"
        for key in (e.objectValue ?? [:]).keys.sorted() where key != "namespace" && key != "name" {
          throw UsageError("\(here): unknown setting \"\(key)\" (known: name, namespace)")
        }
        guard !e["namespace"].isNull else { throw UsageError("\(here): namespace is required (a name or a glob)") }
        let name = e["name"].isNull ? JSON.string("*") : e["name"]
        entries.append(KCDScope.Entry(namespace: try matcher(e["namespace"], at: "\(here).namespace", globOnly: true),
                                      name: try matcher(name, at: "\(here).name", globOnly: true)))
      }
      issuer.kcds = KCDScope(entries: entries)
    }
    if !j["caFile"].isNull {
      guard let file = j["caFile"].stringValue, !file.isEmpty else { throw UsageError("\(at): caFile must be a file path") }
      issuer.caFile = file
    }
    issuer.refreshSeconds = try number(j["refreshSeconds"], issuer.refreshSeconds, 1...3600, "refreshSeconds", at)
    return issuer
  }

  /// A string (exact, or a glob where only globs are taken), a list of strings (any of), or
  /// `{glob: …}` / `{pattern: …}`.
  static func matcher(_ j: JSON, at place: String, globOnly: Bool) throws(UsageError) -> ValueMatcher {
    do {
      switch j {
      case .string(let s) where !s.isEmpty:
        return globOnly ? try ValueMatcher.glob(s) : .oneOf([s])
      case .array(let items) where !globOnly && !items.isEmpty:
        let values = items.compactMap(\.stringValue).filter { !$0.isEmpty }
        guard values.count == items.count else { throw UsageError("\(place): a list holds non-empty strings only") }
        return .oneOf(values)
      case .object(let o) where !globOnly && o.count == 1:
        if let g = o["glob"]?.stringValue, !g.isEmpty { return try ValueMatcher.glob(g) }
        if let p = o["pattern"]?.stringValue, !p.isEmpty { return try ValueMatcher.regex(p) }
        throw UsageError("\(place): a rule mapping is {glob: \"…\"} or {pattern: \"…\"}")
      default:
        throw UsageError(globOnly ? "\(place) must be a non-empty name or glob"
                         : "\(place) must be a string, a list of strings, {glob: \"…\"} or {pattern: \"…\"}")
      }
    } catch let error as UsageError {
      throw error
    } catch {
      throw UsageError("\(place): \(error)")
    }
  }
}
