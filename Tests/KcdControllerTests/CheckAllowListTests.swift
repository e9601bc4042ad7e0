import KcdController
import KcdJSON
import KcdServer
import KcdYAML
import Testing

/// `checks:` in kcd's config: which URLs Webhook checks may POST to, which images Image checks
/// may run and under which service accounts. URLs that could be read two ways are refused
/// rather than compared.
@Suite struct CheckAllowListTests {
  static let urls = CheckAllowList(webhookURLs: ["https://verify.example.com/kcd/", "http://gate.internal:8080/approve"].compactMap(CheckURL.init))

  @Test("a Webhook URL is allowed only under a listed prefix", arguments: [
    ("https://verify.example.com/kcd/", true), ("https://verify.example.com/kcd/shop?x=1", true),
    ("HTTPS://Verify.Example.COM:443/kcd/a/b", true), ("https://user:pw@verify.example.com/kcd/x", true),
    ("http://gate.internal:8080/approve", true), ("http://gate.internal:8080/approve/shop", true),
    ("http://gate.internal:8080/approved", false), ("http://gate.internal/approve", false),
    ("https://verify.example.com/kcd", false), ("https://verify.example.com/admin", false),
    ("http://verify.example.com/kcd/", false), ("https://verify.example.com:8443/kcd/", false),
    ("https://verify.example.com.evil.test/kcd/", false), ("https://verify.example.com@evil.test/kcd/", false),
    ("https://verify.example.com/kcd/../admin", false), ("https://verify.example.com/kcd/%2E%2e/admin", false),
    ("https://verify.example.com/kcd/./x", false), ("https://verify.example.com\\@evil.test/kcd/", false),
    ("https://verify.example.com/kcd/ x", false), ("ftp://verify.example.com/kcd/", false), ("verify.example.com/kcd/", false),
    ("https:///kcd/", false), ("http://169.254.169.254/latest/meta-data/", false),
  ])
  func webhookURLs(url: String, allowed: Bool) {
    #expect((Self.urls.refusal(url: url) == nil) == allowed, "\(url): \(Self.urls.refusal(url: url) ?? "allowed")")
  }

  @Test("without lists anything is allowed; an empty list allows nothing")
  func defaults() {
    let check = VerifyStep.ImageCheck(reference: "anything.example/tool:1", timeoutSeconds: 60, serviceAccountName: "admin")
    #expect(CheckAllowList.any.refusal(url: "http://10.0.0.1/x") == nil)
    #expect(CheckAllowList.any.refusal(image: check) == nil)
    let none = CheckAllowList(webhookURLs: [], images: [], serviceAccounts: [])
    #expect(none.refusal(url: "https://verify.example.com/kcd/")?.contains("checks.webhookURLs") == true)
    #expect(none.refusal(image: check)?.contains("checks.images") == true)
  }

  @Test("images by repository or prefix, normalised; service accounts by name", arguments: [
    ("registry.example/tools/verify:1.2", nil, true), ("registry.example/tools/verify@sha256:" + String(repeating: "a", count: 64), nil, true),
    ("Registry.Example/tools/scan:latest", nil, true), ("registry.example/tools/sub/deep:1", nil, true),
    ("registry.example/toolsx/verify:1", nil, false), ("registry.example/other:1", nil, false),
    ("busybox:1.36", nil, true), ("docker.io/library/busybox", nil, true), ("index.docker.io/library/alpine:3", nil, false),
    ("registry.example/tools/verify:1.2", "kcd-checks", true), ("registry.example/tools/verify:1.2", "default", false),
    ("registry.example/tools/verify:1.2", "cluster-admin-sa", false),
  ] as [(String, String?, Bool)])
  func images(reference: String, account: String?, allowed: Bool) {
    let list = CheckAllowList(images: ["registry.example/tools/", "busybox"], serviceAccounts: ["kcd-checks"])
    let check = VerifyStep.ImageCheck(reference: reference, timeoutSeconds: 60, serviceAccountName: account)
    #expect((list.refusal(image: check) == nil) == allowed, "\(reference) \(account ?? "-"): \(list.refusal(image: check) ?? "allowed")")
  }

  @Test("the config file's checks: parse, and what is refused")
  func config() throws {
    let c = try KcdConfig.parse(try YAML.parse("""
      checks:
        webhookURLs: [https://verify.example.com/kcd/]
        images: [registry.example/tools/, busybox]
        serviceAccounts: []
      """), source: "kcd.yaml")
    #expect(c.checks.webhookURLs == [CheckURL("https://verify.example.com/kcd/")!])
    #expect(c.checks.images == ["registry.example/tools/", "docker.io/library/busybox"])
    #expect(c.checks.serviceAccounts == [])
    #expect(try KcdConfig.parse(try YAML.parse("trustSignedDigests: true"), source: "kcd.yaml").checks == .any)
    for (text, saying) in [
      ("checks: {webhookURL: [x]}", "unknown setting \"webhookURL\""),
      ("checks: [x]", "checks must be a mapping"),
      ("checks: {webhookURLs: https://verify.example.com/}", "checks.webhookURLs must be a list"),
      ("checks: {webhookURLs: [\"file:///etc/passwd\"]}", "checks.webhookURLs[0] must be an http or https URL prefix"),
      ("checks: {webhookURLs: [\"https://verify.example.com/?token=1\"]}", "checks.webhookURLs[0]"),
      ("checks: {images: [\"Registry/Tools\"]}", "checks.images[0] must be a repository name"),
      ("checks: {serviceAccounts: [\"\"]}", "checks.serviceAccounts[0] must be a non-empty string"),
    ] {
      #expect(throws: UsageError.self, "\(text)") { try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml") }
      do { _ = try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml") } catch let e as UsageError {
        #expect(e.message.contains(saying), "\(text): \(e.message)")
      } catch {}
    }
  }
}
