import KcdCore
import KcdCrypto
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdKube

/// `kind: Webhook`: POSTs a JSON description of the candidate, signed with Standard Webhooks
/// (`webhook-id`, `webhook-timestamp`, `webhook-signature` with kcd's verification key), and
/// passes on a 2xx. Anything else fails, with the status and the first line of the body; no
/// answer within the step's timeout fails. The same candidate always gets the same
/// `webhook-id`, so a receiver can recognise a repeat after a restart.
public struct WebhookVerifier: Sendable {
  let key: StandardWebhooks.Key?
  let http: HTTPClient
  /// The URLs kcd's config lets checks POST to (`checks.webhookURLs`).
  let allow: CheckAllowList

  public init(key: StandardWebhooks.Key?, allow: CheckAllowList = .any, http: HTTPClient = HTTPClient(userAgent: "kcd/\(KcdVersion.current) verification")) {
    self.key = key
    self.allow = allow
    self.http = http
  }

  public static func body(_ c: VerificationCandidate) -> JSON {
    ["type": "kcd.verification.v1", "kcd": ["namespace": .string(c.kcd.namespace), "name": .string(c.kcd.name)],
     "repository": .string(c.repository), "image": .string(c.image), "digest": .string(c.digest), "version": .string(c.version),
     "trigger": .string(c.trigger), "workloads": .array(c.workloads.map { .string($0) })]
  }

  public static func messageID(_ c: VerificationCandidate, index: Int, url: String = "") -> String {
    let seed = c.checkSeed(index: index, step: url)
    return "kcdv_" + Digest.hex(Digest.sha256(Array(seed.utf8))).prefix(32)
  }

  public func verify(_ check: VerifyStep.WebhookCheck, index: Int, candidate c: VerificationCandidate) -> VerifyOutcome {
    if let refusal = allow.refusal(url: check.url) { return .failed("not sent: \(refusal)") }
    guard let key else {
      return .failed("kcd has no verification key to sign the request with (--verification-key-file); not sent")
    }
    let body = WebhookVerifier.body(c).serialized()
    let id = WebhookVerifier.messageID(c, index: index, url: check.url)
    let timestamp = String(Int64(Timestamps.now()))
    var request = HTTPClientRequest(method: "POST", url: check.url, body: body)
    request.headers.set("Content-Type", "application/json")
    request.headers.set("webhook-id", id)
    request.headers.set("webhook-timestamp", timestamp)
    request.headers.set("webhook-signature", StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: body))
    request.timeout = Double(check.timeoutSeconds)
    request.connectTimeout = min(10, Double(check.timeoutSeconds))
    request.maximumBodyBytes = 64 * 1024
    let target = WebhookVerifier.displayURL(check.url)
    do {
      let response = try http.send(request)
      if (200..<300).contains(response.status) { return .passed("\(target) answered \(response.status)") }
      let line = WebhookVerifier.firstLine(response.body)
      return .failed("\(target) answered \(response.status)\(line.isEmpty ? "" : ": \(line)")")
    } catch {
      if error.isTimeout { return .failed("\(target) did not answer within \(check.timeoutSeconds) s") }
      return .failed("\(target) could not be reached: \(error.message.prefix(200))")
    }
  }

  /// The URL without its query or user information (either may carry a token).
  static func displayURL(_ url: String) -> String {
    var u = String(url.prefix { $0 != "?" && $0 != "#" })
    if let scheme = u.firstRange(of: "://") {
      let rest = u[scheme.upperBound...]
      let authority = rest.prefix { $0 != "/" }
      if let at = authority.lastIndex(of: "@") { u = String(u[..<scheme.upperBound]) + String(rest[rest.index(after: at)...]) }
    }
    return String(u.prefix(200))
  }

  /// The first line of a body, printable ASCII, at most 200 characters.
  static func firstLine(_ body: [UInt8]) -> String {
    let line = body.prefix(4096).split(separator: 10, maxSplits: 1, omittingEmptySubsequences: false).first ?? []
    return String(decoding: line.filter { $0 >= 0x20 && $0 < 0x7F }.prefix(200), as: UTF8.self).trimmingSpaces()
  }
}
