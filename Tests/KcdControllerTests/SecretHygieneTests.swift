import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import KcdTestSupport
import Testing

/// No secret kcd holds appears in anything kcd emits. Every kind is configured — hook secrets of
/// the sources (a Standard Webhooks key, bearer tokens, path tokens, an HMAC secret), a registry
/// password, the kubeconfig's bearer token, the verification key — and used, rightly and wrongly
/// (forged webhooks, a registry that refuses, a failing rollout, API actions with a token); then
/// kcd's logs, `/metrics`, every API route, the Events and the KCD status are searched for each.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct SecretHygieneTests {
  @Test("no secret in logs, metrics, API answers, Events or status")
  func noSecretAnywhere() throws {
    let secrets: [String: String] = [
      "ci": "whsec_" + Base64.encode(Array("ci-key-that-must-never-leak-0001".utf8)),
      "distribution": "dist-bearer-never-leak-\(Int.random(in: 100_000..<999_999))",
      "dockerhub": "dockerhub-path-token-never-leak-\(Int.random(in: 100_000..<999_999))",
      "quay": "quay-path-token-never-leak-\(Int.random(in: 100_000..<999_999))",
      "github": "github-hmac-never-leak-\(Int.random(in: 100_000..<999_999))",
      "harbor": "harbor-auth-never-leak-\(Int.random(in: 100_000..<999_999))",
      "ecr": "ecr-api-key-never-leak-\(Int.random(in: 100_000..<999_999))",
    ]
    let registryPassword = "registry-password-never-leak-\(Int.random(in: 100_000..<999_999))"
    let verificationKey = "whsec_" + Base64.encode(Array("verification-key-never-leak-0002".utf8))
    let sim = try SpineEndToEndTests.cluster()
    let kubeToken = (TestEnvironment.read(sim.kubeconfig) ?? "").split(separator: "\n").first { $0.contains("token:") }
      .map { String($0.split(separator: ":", maxSplits: 1)[1].filter { $0 != " " && $0 != "\"" }) } ?? ""
    #expect(kubeToken.count > 8, "the kubeconfig's token was found")
    let passwordFile = sim.directory + "/registry-password"
    TestEnvironment.write(registryPassword, to: passwordFile)
    let keyFile = sim.directory + "/verification.key"
    TestEnvironment.write(verificationKey + "\n", to: keyFile)
    let config = sim.directory + "/kcd.yaml"
    // A registry that is not there: look-ups fail, and their errors must not carry the password.
    // An OIDC issuer whose ID tokens authenticate CI callbacks: its tokens are secrets too.
    let oidcKey = try OIDCTestKey(kid: "hygiene", kind: .rsa, directory: sim.directory)
    let issuer = try OIDCTestIssuer(publishing: [oidcKey], directory: sim.directory)
    TestEnvironment.write("registries:\n  - {host: \"127.0.0.1:9\", username: robot, passwordFile: \(passwordFile), insecure: true}\n"
                          + OIDCEndToEndTests.config(issuer), to: config)
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, secret: secrets["ci"]!,
                             extraArguments: ["--config", config, "--verification-key-file", keyFile])
    for (source, secret) in secrets where source != "ci" { TestEnvironment.write(secret + "\n", to: sim.directory + "/hooks/\(source)") }
    #expect(kcd.waitReady())
    var r = try sim.kubectl(Kubectl.machine, ["patch", "kcd", "web", "-n", "shop", "--type", "merge", "-p",
                                              #"{"spec":{"verify":[{"kind":"Webhook","url":"http://127.0.0.1:9/gate"}]}}"#])
    #expect(r.status == 0, "\(r)")

    // Use every secret, rightly and wrongly.
    let ok = try kcd.send(repository: "registry.example/shop/web", tag: "main", digest: randomDigest(), version: "1.0.1")
    #expect(ok.status == 0, "\(ok)")
    let hooks = kcd.hooksPort
    let distributionEvent = #"{"events":[{"id":"e1","action":"push","target":{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"\#(randomDigest())","repository":"shop/web","tag":"main"},"request":{"host":"127.0.0.1:9"}}]}"#
    for auth in ["Bearer " + secrets["distribution"]!, "Bearer wrong-" + secrets["distribution"]!] {
      _ = try httpRequest(port: hooks, method: "POST", path: "/hooks/distribution",
                          headers: ["Authorization": auth, "Content-Type": "application/vnd.docker.distribution.events.v1+json"], body: distributionEvent)
    }
    for path in ["/hooks/dockerhub/" + secrets["dockerhub"]!, "/hooks/dockerhub/x" + secrets["dockerhub"]!, "/hooks/quay/" + secrets["quay"]!,
                 "/hooks/quay/x" + secrets["quay"]!] {
      _ = try httpRequest(port: hooks, method: "POST", path: path, headers: ["Content-Type": "application/json"], body: "{}")
    }
    let githubBody = #"{"action":"published","registry_package":{}}"#
    let mac = Digest.hex(try #require(HMACKey(Array(secrets["github"]!.utf8))).mac([], Array(githubBody.utf8)))
    for signature in ["sha256=" + mac, "sha256=" + String(repeating: "0", count: 64)] {
      _ = try httpRequest(port: hooks, method: "POST", path: "/hooks/github",
                          headers: ["X-Hub-Signature-256": signature, "X-GitHub-Event": "registry_package", "X-GitHub-Delivery": "d1", "Content-Type": "application/json"],
                          body: githubBody)
    }
    for auth in [secrets["harbor"]!, "wrong"] {
      _ = try httpRequest(port: hooks, method: "POST", path: "/hooks/harbor", headers: ["Authorization": auth, "Content-Type": "application/json"], body: "{}")
    }
    for auth in ["Bearer " + secrets["ecr"]!, "Bearer x"] {
      _ = try httpRequest(port: hooks, method: "POST", path: "/hooks/ecr", headers: ["Authorization": auth, "Content-Type": "application/json"], body: "{}")
    }
    // A forged CI callback carrying the real key in its signature header.
    _ = try httpRequest(port: hooks, method: "POST", path: "/hooks/ci",
                        headers: ["webhook-id": "m", "webhook-timestamp": "1", "webhook-signature": "v1," + secrets["ci"]!], body: "{}")
    // OIDC tokens: one accepted, one refused (wrong audience), one replayed, one malformed.
    // (Issued after the signed callback above: an older one would be "older than the deployed event".)
    let oidcToken = try oidcKey.sign(OIDCEndToEndTests.claims(issuer, ["iat": .double(Timestamps.now().rounded(.up) + 2)]))
    let forgedToken = try oidcKey.sign(OIDCEndToEndTests.claims(issuer, ["aud": "https://other.example"]))
    for (token, expected) in [(oidcToken, 202), (forgedToken, 401), (oidcToken, 401), (oidcToken + "x.y", 401)] {
      let answer = try OIDCEndToEndTests.send(kcd, token: token, body: OIDCEndToEndTests.body(digest: randomDigest()))
      #expect(answer.status == expected, "\(answer.text)")
      #expect(!answer.text.contains(token.split(separator: ".")[1]), "a token is echoed in an answer")
    }
    // API actions with the kubeconfig's token (the admin) and a bogus one.
    for token in [kubeToken, "bogus-token"] {
      _ = try Subprocess.run(["curl", "-s", "-X", "POST", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(kcd.apiPort)/api/v1/namespaces/shop/kcds/web/sync"])
    }
    // The verification fails (nothing listens on port 9): the failure is reported everywhere.
    #expect(eventually(timeout: 60) { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Failed" }, "\(SpineEndToEndTests.kcdStatus(sim))")

    // Gather everything kcd emitted.
    var surfaces: [String: String] = ["logs": kcd.child.output + kcd.child.errorOutput]
    for route in ["/metrics", "/", "/api/v1/dashboard", "/api/v1/workloads", "/kcd/v1/resources?format=html", "/api/v1/namespaces/shop/kcds/web",
                  "/api/v1/namespaces/shop/kcds/web/history", "/api/v1/openapi.json", "/readyz", "/api/v1/leader", "/version"] {
      surfaces[route] = try Subprocess.run(["curl", "-s", "http://127.0.0.1:\(kcd.apiPort)\(route)"]).stdout
    }
    surfaces["events"] = try sim.kubectl(Kubectl.machine, ["get", "events", "-A", "-o", "json"]).stdout
    surfaces["kcds"] = try sim.kubectl(Kubectl.machine, ["get", "kcds", "-A", "-o", "json"]).stdout
    #expect((surfaces["logs"] ?? "").count > 500 && (surfaces["/metrics"] ?? "").contains("kcd_hook_requests_total"), "the surfaces were read")
    let all = secrets.map { ($0.key, $0.value) } + [("registry password", registryPassword), ("kubeconfig token", kubeToken),
                                                   ("verification key", verificationKey), ("OIDC token", oidcToken),
                                                   ("OIDC token signature", String(oidcToken.split(separator: ".")[2])),
                                                   ("OIDC token claims", String(oidcToken.split(separator: ".")[1])), ("forged OIDC token", forgedToken)]
    for (what, secret) in all {
      for (surface, text) in surfaces {
        #expect(!text.contains(secret), "the \(what) appears in \(surface)")
      }
    }
  }
}
