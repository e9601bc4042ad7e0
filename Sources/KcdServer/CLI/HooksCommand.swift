import KcdCore
import KcdCrypto
import KcdHTTP
import KcdHooks
import KcdJSON

#if canImport(Glibc)
import Glibc
#endif

/// `kcd hooks sign` and `kcd hooks send`: what CI runs after it pushed an image; `kcd hooks
/// register`: what points a registry at kcd.
enum HooksCommand {
  static let usage = """
    Usage: kcd hooks sign --secret-file F [--id ID] < body
           kcd hooks send --url U (--secret-file F | --oidc-token-file F) --repository R --tag T [--digest D] [--version V] [--kcd NS/NAME]
                          [--timeout 120] [--retries 8] [--rollback]
           kcd hooks register --source S --url https://kcd.example.com [--hooks-secret-dir /etc/kcd/hooks | --secret-file F]
                              [--name kcd] [--dry-run] [source flags]

    sign prints the three Standard Webhooks headers for the body on standard input.
    send POSTs a signed CI callback to kcd (e.g. https://kcd.example/hooks/ci), retrying with backoff
    on 429, 503 and connection errors (honouring Retry-After); it exits 0 only on a 2xx and prints
    the status URL of every KCD that took the event. A callback signed before one kcd already
    took is not deployed ("older than the deployed event") unless sent with --rollback. The secret file holds a Standard Webhooks key
    (whsec_<base64>) or raw bytes; with several lines, every key signs (for key rotation).
    --oidc-token-file sends the CI job's OIDC ID token (Authorization: Bearer) instead of signing,
    for kcd configured to trust the CI's issuer (docs/oidc.md); the file is read before each
    attempt, so a CI step may refresh it. A token is good once: kcd answers 401 to its reuse.

    register configures a sender to deliver to kcd at --url (kcd's public base URL; the hook is
    <url>/hooks/<source>) with the secret kcd itself reads: the first usable line of
    <hooks-secret-dir>/<source> (KCD_HOOKS_SECRET_DIR, default /etc/kcd/hooks), or of --secret-file.
    It reads first and creates or updates only what differs, then prints what it did per object;
    --dry-run prints every request it would make (secrets as placeholders) and makes none.
    Tokens and passwords come from files, never from flags. --name (default kcd) names what is
    created: the EventBridge objects' prefix, the Harbor policy, the Quay notification's title,
    the Pub/Sub subscription.
      ecr           --region R --role-arn ARN [--repository-prefix P]... [--rate-limit 20]
                    EventBridge Connection (API key), API destination, rule and target, signed with
                    the AWS credential chain (AWS_ENDPOINT_URL_EVENTS / AWS_ENDPOINT_URL override);
                    the role may events:InvokeApiDestination. The key's fingerprint, kept in the
                    Connection's description, tells a changed key file.
      harbor        --harbor-url URL --project P --username ROBOT --password-file F
      quay          --repository NS/REPO --token-file F [--quay-url https://quay.io]
      github        --org O | --repo OWNER/NAME --token-file F [--api-url https://api.github.com] [--rotate]
                    (GitHub never returns the secret: --rotate sets it again)
      gitlab        --project ID_OR_PATH --token-file F [--gitlab-url https://gitlab.com]
                    CI/CD variables KCD_URL and KCD_CI_KEY (the ci key) for hooks/ci/gitlab-ci.yml
      dockerhub, distribution, gcr
                    no API: prints the configuration to paste (--show-secret puts the secret in it)
    """

  static let command = Command(name: "hooks", summary: "sign or send a CI callback, or register kcd with a registry", usage: usage) { args in
    guard let sub = args.first else { throw UsageError("hooks needs a sub-command: sign, send or register") }
    switch sub {
    case "sign": return try sign(Array(args.dropFirst()))
    case "send": return try send(Array(args.dropFirst()))
    case "register": return try HooksRegisterCommand.run(Array(args.dropFirst()))
    default: throw UsageError("unknown hooks sub-command \(sub)")
    }
  }

  static func keys(_ path: String?) throws -> [StandardWebhooks.Key] {
    guard let path else { throw UsageError("--secret-file is required") }
    let text = String(decoding: try FileIO.read(path, limit: 64 * 1024), as: UTF8.self)
    let keys = try text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map(String.init).filter { !$0.allSatisfy { $0 == " " } }
      .map { try StandardWebhooks.Key(secret: $0) }
    guard !keys.isEmpty else { throw UsageError("\(path) holds no key") }
    return keys
  }

  /// The ID token in `path` (one line; surrounding white space dropped). Never printed.
  static func token(_ path: String) throws -> String {
    let text = String(decoding: try FileIO.read(path, limit: 64 * 1024), as: UTF8.self).filter { !$0.isWhitespace }
    guard !text.isEmpty else { throw UsageError("\(path) holds no token") }
    return text
  }

  static func newID() -> String { "msg_" + Base64.encode(SecureRandom.bytes(15)).replacingSlashes() }

  static func headers(keys: [StandardWebhooks.Key], id: String, body: [UInt8]) -> [(String, String)] {
    let timestamp = String(Int64(Timestamps.now()))
    let signatures = keys.map { StandardWebhooks.signature(key: $0, id: id, timestamp: timestamp, body: body) }.joined(separator: " ")
    return [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signatures)]
  }

  static func sign(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: ["secret-file", "id"])
    let keys = try keys(a.value("secret-file"))
    let body = try FileIO.read("/dev/stdin", limit: 1 << 20)
    for (name, value) in headers(keys: keys, id: a.value("id") ?? newID(), body: body) { Console.out("\(name): \(value)") }
    return 0
  }

  static func send(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: ["url", "secret-file", "oidc-token-file", "repository", "tag", "digest", "version", "kcd", "timeout", "retries"],
                          switchFlags: ["rollback"])
    guard let url = a.value("url"), url.hasPrefix("http://") || url.hasPrefix("https://") else { throw UsageError("--url must be an http(s) URL") }
    guard let repository = a.value("repository") else { throw UsageError("--repository is required") }
    guard let tag = a.value("tag") else { throw UsageError("--tag is required") }
    if let d = a.value("digest"), !RepositoryName.isValidDigest(d) { throw UsageError("--digest must be sha256: followed by 64 hex digits") }
    let tokenFile = a.value("oidc-token-file")
    if tokenFile != nil && a.value("secret-file") != nil { throw UsageError("give --secret-file or --oidc-token-file, not both") }
    let keys = tokenFile == nil ? try keys(a.value("secret-file")) : []
    if let tokenFile { _ = try token(tokenFile) }
    var body: JSON = ["repository": .string(repository), "tag": .string(tag)]
    if let d = a.value("digest") { body["digest"] = .string(d) }
    if let v = a.value("version") { body["version"] = .string(v) }
    if let k = a.value("kcd") { body["kcd"] = .string(k) }
    // A deliberate move back to an earlier build (else kcd answers "older than the deployed event").
    if a.has("rollback") { body["rollback"] = true }
    let bytes = body.serialized()
    let id = newID()
    let deadline = monotonicSeconds() + (try a.double("timeout") ?? 120)
    let retries = try a.int("retries") ?? 8
    let client = HTTPClient(userAgent: "kcd-hooks-send")
    var attempt = 0
    var delay = 1.0
    while true {
      attempt += 1
      var request = HTTPClientRequest(method: "POST", url: url, body: bytes)
      request.headers.set("Content-Type", "application/json")
      if let tokenFile {
        request.headers.set("Authorization", "Bearer " + (try token(tokenFile)))
      } else {
        for (n, v) in headers(keys: keys, id: id, body: bytes) { request.headers.set(n, v) }
      }
      request.timeout = max(1, min(30, deadline - monotonicSeconds()))
      var retryAfter: Double?
      var reason: String
      do {
        let response = try client.send(request)
        if (200..<300).contains(response.status) {
          let answer = try? JSON.parse(response.body)
          let accepted = answer?["accepted"].arrayValue ?? []
          Console.out("kcd answered \(response.status): \(accepted.isEmpty ? (answer?["message"].stringValue ?? "nothing to do") : "\(accepted.count) KCD(s) will roll out")")
          for a in accepted { Console.out("  \(a["kcd"].stringValue ?? "")  \(a["status"].stringValue ?? "")") }
          for d in answer?["duplicates"].arrayValue ?? [] { Console.out("  \(d["kcd"].stringValue ?? ""): \(d["reason"].stringValue ?? "")") }
          for r in answer?["refused"].arrayValue ?? [] { Console.out("  \(r["kcd"].stringValue ?? ""): refused: \(r["reason"].stringValue ?? "")") }
          return 0
        }
        let message = (try? JSON.parse(response.body))?["error"].stringValue ?? response.text
        guard response.status == 429 || response.status == 503 || response.status == 502 || response.status == 504 else {
          Console.err("kcd: \(url) answered \(response.status): \(message)")
          return 1
        }
        retryAfter = response.headers["Retry-After"].flatMap(Double.init)
        reason = "\(response.status) \(message)"
      } catch {
        reason = error.message
      }
      let wait = max(retryAfter ?? 0, delay)
      guard attempt <= retries, monotonicSeconds() + wait < deadline else {
        Console.err("kcd: giving up after \(attempt) attempt(s): \(reason)")
        return 1
      }
      Console.err("kcd: attempt \(attempt) failed (\(reason)); retrying in \(Int(wait.rounded(.up))) s")
      usleep(UInt32(wait * 1_000_000))
      delay = min(delay * 2, 30)
    }
  }
}

extension String {
  /// base64 → a header- and URL-friendly id.
  func replacingSlashes() -> String {
    String(map { $0 == "/" ? "_" : ($0 == "+" ? "-" : $0) }.filter { $0 != "=" })
  }
}
