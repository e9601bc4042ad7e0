import KcdCrypto
import KcdJSON

/// `POST /hooks/ecr`: Amazon ECR "ECR Image Action" events, delivered either by an EventBridge
/// API destination (authenticated by a shared secret in a header) or by an SNS HTTPS
/// subscription (authenticated by SNS's RSA signature), told apart by `x-amz-sns-message-type`.
///
/// - `secrets`: the lines of the `ecr` secret file, each an accepted EventBridge credential:
///   the Connection's API key sent as `Authorization: Bearer <secret>`, as the whole
///   `Authorization` or `x-api-key` value, or the Basic-auth password. SNS deliveries need none
///   (an empty file enables SNS only).
/// - `fetch`: GETs a URL and returns the body, throwing on transport errors and non-2xx
///   answers (HTTPS with normal certificate verification, no redirects). Used for the SNS
///   signing certificate, its issuer (AIA, only from `*.amazontrust.com`) and `SubscribeURL`;
///   every URL is validated first.
/// - `allowedTopicARNs`: when set, SNS messages from other topics are refused.
/// - `extraTrustAnchors`: certificates trusted in addition to the system CA store when checking
///   the SNS signing certificate's chain (a private CA, or a pinned certificate; parse a PEM
///   bundle with `Certificate.all(pem:)`).
/// - `certificateCache`: verified signing certificates by URL; shared by default.
/// - `maximumMessageAge`: SNS `Timestamp` window (SNS stops retrying after an hour).
public struct ECRHook: HookSource {
  public var name: String { "ecr" }

  let secrets: SharedSecrets
  let certificates: SNSCertificateCheck
  let fetch: @Sendable (String) throws -> [UInt8]
  let allowedTopicARNs: Set<String>?
  let maximumMessageAge: Double

  public init(
    secrets: [String],
    fetch: @escaping @Sendable (String) throws -> [UInt8],
    allowedTopicARNs: Set<String>? = nil,
    extraTrustAnchors: [Certificate] = [],
    certificateCache: SNSCertificateCache = .shared,
    maximumMessageAge: Double = 3600
  ) {
    self.secrets = SharedSecrets(secrets, source: "ecr")
    self.fetch = fetch
    self.certificates = SNSCertificateCheck(fetch: fetch, anchors: Certificate.TrustAnchors(useSystemStore: true, extra: extraTrustAnchors), cache: certificateCache)
    self.allowedTopicARNs = allowedTopicARNs
    self.maximumMessageAge = maximumMessageAge
  }

  public func handle(_ request: HookRequest) throws(HookRejection) -> HookOutcome {
    guard request.pathRest.isEmpty else { throw HookRejection(404, "no such hook") }
    if let type = request.header("x-amz-sns-message-type") { return try sns(request, headerType: type) }
    if request.header("x-amz-sns-rawdelivery") != nil { throw .unauthorized("SNS raw message delivery carries no signature") }
    try secrets.authenticateHeader(request)
    let event = try HookParsing.object(request.body)
    guard let id = event["id"].stringValue, !id.isEmpty else { throw .malformed("the EventBridge event has no id") }
    return try Self.imageAction(event, deliveryID: id, now: request.now)
  }

  /// Verifies an SNS delivery (signature, certificate, time, topic) before reading it.
  func sns(_ request: HookRequest, headerType: String) throws(HookRejection) -> HookOutcome {
    let message = try SNSMessage(body: request.body)
    // The topic first: an unauthenticated request for a topic nobody listed must not make kcd
    // fetch anything (the signing certificate is fetched only for allowed topics).
    if let allowed = allowedTopicARNs, !allowed.contains(message.topicARN) {
      throw .unauthorized("the SNS topic is not allowed (list it as topic=<arn> in the ecr secret file)")
    }
    let verifier = try certificates.verifier(for: message.signingCertURL, text: message.fields["SigningCertURL"] ?? "", now: request.now)
    try message.verifySignature(with: verifier)
    try message.checkTimestamp(now: request.now, maximumAge: maximumMessageAge)
    guard headerType == message.kind.rawValue else { throw .malformed("x-amz-sns-message-type does not match the message Type") }
    switch message.kind {
    case .subscriptionConfirmation:
      let url = try message.subscribeURL()
      do { _ = try fetch(url) } catch { throw HookRejection(503, "cannot confirm the SNS subscription right now; retry") }
      return .reply(status: 200, message: "SNS subscription confirmed")
    case .unsubscribeConfirmation:
      return .reply(status: 200, message: "SNS unsubscribe confirmation noted")
    case .notification:
      guard let event = try? JSON.parse(Array(message.message.utf8)), event.objectValue != nil else {
        throw .malformed("the SNS Message is not an EventBridge event")
      }
      // The topic's owner must be the account the event speaks for: an allowed topic that
      // relays another account's events is not evidence about that account's registry.
      let topicAccount = message.topicARN.split(separator: ":", omittingEmptySubsequences: false).dropFirst(4).first.map(String.init)
      if let account = event["account"].stringValue, account != topicAccount {
        throw .unauthorized("the SNS topic's account does not match the event's account")
      }
      return try Self.imageAction(event, deliveryID: message.messageID, now: request.now)
    }
  }

  /// An EventBridge event: "ECR Image Action" pushes and deletes that succeeded become
  /// events; anything else is authentic but ignored.
  static func imageAction(_ event: JSON, deliveryID: String, now: Double) throws(HookRejection) -> HookOutcome {
    guard event["source"].stringValue == "aws.ecr", event["detail-type"].stringValue == "ECR Image Action" else {
      return HookParsing.ignored("not an ECR Image Action event; ignored")
    }
    let detail = event["detail"]
    guard detail.objectValue != nil else { throw .malformed("the ECR event has no detail") }
    let action: ImageEvent.Action
    switch detail["action-type"].stringValue {
    case "PUSH": action = .push
    case "DELETE": action = .delete
    default: return HookParsing.ignored("ECR action ignored")
    }
    guard detail["result"].stringValue == "SUCCESS" else { return HookParsing.ignored("ECR action did not succeed; ignored") }
    guard let account = event["account"].stringValue, account.utf8.count == 12, account.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
          let region = event["region"].stringValue, !region.isEmpty,
          region.utf8.allSatisfy({ ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == 45 }) else {
      throw .malformed("the ECR event has no valid account or region")
    }
    guard let name = detail["repository-name"].stringValue, !name.isEmpty else { throw .malformed("the ECR event has no repository-name") }
    let tag = detail["image-tag"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    let digest = detail["image-digest"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
    if action == .push {
      guard digest != nil else { throw .malformed("the ECR push event has no image-digest") }
      // Child manifests of a multi-arch push arrive by digest without a tag; the index follows with it.
      guard tag != nil else { return HookParsing.ignored("ECR push without a tag; ignored") }
    }
    let domain = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
    let repository = "\(account).dkr.ecr.\(region).\(domain)/\(name)"
    return .events([try HookParsing.event(repository: repository, tag: tag, digest: digest, action: action, source: "ecr",
                                          deliveryID: deliveryID, now: now)])
  }
}
