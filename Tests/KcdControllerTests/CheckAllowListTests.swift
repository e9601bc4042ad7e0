@testable import KcdController
import KcdJSON
import KcdKube
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
    // Paths a server could decode or strip into another: encoded separators, `;` parameters.
    ("https://verify.example.com/kcd/..;/admin", false), ("https://verify.example.com/kcd/..%2fadmin", false),
    ("https://verify.example.com/kcd/%2e%2e%2fadmin", false), ("https://verify.example.com/kcd/..%5cadmin", false),
    ("https://verify.example.com/kcd/%252e%252e/admin", false), ("https://verify.example.com/kcd/x;jsessionid=1", false),
    // Authorities read strictly: one `@`, a numeric port (the default one dropped), host characters only.
    ("https://a@b@verify.example.com/kcd/", false), ("http://gate.internal:8080:80/approve", false),
    ("https://verify.example.com:/kcd/", false), ("https://verify.example.com:0443/kcd/", true), ("https://verify.example.com:x/kcd/", false),
    ("https://verify.example.com./kcd/", false), ("https://verify%2eexample.com/kcd/", false), ("https://[::1]/kcd/", false),
    ("https://evil.test?@verify.example.com/kcd/", false), ("https://evil.test#@verify.example.com/kcd/", false),
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

  @Test("an IPv6 literal and a port are compared as the host and number they are")
  func literalsAndPorts() {
    let list = CheckAllowList(webhookURLs: ["http://[fd00::1]:8080/v/", "https://verify.example.com:443/"].compactMap(CheckURL.init))
    #expect(list.webhookURLs?.count == 2)
    #expect(list.refusal(url: "http://[FD00::1]:08080/v/x") == nil)
    #expect(list.refusal(url: "http://[fd00::1]/v/x") != nil)
    #expect(list.refusal(url: "https://verify.example.com/any") == nil)
    #expect(list.refusal(url: "https://verify.example.com:8443/any") != nil)
    #expect(CheckURL("http://[fd00::1]x/") == nil && CheckURL("http://[zz::1]/") == nil && CheckURL("http://[fd00::1/") == nil)
  }

  @Test("images by repository or prefix, normalised; service accounts by name", arguments: [
    ("registry.example/tools/verify:1.2", nil, true), ("registry.example/tools/verify@sha256:" + String(repeating: "a", count: 64), nil, true),
    ("Registry.Example/tools/scan:latest", nil, true), ("registry.example/tools/sub/deep:1", nil, true),
    ("registry.example/toolsx/verify:1", nil, false), ("registry.example/other:1", nil, false),
    ("busybox:1.36", nil, true), ("docker.io/library/busybox", nil, true), ("index.docker.io/library/alpine:3", nil, false),
    ("registry.example/tools/verify:1.2", "kcd-checks", true), ("registry.example/tools/verify:1.2", "default", false),
    ("registry.example/tools/verify:1.2", "cluster-admin-sa", false),
    // References outside the grammar are refused rather than compared.
    ("registry.example/tools/verify:1/../../x", nil, false), ("registry.example/tools/Verify:1", nil, false),
    ("registry.example/tools/verify@sha256:00", nil, false), ("Evil/x:1", nil, false),
  ] as [(String, String?, Bool)])
  func images(reference: String, account: String?, allowed: Bool) {
    let list = CheckAllowList(images: ["registry.example/tools/", "busybox"], serviceAccounts: ["kcd-checks"])
    let check = VerifyStep.ImageCheck(reference: reference, timeoutSeconds: 60, serviceAccountName: account)
    #expect((list.refusal(image: check) == nil) == allowed, "\(reference) \(account ?? "-"): \(list.refusal(image: check) ?? "allowed")")
  }

  @Test("with images set, a check's own command or args need checks.commands; the Job runs the reference compared, qualified")
  func commandsAndJobImage() {
    let strict = CheckAllowList(images: ["busybox", "docker.io/"])
    let plain = VerifyStep.ImageCheck(reference: "busybox:1.36", timeoutSeconds: 60)
    let scripted = VerifyStep.ImageCheck(reference: "busybox:1.36", timeoutSeconds: 60, command: ["sh", "-c", "wget -qO- http://internal/"])
    let arguments = VerifyStep.ImageCheck(reference: "busybox:1.36", timeoutSeconds: 60, args: ["x"])
    #expect(strict.refusal(image: plain) == nil)
    #expect(strict.refusal(image: scripted)?.contains("checks.commands: true") == true)
    #expect(strict.refusal(image: arguments)?.contains("checks.commands: true") == true)
    #expect(CheckAllowList(images: ["busybox"], commands: true).refusal(image: scripted) == nil)
    #expect(CheckAllowList.any.refusal(image: scripted) == nil)
    // `docker.io/` covers every Docker Hub repository, not only library/.
    #expect(strict.images == ["docker.io/library/busybox", "docker.io/"])
    #expect(strict.refusal(image: VerifyStep.ImageCheck(reference: "acme/tool:2", timeoutSeconds: 60)) == nil)
    #expect(CheckAllowList(images: ["Index.Docker.IO/acme/"]).images == ["docker.io/acme/"])
    // The Job names the image as compared, so a runtime's short-name search cannot pick another registry.
    #expect(strict.jobImage(plain) == "docker.io/library/busybox:1.36")
    let digest = "sha256:" + String(repeating: "b", count: 64)
    #expect(strict.jobImage(VerifyStep.ImageCheck(reference: "Registry.Example/t@\(digest)", timeoutSeconds: 60)) == "registry.example/t@\(digest)")
    #expect(CheckAllowList.any.jobImage(plain) == "busybox:1.36")
  }

  @Test("an empty serviceAccountName is none: the pod gets no token")
  func emptyServiceAccount() throws {
    let parsed = VerifyStep.parse(["kind": "Image", "image": "registry.example/tools/verify", "serviceAccountName": ""], field: "spec.verify[0]")
    guard case .image(let check)? = parsed.step else { Issue.record("\(parsed)"); return }
    #expect(check.serviceAccountName == nil)
    let candidate = VerificationCandidate(kcd: ObjectReference(kind: "KCD", apiVersion: "kcd.dev/v1", namespace: "shop", name: "web"), repository: "registry.example/web",
                                          image: "i", digest: "d", version: "v", trigger: "t", workloads: [], requestID: "r")
    let pod = JobVerifier.job(check, image: check.reference, name: "j", candidate: candidate)["spec"]["template"]["spec"]
    #expect(pod["automountServiceAccountToken"] == false && pod["serviceAccountName"].isNull)
    #expect(CheckAllowList(serviceAccounts: []).refusal(image: check) == nil)
  }

  @Test("the config file's checks: parse, and what is refused")
  func config() throws {
    let c = try KcdConfig.parse(try YAML.parse("""
      checks:
        webhookURLs: [https://verify.example.com/kcd/]
        images: [registry.example/tools/, busybox]
        commands: true
        serviceAccounts: []
      """), source: "kcd.yaml")
    #expect(c.checks.commands)
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
      ("checks:\n  webhookURLs:\n", "checks.webhookURLs must be a list (write [] to allow none)"),
      ("checks: {images: null}", "checks.images must be a list"),
      ("checks: {commands: yes please}", "checks.commands must be true or false"),
      ("checks: {webhookURLs: [\"https://verify.example.com/kcd/..;/x\"]}", "checks.webhookURLs[0]"),
    ] {
      #expect(throws: UsageError.self, "\(text)") { try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml") }
      do { _ = try KcdConfig.parse(try YAML.parse(text), source: "kcd.yaml") } catch let e as UsageError {
        #expect(e.message.contains(saying), "\(text): \(e.message)")
      } catch {}
    }
  }
}
