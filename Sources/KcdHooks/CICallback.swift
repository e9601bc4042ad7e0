import KcdJSON

/// `POST /hooks/ci`: a JSON body `{"repository","tag","digest"?,"version"?,"kcd"?}` from a CI
/// job after it pushed an image, authenticated by a Standard Webhooks signature or, when OIDC
/// issuers are configured, by `Authorization: Bearer <ID token>` (see `OIDCVerifier`; a bearer
/// token is then checked instead of any signature).
public struct CICallback: Sendable {
  public let keys: [StandardWebhooks.Key]
  public let oidc: OIDCVerifier?

  public init(keys: [StandardWebhooks.Key], oidc: OIDCVerifier? = nil) {
    self.keys = keys
    self.oidc = oidc
  }

  /// Authenticates first (nothing is parsed before the signature or token holds), then validates.
  public func event(
    headers: (String) -> String?, body: [UInt8], now: Double
  ) throws(HookRejection) -> ImageEvent {
    if let oidc, let token = OIDCVerifier.bearer(headers("authorization")) {
      let identity = try oidc.verify(token, now: now)
      var event = try CICallback.parse(body, deliveryID: identity.replayKey, now: now)
      // Spent only once the whole request is valid: a malformed body does not use the token up.
      try oidc.use(identity, now: now)
      event.signedAt = identity.times.issuedAt ?? now
      event.scope = identity.scope
      return event
    }
    let id = headers("webhook-id")
    if let id, id.utf8.count > ImageEvent.maximumDeliveryIDLength {
      throw .malformed("webhook-id is longer than \(ImageEvent.maximumDeliveryIDLength) bytes")
    }
    try StandardWebhooks.verify(keys: keys, id: id, timestamp: headers("webhook-timestamp"), signatures: headers("webhook-signature"), body: body, now: now)
    var event = try CICallback.parse(body, deliveryID: id ?? "", now: now)
    event.signedAt = headers("webhook-timestamp").flatMap(Double.init)
    return event
  }

  /// The callback body of an authenticated request.
  static func parse(_ body: [UInt8], deliveryID: String, now: Double) throws(HookRejection) -> ImageEvent {
    let json: JSON
    do { json = try JSON.parse(body) } catch { throw .malformed("body is not valid JSON: \(error)") }
    guard case .object = json else { throw .malformed("body must be a JSON object") }
    guard let repository = json["repository"].stringValue, RepositoryName.isValid(repository) else {
      throw .malformed("repository is missing or not a valid repository name")
    }
    guard let tag = json["tag"].stringValue, RepositoryName.isValidTag(tag) else {
      throw .malformed("tag is missing or not a valid tag")
    }
    let digest = json["digest"].stringValue
    if let d = digest, !RepositoryName.isValidDigest(d) { throw .malformed("digest must be sha256: followed by 64 hex digits") }
    let version = json["version"].stringValue
    if let v = version, !RepositoryName.isValidTag(v) { throw .malformed("version must be a valid tag") }
    let target = json["kcd"].stringValue
    if let t = target {
      let parts = t.split(separator: "/", omittingEmptySubsequences: false)
      guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw .malformed("kcd must be namespace/name") }
    }
    for key in ["digest", "version", "kcd"] where !json[key].isNull && json[key].stringValue == nil {
      throw .malformed("\(key) must be a string")
    }
    if !json["rollback"].isNull && json["rollback"].boolValue == nil { throw .malformed("rollback must be true or false") }
    var event = ImageEvent(repository: RepositoryName.normalize(repository), tag: tag, digest: digest, version: version, source: "ci",
                           deliveryID: deliveryID, receivedAt: now, target: target)
    event.movesBack = json["rollback"].boolValue ?? false
    return event
  }
}
