import KcdCore
import KcdCrypto
import KcdJSON

/// `POST /hooks/gcr`: Google Artifact Registry (and legacy GCR) notifications through a Pub/Sub
/// push subscription, authenticated by the Google-signed OIDC token Pub/Sub sends as
/// `Authorization: Bearer <JWT>` (RS256; `iss` Google, `aud`, `email`, `email_verified`, `exp`).
///
/// - `secrets`: the lines of the `gcr` secret file, `key=value` each:
///   `audience=<aud>` (the push subscription's audience, by default the push endpoint URL),
///   `email=<service account>` (the subscription's push identity), and optionally
///   `jwks=<path or URL>` naming where the caller loads Google's keys from (see
///   `GCRHook.Settings.keysLocation`; this type never reads it). Several `audience` or `email`
///   lines are alternatives (rotation). Blank lines and `#` comments are ignored.
/// - `keys`: the current verification keys, e.g. `JWT.KeySet(document:)` of
///   `https://www.googleapis.com/oauth2/v3/certs`; called per request so the caller can refresh
///   a cached set. A throw answers 503 (Pub/Sub redelivers).
///
/// `INSERT` with a tag becomes a push event, `DELETE` a delete event; `messageId` is the
/// delivery id.
public struct GCRHook: HookSource {
  public var name: String { "gcr" }

  /// The parsed secret file.
  public struct Settings: Sendable, Equatable {
    public var audiences: [String] = []
    public var emails: [String] = []
    public var keysLocation: String?
    public static let googleKeys = "https://www.googleapis.com/oauth2/v3/certs"

    public init(lines: [String]) {
      for raw in lines {
        let line = raw.trimmingSpaces()
        guard !line.isEmpty, !line.hasPrefix("#"), let eq = line.firstIndex(of: "=") else { continue }
        let key = String(line[..<eq]).trimmingSpaces().lowercased(), value = String(line[line.index(after: eq)...]).trimmingSpaces()
        guard !value.isEmpty else { continue }
        switch key {
        case "audience", "aud": audiences.append(value)
        case "email": emails.append(value)
        case "jwks", "keys": keysLocation = value
        default: continue
        }
      }
    }

    /// Where to load the key set from: the `jwks=` line, else Google's JWKS endpoint.
    public var keysURL: String { keysLocation ?? Self.googleKeys }
  }

  let settings: Settings
  let keys: @Sendable () throws -> JWT.KeySet

  public init(secrets: [String], keys: @escaping @Sendable () throws -> JWT.KeySet) {
    settings = Settings(lines: secrets)
    self.keys = keys
  }

  public init(secrets: [String], keySet: JWT.KeySet) {
    self.init(secrets: secrets, keys: { keySet })
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    try authenticate(request)
    let envelope = try HookParsing.object(request.body)
    let message = envelope["message"]
    guard let id = message["messageId"].stringValue ?? message["message_id"].stringValue, !id.isEmpty else {
      throw .malformed("the Pub/Sub message has no messageId")
    }
    guard let data = message["data"].stringValue, let decoded = Base64.decode(data) else { throw .malformed("message.data is not base64") }
    let notification = try HookParsing.object(decoded, what: "message.data")
    return try convert(notification, deliveryID: id, now: request.now)
  }

  func authenticate(_ request: HookRequest) throws(HookRejection) {
    guard !settings.audiences.isEmpty, !settings.emails.isEmpty else {
      throw HookRejection(500, "the gcr hook secret needs audience= and email= lines")
    }
    guard let header = request.header("authorization") else { throw .unauthorized("missing Authorization header") }
    let parts = header.trimmingSpaces().split(separator: " ", maxSplits: 1)
    guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .unauthorized("Authorization is not a Bearer token") }
    let keySet: JWT.KeySet
    do { keySet = try keys() } catch { throw HookRejection(503, "the Google verification keys are not available; retry later") }
    do {
      _ = try JWT.verify(String(parts[1]).trimmingSpaces(), keys: keySet, expect: .google(audiences: settings.audiences, emails: settings.emails),
                         now: request.now)
    } catch {
      throw .unauthorized("the OIDC token is not accepted: \(error.message)")
    }
  }

  /// `{"action":"INSERT","digest":"host/path@sha256:…","tag":"host/path:tag"}`: both are full
  /// references and must name the same repository.
  func convert(_ notification: JSON, deliveryID: String, now: Double) throws(HookRejection) -> HookOutcome {
    let action: ImageEvent.Action
    switch notification["action"].stringValue {
    case "INSERT": action = .push
    case "DELETE": action = .delete
    default: return HookParsing.ignored("Artifact Registry action ignored")
    }
    let tagRef = notification["tag"].stringValue.flatMap { $0.isEmpty ? nil : HookParsing.reference($0) }
    let digestRef = notification["digest"].stringValue.flatMap { $0.isEmpty ? nil : HookParsing.reference($0) }
    if action == .push, tagRef == nil { return HookParsing.ignored("push without a tag; ignored") }
    guard let repository = tagRef?.repository ?? digestRef?.repository, !repository.isEmpty else {
      throw .malformed("the notification names no image")
    }
    if let t = tagRef, let d = digestRef, RepositoryName.normalize(t.repository) != RepositoryName.normalize(d.repository) {
      throw .malformed("tag and digest name different repositories")
    }
    if let t = tagRef, t.tag == nil || t.digest != nil { throw .malformed("tag is not a repository:tag reference") }
    if let d = digestRef, d.digest == nil { throw .malformed("digest is not a repository@digest reference") }
    return .events([try HookParsing.event(repository: repository, tag: tagRef?.tag, digest: digestRef?.digest, action: action, source: "gcr",
                                          deliveryID: deliveryID, now: now)])
  }
}
