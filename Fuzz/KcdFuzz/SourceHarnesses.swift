import KcdCore
import KcdCrypto
import KcdHooks

/// Every webhook source's parse-and-verify, on the request the input describes (`HeadAndBody`:
/// header lines, a blank line, the body; `x-fuzz-path` is the path after `/hooks/<source>`).
/// When the input carries no credential of its own the harness adds a valid one, so the fuzzer
/// reaches the body parsers as well as the authentication paths.
enum SourceHarnesses {
  static let now: Double = 1_700_000_100

  static func request(_ input: HeadAndBody, path: [String], extra: [(String, String)]) -> HookRequest {
    var headers = input.headers
    for (name, value) in extra where input.header(name) == nil { headers.append((name.lowercased(), value)) }
    let table = headers
    let rest = input.header("x-fuzz-path").map { $0.split(separator: "/", omittingEmptySubsequences: false).map(String.init) } ?? path
    return HookRequest(method: "POST", pathRest: rest, header: { name in
      let lower = name.lowercased()
      return table.first { $0.name == lower }?.value
    }, body: input.body, now: now)
  }

  /// Runs a source; what it accepts must be well-formed events.
  static func run(_ source: some HookSource, _ request: HookRequest) {
    guard case .events(let events) = try? source.handle(request) else { return }
    for e in events {
      expect(RepositoryName.isValid(e.repository), "an accepted event names an invalid repository: \(e.repository)")
      if let d = e.digest { expect(RepositoryName.isValidDigest(d), "an accepted digest that is not sha256: \(d)") }
    }
  }

  static let token = "fuzz-token-7a1c"
  static let ciKey = try? StandardWebhooks.Key(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
  static let githubSecret = "It's a Secret to Everybody"
  // A key made for the harness (its private half is not kept) and a token it signed, valid until 2100.
  static let gcrKeySetDocument = Array(#"{"keys":[{"kty":"RSA","alg":"RS256","use":"sig","kid":"fuzz-1","n":"sbmus5WCY5FYsyJXA17r-taiOmH0RyyzA6pu91f7Pvg314TRnaMx6-4BXQFDadTeRW82xydIZsI2WUZCUYzTE3MRdozH04mS2yrH7ayxxwSyzbOLg2swdEl8pe9n-wh8jhpbFcyGAJ7UwUUoxyN7dP9Gr7G4qgHjffKKZth7HMY02Tgt_MtZE4TvKm59_bXGGgnesd9SuAsefXdG28Ksf8vC4DnJFE6QVYhfBoj45fZ-8NJug7ZA-o-v03-iEAQsLbAxSy4OK8hZhQGVpL7yGeDRIEfHs5kXlGsSnTZFlDZ-DUpVe33GBz25XtSRvFFPGhYGN-9M95lY69p3b9R8Kw","e":"AQAB"}]}"#.utf8)
  static let gcrKeys = try? JWT.KeySet(document: gcrKeySetDocument)
  static let gcrToken = "eyJhbGciOiJSUzI1NiIsImtpZCI6ImZ1enotMSIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2FjY291bnRzLmdvb2dsZS5jb20iLCJhdWQiOiJodHRwczovL2tjZC5leGFtcGxlL2hvb2tzL2djciIsImVtYWlsIjoicHVic3ViQGtjZC1mdXp6LmlhbS5nc2VydmljZWFjY291bnQuY29tIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsImlhdCI6MTcwMDAwMDAwMCwiZXhwIjo0MTAyNDQ0ODAwLCJzdWIiOiIxIn0.IJQDz1x0zfq7y_ab7t_3zKpSkaYAVfdr6S2pD1ZcTuwMW2mF-U9UwElNejt-lxhWEtG9OhxGXr5Ob_xRWpYzcVGvRpmeE85fRj4ncUA7JrURwGPUCklbFK_puNEePoeS7c3K9TvaxRzWJ6GocjLubGZ4Q80fyda8WD_kbHyhzLx06-MecucdYuPqSK9dqhxwksS8TyAXhLhBBKtArtqCYl2Pimy0cus5oEzU50-WW-HnWaJyEhY4hynmiaiQUnS3iOao7NncVadrgujLNF8DI8zIRgYT9ZWP065t2uEL_X2tzZNvCl6VWRKeu_EdVufQoz7ogOLsc2p_hcaOPVdUhA"

  static let all: [Harness] = [
    Harness(name: "source-dockerhub") { bytes in
      run(DockerHubHook(secrets: [token]), request(HeadAndBody(bytes), path: [token], extra: []))
    },
    Harness(name: "source-quay") { bytes in
      run(QuayHook(secrets: [token]), request(HeadAndBody(bytes), path: [token], extra: []))
    },
    Harness(name: "source-distribution") { bytes in
      run(DistributionHook(secrets: [token]), request(HeadAndBody(bytes), path: [], extra: [("authorization", "Bearer " + token)]))
    },
    Harness(name: "source-harbor") { bytes in
      run(HarborHook(secrets: [token]), request(HeadAndBody(bytes), path: [], extra: [("authorization", token)]))
    },
    // EventBridge deliveries with the API key; with `x-amz-sns-message-type`, the SNS path
    // (its certificate fetch answers nothing: the parse and the checks before it are fuzzed).
    Harness(name: "source-ecr") { bytes in
      let hook = ECRHook(secrets: [token], fetch: { _ in [] })
      run(hook, request(HeadAndBody(bytes), path: [], extra: [("x-api-key", token)]))
    },
    Harness(name: "source-gcr") { bytes in
      guard let keys = gcrKeys else { return }
      let hook = GCRHook(secrets: ["audience=https://kcd.example/hooks/gcr", "email=pubsub@kcd-fuzz.iam.gserviceaccount.com"], keySet: keys)
      run(hook, request(HeadAndBody(bytes), path: [], extra: [("authorization", "Bearer " + gcrToken)]))
    },
    Harness(name: "source-github") { bytes in
      let input = HeadAndBody(bytes)
      let signature = "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(githubSecret.utf8), message: input.body))
      run(GitHubHook(secrets: [githubSecret]), request(input, path: [], extra: [("x-hub-signature-256", signature), ("x-github-event", "package")]))
    },
    Harness(name: "source-ci") { bytes in
      guard let key = ciKey else { return }
      let input = HeadAndBody(bytes)
      let id = input.header("webhook-id") ?? "msg_fuzz", timestamp = input.header("webhook-timestamp") ?? "1700000000"
      let signature = StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: input.body)
      run(CICallback(keys: [key]), request(input, path: [], extra: [("webhook-id", id), ("webhook-timestamp", timestamp), ("webhook-signature", signature)]))
    },
  ]
}
