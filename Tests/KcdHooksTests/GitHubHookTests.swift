import KcdCrypto
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/github`: GitHub's published `X-Hub-Signature-256` vector (§13.1) and `package` /
/// `registry_package` events for GHCR.
@Suite struct GitHubHookTests {
  static let secret = "It's a Secret to Everybody"
  static let vectorSignature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
  let hook = GitHubHook(secrets: ["rotated-out-soon", Self.secret])

  static func signed(_ body: [UInt8], event: String, secret: String = secret, contentType: String = "application/json") -> HookRequest {
    HookTest.request(body, headers: ["X-Hub-Signature-256": "sha256=" + Digest.hex(Digest.hmacSHA256(key: Array(secret.utf8), message: body)),
                                     "X-GitHub-Event": event, "X-GitHub-Delivery": "72d3162e-cc78-11e3-81ab-4c9367dc0958", "Content-Type": contentType])
  }

  /// octokit's `package/published.docker` fixture, with a tag and a well-formed digest.
  static func package(action: String = "published", tag: String = "v1.4.0", member: String = "package") -> JSON {
    let version: JSON = [
      "id": 57_755_790, "version": .string(HookTest.digestA), "name": .string(HookTest.digestA),
      "container_metadata": ["tag": ["name": .string(tag), "digest": "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b"],
                             "manifest": ["digest": "sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b", "media_type": "application/vnd.docker.distribution.manifest.v2+json"]],
      "package_url": "ghcr.io/Codertocat/hello-world:",
    ]
    return ["action": .string(action),
            .init(member): ["id": 10696, "name": "Hello-World", "namespace": "Codertocat/hello-world", "ecosystem": "docker", "package_type": "npm",
                            "package_version": version, "registry": ["type": "CONTAINER", "url": "https://CONTAINER.pkg.github.com/Codertocat"]],
            "repository": ["full_name": "Codertocat/hello-world-npm"]]
  }

  @Test("the published vector: the signature of \"Hello, World!\" is accepted, one changed byte is not")
  func vector() {
    func request(_ body: String, _ signature: String) -> HookRequest {
      HookTest.request(Array(body.utf8), headers: ["X-Hub-Signature-256": signature, "X-GitHub-Event": "ping"])
    }
    #expect(HookTest.status(hook, request("Hello, World!", Self.vectorSignature)) == 200)
    #expect(HookTest.status(hook, request("Hello, World?", Self.vectorSignature)) == 401)
    #expect(HookTest.status(hook, request("Hello, World!", "sha256=857107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")) == 401)
    #expect(HookTest.status(hook, request("Hello, World!", "sha1=01dc10d0c83e72ed246219cdd91669667fe2ca59")) == 401)
    #expect(HookTest.status(GitHubHook(secrets: ["other"]), request("Hello, World!", Self.vectorSignature)) == 401)
    #expect(throws: Never.self) { _ = try hook.handle(request("Hello, World!", Self.vectorSignature.uppercased().replacingPrefix())) }
  }

  @Test("ping answers pong")
  func ping() throws {
    #expect(try hook.handle(Self.signed(Array(#"{"zen":"Keep it logically awesome."}"#.utf8), event: "ping")) == .reply(status: 200, message: "pong"))
  }

  @Test("package and registry_package versions become GHCR push events", arguments: ["package", "registry_package"])
  func push(member: String) {
    let events = HookTest.events(hook, Self.signed(Self.package(member: member).serialized(), event: member))
    #expect(events == [ImageEvent(repository: "ghcr.io/codertocat/hello-world", tag: "v1.4.0", digest: HookTest.digestA, action: .push,
                                  source: "github", deliveryID: "72d3162e-cc78-11e3-81ab-4c9367dc0958", receivedAt: 1_700_000_000)])
  }

  @Test("a form-encoded delivery is read from its payload field")
  func form() {
    let json = String(decoding: Self.package().serialized(), as: UTF8.self)
    var encoded = ""
    for b in json.utf8 {
      let c = Character(UnicodeScalar(b))
      encoded += c.isLetter || c.isNumber ? String(c) : b == 32 ? "+" : "%" + Digest.hex([b]).uppercased()
    }
    let events = HookTest.events(hook, Self.signed(Array("payload=\(encoded)".utf8), event: "package", contentType: "application/x-www-form-urlencoded"))
    #expect(events.map(\.tag) == ["v1.4.0"])
  }

  @Test("wrong or missing signatures: 401", arguments: [
    ["X-GitHub-Event": "package"], ["X-Hub-Signature-256": "sha256=zz", "X-GitHub-Event": "package"],
    ["X-Hub-Signature-256": "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17", "X-GitHub-Event": "package"],
  ])
  func unsigned(headers: [String: String]) {
    #expect(HookTest.status(hook, HookTest.request(Self.package(), headers: headers)) == 401)
    #expect(HookTest.status(hook, Self.signed(Self.package().serialized(), event: "package", secret: "wrong")) == 401)
  }

  @Test("deletions, other actions and events, untagged and non-container packages: 200, no push", arguments: [
    (package(action: "deleted"), "package"), (package(action: "published"), "push"), (package(tag: ""), "package"),
    ({ var p = package(); p["package"]["ecosystem"] = "npm"; p["package"]["registry"]["type"] = "npm"; return p }(), "package"),
  ])
  func ignored(payload: JSON, event: String) {
    #expect(HookTest.status(hook, Self.signed(payload.serialized(), event: event)) == 200)
  }

  @Test("malformed bodies: 400 when signed", arguments: [
    Array("{not json".utf8), Array(#"{"package":{}}"#.utf8), Array(#"{"action":"published","package":"x"}"#.utf8),
    package(tag: "bad tag").serialized(), { var p = package(); p["package"]["name"] = nil; return p.serialized() }(),
  ])
  func malformed(body: [UInt8]) {
    #expect(HookTest.status(hook, Self.signed(body, event: "package")) == 400)
  }

  @Test("no configured secret is a misconfiguration")
  func unconfigured() {
    #expect(HookTest.status(GitHubHook(secrets: [""]), Self.signed(Array("{}".utf8), event: "ping", secret: "")) == 500)
  }
}

extension String {
  /// `SHA256=ABC…` → `sha256=ABC…`: upper-case hex is still the same MAC.
  func replacingPrefix() -> String { "sha256=" + dropFirst(7) }
}
