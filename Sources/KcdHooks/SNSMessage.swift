import KcdCore
import KcdCrypto
import KcdJSON

/// One Amazon SNS HTTP(S) delivery (the JSON envelope), with the string SNS signed.
struct SNSMessage: Sendable {
  enum Kind: String, Sendable { case notification = "Notification", subscriptionConfirmation = "SubscriptionConfirmation", unsubscribeConfirmation = "UnsubscribeConfirmation" }

  /// The envelope's string members, JSON escapes decoded (the signature covers decoded values).
  let fields: [String: String]
  let kind: Kind
  let hash: RSAVerifier.Hash
  let signature: [UInt8]
  let signingCertURL: PayloadURL

  var messageID: String { fields["MessageId"] ?? "" }
  var topicARN: String { fields["TopicArn"] ?? "" }
  var message: String { fields["Message"] ?? "" }

  /// Parses the envelope and checks everything that can be checked before any network access:
  /// the signature version and the signing certificate URL (https, an SNS host, a `.pem` path).
  init(body: [UInt8]) throws(HookRejection) {
    guard let json = try? JSON.parse(body), let object = json.objectValue else { throw .malformed("the SNS message is not a JSON object") }
    var fields: [String: String] = [:]
    for (key, value) in object { if let s = value.stringValue { fields[key] = s } }
    guard let type = fields["Type"], let kind = Kind(rawValue: type) else { throw .malformed("unknown SNS message Type") }
    for key in ["MessageId", "TopicArn", "Message", "Timestamp", "Signature", "SigningCertURL"] where (fields[key] ?? "").isEmpty {
      throw .malformed("the SNS message has no \(key)")
    }
    if kind != .notification, (fields["SubscribeURL"] ?? "").isEmpty || (fields["Token"] ?? "").isEmpty {
      throw .malformed("the SNS confirmation has no SubscribeURL or Token")
    }
    switch fields["SignatureVersion"] {
    case "1": hash = .sha1
    case "2": hash = .sha256
    default: throw .unauthorized("unsupported SNS SignatureVersion")
    }
    guard let signature = Base64.decode(fields["Signature"] ?? ""), !signature.isEmpty else { throw .unauthorized("the SNS Signature is not base64") }
    guard let url = PayloadURL(fields["SigningCertURL"] ?? ""), url.scheme == "https", url.isSNSHost, url.path.hasSuffix(".pem"), url.query.isEmpty else {
      throw .unauthorized("SigningCertURL is not an https .pem URL on an SNS host")
    }
    self.fields = fields
    self.kind = kind
    self.signature = signature
    self.signingCertURL = url
  }

  /// `key\nvalue\n` for each signed key present, in SNS's order (§2.4 of the reference).
  var stringToSign: [UInt8] {
    let keys = kind == .notification
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"]
    var out: [UInt8] = []
    for key in keys {
      guard let value = fields[key] else { continue }
      out += Array(key.utf8); out.append(10)
      out += Array(value.utf8); out.append(10)
    }
    return out
  }

  func verifySignature(with verifier: RSAVerifier) throws(HookRejection) {
    guard verifier.verify(signature, message: stringToSign, hash: hash) else { throw .unauthorized("the SNS signature does not verify") }
  }

  /// SNS retries for at most an hour; older messages are replays. A little skew either way.
  func checkTimestamp(now: Double, maximumAge: Double, skew: Double = 300) throws(HookRejection) {
    guard let sent = Timestamps.parse(fields["Timestamp"] ?? "") else { throw .unauthorized("the SNS Timestamp is not RFC 3339") }
    if now - sent > maximumAge + skew { throw .unauthorized("the SNS message is too old") }
    if sent - now > skew { throw .unauthorized("the SNS Timestamp is in the future") }
  }

  /// The `SubscribeURL` when it is safe to request: https on an SNS host, no user info or port,
  /// asking to confirm a subscription.
  func subscribeURL() throws(HookRejection) -> String {
    let text = fields["SubscribeURL"] ?? ""
    guard let url = PayloadURL(text), url.scheme == "https", url.isSNSHost,
          url.query.split(separator: "&").contains("Action=ConfirmSubscription") else {
      throw .unauthorized("SubscribeURL is not an https SNS ConfirmSubscription URL")
    }
    return text
  }
}
