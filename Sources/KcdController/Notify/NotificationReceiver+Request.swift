import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON

/// One attempt's HTTP request for a receiver, and how its answer counts.
extension NotificationReceiver {
  /// What one attempt came to.
  enum Attempt: Equatable {
    case delivered
    /// Worth another try (connection error, time-out, 408, 429, 5xx); `after`: the receiver's
    /// Retry-After.
    case retry(String, after: Double?)
    /// Another try would get the same answer (4xx, a file kcd cannot read).
    case failed(String)
  }

  /// The request for one attempt. Files are read now (rotation needs no restart); what goes
  /// wrong is said without the URL's path or query (either may be a token).
  func request(_ o: RolloutOutcome, dashboard: String?, now: Double) -> Result<HTTPClientRequest, AttemptFailure> {
    let url: String
    switch target() {
    case .success(let u): url = u
    case .failure(let e): return .failure(e)
    }
    var body: [UInt8]
    var request = HTTPClientRequest(method: "POST", url: url)
    switch kind {
    case .slack:
      body = SlackMessage.body(o, dashboard: dashboard).serialized()
      request.headers.set("Content-Type", "application/json")
    case .webhook:
      let key: StandardWebhooks.Key
      switch signingKey() {
      case .success(let k): key = k
      case .failure(let e): return .failure(e)
      }
      body = WebhookMessage.body(o, dashboard: dashboard).serialized()
      let id = WebhookMessage.messageID(o), timestamp = String(Int64(now))
      request.headers.set("Content-Type", "application/json")
      request.headers.set("webhook-id", id)
      request.headers.set("webhook-timestamp", timestamp)
      request.headers.set("webhook-signature", StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: body))
    case .cdevents:
      let event = CDEvent.body(o, source: source, environment: environment, dashboard: dashboard)
      body = event.serialized()
      for (name, value) in CDEvent.headers(event) { request.headers.set(name, value) }
    }
    request.body = body
    request.timeout = timeoutSeconds
    request.connectTimeout = min(timeoutSeconds, 5)
    request.maximumBodyBytes = 64 * 1024
    return .success(request)
  }

  /// What stops this receiver from sending now, if anything (said at start; every message
  /// checks again).
  func problem() -> String? {
    if case .failure(let e) = target() { return e.message }
    if kind == .webhook, case .failure(let e) = signingKey() { return e.message }
    return nil
  }

  /// The Standard Webhooks key in `keyFile`.
  func signingKey() -> Result<StandardWebhooks.Key, AttemptFailure> {
    guard let keyFile else { return .failure(AttemptFailure("no keyFile to sign with")) }
    guard let bytes = try? FileIO.read(keyFile, limit: 64 * 1024), let key = try? StandardWebhooks.Key(secret: String(decoding: bytes, as: UTF8.self)) else {
      return .failure(AttemptFailure("cannot use keyFile \(keyFile): it must hold a Standard Webhooks key (whsec_<base64>)"))
    }
    return .success(key)
  }

  /// The URL: `url`, else the first line of `urlFile`.
  func target() -> Result<String, AttemptFailure> {
    var u = url ?? ""
    if url == nil, let urlFile {
      guard let bytes = try? FileIO.read(urlFile, limit: 64 * 1024) else { return .failure(AttemptFailure("cannot read urlFile \(urlFile)")) }
      u = String(decoding: bytes, as: UTF8.self).split(whereSeparator: \.isNewline).first.map { String($0).trimmingSpaces() } ?? ""
    }
    guard u.hasPrefix("https://") || u.hasPrefix("http://") else {
      return .failure(AttemptFailure(urlFile.map { "urlFile \($0) does not hold an http(s) URL" } ?? "no http(s) URL"))
    }
    return .success(u)
  }

  /// How an answer counts: 2xx delivered; 408, 429 and 5xx again later; any other no.
  static func judge(status: Int, retryAfter: String?, host: String) -> Attempt {
    if (200..<300).contains(status) { return .delivered }
    let why = "\(host) answered \(status)"
    if status == 408 || status == 429 || (500..<600).contains(status) { return .retry(why, after: retryAfter.flatMap { Double($0.trimmingSpaces()) }) }
    return .failed(why)
  }

  /// `scheme://host[:port]` of a URL: what logs and errors may show (a webhook URL's path or
  /// query often is the secret).
  static func displayHost(_ url: String) -> String {
    guard let scheme = url.firstRange(of: "://") else { return "(not a URL)" }
    let rest = url[scheme.upperBound...]
    var authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
    return String(url[..<scheme.upperBound]) + authority
  }
}

/// Why an attempt could not even be made (said without secrets).
struct AttemptFailure: Error, Equatable {
  let message: String
  init(_ message: String) { self.message = message }
}
