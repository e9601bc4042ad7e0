import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import KcdServer
import KcdTestSupport
import Testing

/// `kcd hooks register` with the real binary: `--dry-run` for every source (the senders'
/// published API shapes, no secret, no request), the printed configurations, and the
/// Harbor / Quay / GitHub / GitLab paths against a loopback fake of their APIs.
@Suite(.timeLimit(.minutes(3)))
struct HooksRegisterTests {
  /// libcurl honours proxy variables; the fakes are local.
  static let environment = ["NO_PROXY": "*", "no_proxy": "*", "http_proxy": "", "HTTP_PROXY": "", "https_proxy": "", "HTTPS_PROXY": ""]

  /// A hooks folder with a file per source and credential files beside it.
  struct Fixture {
    let directory: String
    var hooks: String { directory + "/hooks" }
    let secrets: [String: String] = [
      "ecr": "ecr-api-key-0123456789abcdef0123456789abcdef", "harbor": "harbor-auth-secret-0123456789abcdef",
      "quay": "quaypathtoken0123456789abcdef", "github": "github-webhook-secret-0123456789",
      "ci": "whsec_" + Base64.encode(Array("ci key of thirty-two bytes long!".utf8)),
      "dockerhub": "dockerhubpathtoken0123456789abcdef", "distribution": "distribution-secret-0123456789abcdef",
    ]
    /// Every credential a run may use; none may ever be printed.
    var credentials: [String] {
      Array(secrets.values) + ["harbor-robot-password-123", ForgeFake.harborAuth.dropFirst(6).description, ForgeFake.quayToken, ForgeFake.githubToken, ForgeFake.gitlabToken]
    }

    init() {
      directory = TestEnvironment.makeTemporaryDirectory("kcd-register")
      _ = try? Subprocess.run(["mkdir", "-p", directory + "/hooks"])
      for (source, secret) in secrets { TestEnvironment.write(secret + "\n", to: "\(directory)/hooks/\(source)") }
      // kcd's own formats: SNS topics before the key, comments and settings in gcr.
      TestEnvironment.write("topic=arn:aws:sns:us-east-1:123456789012:pushes\n\(secrets["ecr"]!)\n", to: directory + "/hooks/ecr")
      TestEnvironment.write("# kcd\naudience=https://kcd.example.com/hooks/gcr\nemail=kcd-pusher@proj.iam.gserviceaccount.com\n", to: directory + "/hooks/gcr")
      TestEnvironment.write("harbor-robot-password-123\n", to: directory + "/harbor.password")
      TestEnvironment.write(ForgeFake.quayToken + "\n", to: directory + "/quay.token")
      TestEnvironment.write(ForgeFake.githubToken + "\n", to: directory + "/github.token")
      TestEnvironment.write(ForgeFake.gitlabToken + "\n", to: directory + "/gitlab.token")
    }

    /// The flags of `source` with its API at `api`.
    func flags(_ source: String, api: String) -> [String] {
      let common = ["hooks", "register", "--source", source, "--url", "https://kcd.example.com", "--hooks-secret-dir", hooks]
      switch source {
      case "ecr": return common + ["--region", "us-east-1", "--role-arn", "arn:aws:iam::123456789012:role/kcd-invoke"]
      case "harbor": return common + ["--harbor-url", api, "--project", "library", "--username", "robot$library+kcd", "--password-file", directory + "/harbor.password"]
      case "quay": return common + ["--quay-url", api, "--repository", "team/app", "--token-file", directory + "/quay.token"]
      case "github": return common + ["--api-url", api, "--org", "acme", "--token-file", directory + "/github.token"]
      case "gitlab": return common + ["--gitlab-url", api, "--project", "group/app", "--token-file", directory + "/gitlab.token"]
      default: return common
      }
    }

    func run(_ source: String, api: String, _ extra: [String] = [], environment: [String: String] = [:]) throws -> ProcessResult {
      try Subprocess.run([TestEnvironment.kcdBinary] + flags(source, api: api) + extra, environment: HooksRegisterTests.environment.merging(environment) { $1 }, timeout: 60)
    }

    /// No credential of the fixture in either stream.
    func expectNoSecret(_ r: ProcessResult, sourceLocation: SourceLocation = #_sourceLocation) {
      for secret in credentials { #expect(!r.stdout.contains(secret) && !r.stderr.contains(secret), "\(secret) was printed", sourceLocation: sourceLocation) }
    }

    func placeholder(_ source: String) -> String { "<secret from \(hooks)/\(source)>" }
  }

  /// A fixture, a fake of the forges' APIs, and the first run of `source` against them.
  static func firstRun(_ source: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (Fixture, ForgeFake, ProcessResult) {
    let f = Fixture(), fake = try ForgeFake()
    let first = try f.run(source, api: fake.url)
    #expect(first.status == 0, "\(first)", sourceLocation: sourceLocation)
    f.expectNoSecret(first, sourceLocation: sourceLocation)
    return (f, fake, first)
  }

  /// The JSON bodies of a dry run, in order.
  static func bodies(_ stdout: String) -> [JSON] {
    stdout.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap { try? JSON.parse(Array($0.utf8)) }
  }

  /// `METHOD URL` lines of a dry run.
  static func requestLines(_ stdout: String) -> [String] {
    stdout.split(separator: "\n").map(String.init).filter { ["GET ", "POST ", "PUT ", "PATCH ", "DELETE "].contains(where: $0.hasPrefix) }
  }

  @Test("--dry-run prints each sender's API calls with placeholders, no secret, and makes no request", arguments: ["ecr", "harbor", "quay", "github", "gitlab"])
  func dryRun(_ source: String) throws {
    let f = Fixture()
    // Nothing listens there: any request would fail the command.
    let closed = "http://127.0.0.1:\(try Tools.freePort())"
    let r = try f.run(source, api: closed, ["--dry-run"], environment: [
      "AWS_ENDPOINT_URL": closed, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SHARED_CREDENTIALS_FILE": f.directory + "/none",
    ])
    #expect(r.status == 0, "\(r)")
    f.expectNoSecret(r)
    let lines = Self.requestLines(r.stdout)
    let bodies = Self.bodies(r.stdout)
    switch source {
    case "ecr":
      #expect(lines.allSatisfy { $0 == "POST \(closed)/" }, "\(lines)")
      let targets = r.stdout.split(separator: "\n").filter { $0.hasPrefix("X-Amz-Target: ") }.map { String($0.dropFirst("X-Amz-Target: AWSEvents.".count)) }
      #expect(targets == ["DescribeConnection", "CreateConnection", "UpdateConnection", "DescribeApiDestination", "CreateApiDestination", "UpdateApiDestination",
                          "DescribeRule", "PutRule", "ListTargetsByRule", "PutTargets"])
      #expect(r.stdout.contains("Content-Type: application/x-amz-json-1.1"))
      #expect(r.stdout.contains("Authorization: <AWS SigV4 signature"))
      let connection = bodies[1]
      #expect(connection["AuthorizationType"] == "API_KEY")
      #expect(connection["AuthParameters"]["ApiKeyAuthParameters"] == ["ApiKeyName": "Authorization", "ApiKeyValue": .string("Bearer " + f.placeholder("ecr"))])
      #expect(Set(bodies[4].objectValue?.keys.map { $0 } ?? []) == ["Name", "Description", "ConnectionArn", "InvocationEndpoint", "HttpMethod", "InvocationRateLimitPerSecond"])
      #expect(bodies[4]["InvocationEndpoint"] == "https://kcd.example.com/hooks/ecr" && bodies[4]["HttpMethod"] == "POST")
      #expect(try JSON.parse(Array((bodies[7]["EventPattern"].stringValue ?? "").utf8))["detail-type"] == ["ECR Image Action"])
      #expect(bodies[7]["EventBusName"] == "default" && bodies[7]["State"] == "ENABLED")
      let target = bodies[9]["Targets"][0]
      #expect(Set(target.objectValue?.keys.map { $0 } ?? []) == ["Id", "Arn", "RoleArn", "RetryPolicy"])
    case "harbor":
      let policies = "\(closed)/api/v2.0/projects/library/webhook/policies"
      #expect(lines == ["GET \(policies)?page=1&page_size=100", "POST \(policies)", "PUT \(policies)/{id}"])
      #expect(r.stdout.contains("Authorization: Basic <base64 of robot$library+kcd:<password from \(f.directory)/harbor.password>>"))
      let policy = bodies[0]
      #expect(Set(policy.objectValue?.keys.map { $0 } ?? []) == ["name", "description", "enabled", "event_types", "targets"])
      #expect(policy["enabled"] == true && policy["event_types"] == ["PUSH_ARTIFACT"])
      #expect(policy["targets"] == [["type": "http", "address": "https://kcd.example.com/hooks/harbor", "auth_header": .string("Bearer " + f.placeholder("harbor")),
                                     "skip_cert_verify": false]])
    case "quay":
      let notifications = "\(closed)/api/v1/repository/team/app/notification/"
      #expect(lines == ["GET \(notifications)", "DELETE \(notifications){uuid}", "POST \(notifications)"])
      #expect(r.stdout.contains("Authorization: Bearer <token (an OAuth access token of a Quay application) from \(f.directory)/quay.token>"))
      #expect(bodies == [["event": "repo_push", "method": "webhook", "config": ["url": .string("https://kcd.example.com/hooks/quay/" + f.placeholder("quay"))],
                          "eventConfig": [:], "title": "kcd"]])
    case "github":
      #expect(lines == ["GET \(closed)/orgs/acme/hooks?per_page=100&page=1", "POST \(closed)/orgs/acme/hooks", "PATCH \(closed)/orgs/acme/hooks/{id}"])
      #expect(r.stdout.contains("Accept: application/vnd.github+json") && r.stdout.contains("X-GitHub-Api-Version: 2022-11-28"))
      #expect(r.stdout.contains("Authorization: Bearer <token"))
      let config: JSON = ["url": "https://kcd.example.com/hooks/github", "content_type": "json", "secret": .string(f.placeholder("github")), "insecure_ssl": "0"]
      #expect(bodies[0] == ["name": "web", "active": true, "events": ["package", "registry_package"], "config": config])
      #expect(bodies[1] == ["active": true, "events": ["package", "registry_package"], "config": config])
    case "gitlab":
      let variables = "\(closed)/api/v4/projects/group%2Fapp/variables"
      #expect(lines == ["GET \(variables)/KCD_URL", "POST \(variables)", "PUT \(variables)/KCD_URL",
                        "GET \(variables)/KCD_CI_KEY", "POST \(variables)", "PUT \(variables)/KCD_CI_KEY"])
      #expect(r.stdout.contains("PRIVATE-TOKEN: <token from \(f.directory)/gitlab.token>"))
      #expect(bodies[0] == ["key": "KCD_URL", "value": "https://kcd.example.com", "masked": false, "protected": false, "variable_type": "env_var"])
      #expect(bodies[2] == ["key": "KCD_CI_KEY", "value": .string(f.placeholder("ci")), "masked": true, "protected": true, "variable_type": "env_var"])
      #expect(bodies[3] == ["value": .string(f.placeholder("ci")), "masked": true, "protected": true])
    default:
      Issue.record("no expectations for \(source)")
    }
  }

  @Test("Docker Hub, Distribution and GCR: the configuration to paste, the secret only with --show-secret")
  func pastedConfigurations() throws {
    let f = Fixture()
    let hub = try f.run("dockerhub", api: "")
    #expect(hub.status == 0, "\(hub)")
    #expect(hub.stdout.contains("Webhook URL:  https://kcd.example.com/hooks/dockerhub/\(f.placeholder("dockerhub"))"), "\(hub.stdout)")
    f.expectNoSecret(hub)
    let hubShown = try f.run("dockerhub", api: "", ["--show-secret"])
    #expect(hubShown.stdout.contains("Webhook URL:  https://kcd.example.com/hooks/dockerhub/\(f.secrets["dockerhub"]!)\n"), "\(hubShown.stdout)")

    let distribution = try f.run("distribution", api: "")
    #expect(distribution.status == 0, "\(distribution)")
    f.expectNoSecret(distribution)
    for line in ["notifications:", "    - name: kcd", "      url: https://kcd.example.com/hooks/distribution",
                 "        Authorization: [\"Bearer \(f.placeholder("distribution"))\"]", "      timeout: 2s", "      threshold: 5", "      backoff: 5s",
                 "      ignoredmediatypes: [application/octet-stream]"] {
      #expect(distribution.stdout.contains(line + "\n"), "missing \(line): \(distribution.stdout)")
    }
    let distributionShown = try f.run("distribution", api: "", ["--show-secret"])
    #expect(distributionShown.stdout.contains("Authorization: [\"Bearer \(f.secrets["distribution"]!)\"]"))

    let gcr = try f.run("gcr", api: "")
    #expect(gcr.status == 0, "\(gcr)")
    #expect(gcr.stdout.contains("""
      gcloud pubsub subscriptions create kcd --topic gcr \\
        --push-endpoint https://kcd.example.com/hooks/gcr \\
        --push-auth-service-account kcd-pusher@proj.iam.gserviceaccount.com \\
        --push-auth-token-audience https://kcd.example.com/hooks/gcr
      """), "\(gcr.stdout)")
    let wrong = try f.run("gcr", api: "", ["--show-secret"])
    #expect(wrong.status == 2 && wrong.stderr.contains("--show-secret does not apply to --source gcr"), "\(wrong)")
  }

  @Test("Harbor: created, then only a list, then a changed secret updates the policy with PUT")
  func harbor() throws {
    let (f, fake, first) = try Self.firstRun("harbor")
    #expect(first.stdout.contains("webhook policy  library/kcd  created"), "\(first.stdout)")
    #expect(fake.calls == ["GET /api/v2.0/projects/library/webhook/policies", "POST /api/v2.0/projects/library/webhook/policies"])
    #expect(fake.requests.allSatisfy { $0.request.headers["Authorization"] == ForgeFake.harborAuth })
    let policy = try #require(fake.harborPolicies.first)
    #expect(policy["targets"][0]["auth_header"] == .string("Bearer " + f.secrets["harbor"]!))
    #expect(policy["targets"][0]["address"] == "https://kcd.example.com/hooks/harbor")
    #expect(policy["event_types"] == ["PUSH_ARTIFACT"])

    fake.clearRequests()
    let second = try f.run("harbor", api: fake.url)
    #expect(second.status == 0 && second.stdout.contains("unchanged"), "\(second)")
    #expect(fake.calls == ["GET /api/v2.0/projects/library/webhook/policies"])

    fake.clearRequests()
    TestEnvironment.write("harbor-rotated-secret-9876543210\nharbor-auth-secret-0123456789abcdef\n", to: f.hooks + "/harbor")
    let third = try f.run("harbor", api: fake.url)
    #expect(third.status == 0 && third.stdout.contains("updated"), "\(third)")
    #expect(fake.calls == ["GET /api/v2.0/projects/library/webhook/policies", "PUT /api/v2.0/projects/library/webhook/policies/\(policy["id"].intValue ?? 0)"])
    #expect(fake.harborPolicies.count == 1 && fake.harborPolicies[0]["targets"][0]["auth_header"] == "Bearer harbor-rotated-secret-9876543210")
    #expect(!third.stdout.contains("harbor-rotated-secret"))
  }

  @Test("Quay: created with the path token, then only a list, then a changed token replaces the notification")
  func quay() throws {
    let (f, fake, _) = try Self.firstRun("quay")
    let path = "/api/v1/repository/team/app/notification/"
    #expect(fake.calls == ["GET \(path)", "POST \(path)"])
    #expect(fake.requests.allSatisfy { $0.request.headers["Authorization"] == "Bearer \(ForgeFake.quayToken)" })
    #expect(fake.requests[1].body == ["event": "repo_push", "method": "webhook", "config": ["url": .string("https://kcd.example.com/hooks/quay/" + f.secrets["quay"]!)],
                                      "eventConfig": [:], "title": "kcd"])

    fake.clearRequests()
    let second = try f.run("quay", api: fake.url)
    #expect(second.status == 0 && second.stdout.contains("unchanged"), "\(second)")
    #expect(fake.calls == ["GET \(path)"])

    fake.clearRequests()
    let uuid = fake.quayNotifications[0]["uuid"].stringValue ?? ""
    TestEnvironment.write("quayrotatedtoken9876543210\n", to: f.hooks + "/quay")
    let third = try f.run("quay", api: fake.url)
    #expect(third.status == 0 && third.stdout.contains("replaced"), "\(third)")
    #expect(fake.calls == ["GET \(path)", "DELETE \(path)\(uuid)", "POST \(path)"])
    #expect(fake.quayNotifications.map { $0["config"]["url"] } == ["https://kcd.example.com/hooks/quay/quayrotatedtoken9876543210"])
  }

  @Test("GitHub: created, then no PATCH (the secret cannot be compared) unless --rotate, which sets the new secret")
  func github() throws {
    let (f, fake, _) = try Self.firstRun("github")
    #expect(fake.calls == ["GET /orgs/acme/hooks", "POST /orgs/acme/hooks"])
    #expect(fake.requests.allSatisfy { $0.request.headers["Authorization"] == "Bearer \(ForgeFake.githubToken)" })
    let hook = try #require(fake.githubHooks("orgs/acme").first)
    #expect(hook["config"] == ["url": "https://kcd.example.com/hooks/github", "content_type": "json", "secret": .string(f.secrets["github"]!), "insecure_ssl": "0"])
    #expect(hook["events"] == ["package", "registry_package"] && hook["name"] == "web" && hook["active"] == true)

    fake.clearRequests()
    TestEnvironment.write("github-rotated-secret-9876543210\n", to: f.hooks + "/github")
    let second = try f.run("github", api: fake.url)
    #expect(second.status == 0 && second.stdout.contains("unchanged") && second.stdout.contains("--rotate"), "\(second)")
    #expect(fake.calls == ["GET /orgs/acme/hooks"], "no PATCH without --rotate")

    fake.clearRequests()
    let rotated = try f.run("github", api: fake.url, ["--rotate"])
    #expect(rotated.status == 0 && rotated.stdout.contains("updated"), "\(rotated)")
    #expect(fake.calls == ["GET /orgs/acme/hooks", "PATCH /orgs/acme/hooks/\(hook["id"].intValue ?? 0)"])
    #expect(fake.githubHooks("orgs/acme")[0]["config"]["secret"] == "github-rotated-secret-9876543210")
    #expect(!rotated.stdout.contains("github-rotated-secret"))

    // A repository hook listens to `package` only.
    let repo = try Subprocess.run([TestEnvironment.kcdBinary] + f.flags("github", api: fake.url).filter { $0 != "--org" && $0 != "acme" } + ["--repo", "acme/app"],
                                  environment: Self.environment, timeout: 60)
    #expect(repo.status == 0, "\(repo)")
    #expect(fake.githubHooks("repos/acme/app").first?["events"] == ["package"])
  }

  @Test("GitLab: KCD_URL and KCD_CI_KEY (masked, protected) created, then only reads, then a new ci key updates KCD_CI_KEY only")
  func gitlab() throws {
    let (f, fake, _) = try Self.firstRun("gitlab")
    let base = "/api/v4/projects/group%2Fapp/variables"
    #expect(fake.calls == ["GET \(base)/KCD_URL", "POST \(base)", "GET \(base)/KCD_CI_KEY", "POST \(base)"])
    #expect(fake.requests.allSatisfy { $0.request.headers["PRIVATE-TOKEN"] == ForgeFake.gitlabToken })
    #expect(fake.gitlabVariables["KCD_URL"]?["value"] == "https://kcd.example.com")
    #expect(fake.gitlabVariables["KCD_CI_KEY"]?["value"] == .string(f.secrets["ci"]!))
    #expect(fake.gitlabVariables["KCD_CI_KEY"]?["masked"] == true && fake.gitlabVariables["KCD_CI_KEY"]?["protected"] == true)

    fake.clearRequests()
    let second = try f.run("gitlab", api: fake.url)
    #expect(second.status == 0, "\(second)")
    #expect(fake.calls == ["GET \(base)/KCD_URL", "GET \(base)/KCD_CI_KEY"])

    fake.clearRequests()
    let rotated = "whsec_" + Base64.encode(Array("a rotated ci key, 32 bytes long!".utf8))
    TestEnvironment.write(rotated + "\n", to: f.hooks + "/ci")
    let third = try f.run("gitlab", api: fake.url)
    #expect(third.status == 0, "\(third)")
    #expect(fake.calls == ["GET \(base)/KCD_URL", "GET \(base)/KCD_CI_KEY", "PUT \(base)/KCD_CI_KEY"])
    #expect(fake.gitlabVariables["KCD_CI_KEY"]?["value"] == .string(rotated))
    #expect(!third.stdout.contains(rotated))
  }

  @Test("KCD_CI_KEY is the first key of the ci file kcd run reads, and kcd accepts a callback signed with it")
  func ciKeyIsTheOneKcdReads() throws {
    let f = Fixture(), fake = try ForgeFake()
    // A blank line and a line that is no Standard Webhooks key come first: kcd skips both.
    let key = "whsec_" + Base64.encode(Array("the key CI signs with, 32 bytes.".utf8))
    TestEnvironment.write("\n   \nwhsec_!!not-base64!!\n\(key)\n\(f.secrets["ci"]!)\n", to: f.hooks + "/ci")
    let r = try f.run("gitlab", api: fake.url)
    #expect(r.status == 0, "\(r)")
    let registered = try #require(fake.gitlabVariables["KCD_CI_KEY"]?["value"].stringValue)
    #expect(registered == key)

    let lines = try #require(HookSecrets(directory: f.hooks).secrets(for: "ci"))
    let source = try #require(try HookSourceFactory(fetch: { _ in [] }).make("ci", lines))
    let body = Array(#"{"repository":"registry.example/team/app","tag":"v1"}"#.utf8)
    let timestamp = String(Int64(Timestamps.now()))
    let signature = StandardWebhooks.signature(key: try StandardWebhooks.Key(secret: registered), id: "msg_1", timestamp: timestamp, body: body)
    let headers = ["webhook-id": "msg_1", "webhook-timestamp": timestamp, "webhook-signature": signature]
    let outcome = try source.handle(HookRequest(header: { headers[$0.lowercased()] }, body: body, now: Timestamps.now()))
    guard case .events(let events) = outcome else { Issue.record("not accepted: \(outcome)"); return }
    #expect(events.first?.tag == "v1")
  }

  @Test("usage errors exit 2 and say what is wrong", arguments: [
    (["--source", "harbor", "--org", "acme"], "--org does not apply to --source harbor"),
    (["--source", "ecr", "--url", "http://kcd.example.com"], "--url must be https:// for --source ecr"),
    (["--source", "ecr", "--region", "us-east-1"], "--role-arn is required"),
    (["--source", "github", "--org", "a", "--repo", "a/b"], "give one of --org ORG or --repo OWNER/NAME"),
    (["--source", "quay", "--repository", "team/app", "--url", "https://user:pw@kcd.example.com"], "--url must not carry a user or password"),
    (["--source", "sns"], "--source must be one of distribution, dockerhub, ecr, gcr, github, gitlab, harbor, quay"),
  ])
  func usageErrors(_ args: [String], _ message: String) throws {
    let f = Fixture()
    let url = args.contains("--url") ? [] : ["--url", "https://kcd.example.com"]
    let r = try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "register", "--hooks-secret-dir", f.hooks] + url + args,
                               environment: Self.environment, timeout: 30)
    #expect(r.status == 2, "\(r)")
    #expect(r.stderr.hasPrefix("kcd: " + message), "\(r)")
    #expect(!r.stderr.contains("pw@"))
  }

  @Test("an API error is one line naming the call and status, exit 1, with any echoed credential redacted")
  func apiError() throws {
    let f = Fixture(), fake = try ForgeFake()
    TestEnvironment.write("quay-wrong-token-value\n", to: f.directory + "/quay.token")
    let r = try f.run("quay", api: fake.url)
    #expect(r.status == 1, "\(r)")
    // The fake echoes the token it got, as a careless API might.
    #expect(r.stderr == "kcd: Quay GET /api/v1/repository/team/app/notification/ answered 401: bad token <redacted>\n", "\(r)")
    #expect(!r.stderr.contains("quay-wrong-token-value") && !r.stdout.contains("quay-wrong-token-value"))

    let missing = try f.run("harbor", api: fake.url, ["--secret-file", f.directory + "/nothing"])
    #expect(missing.status == 1 && missing.stderr.contains("cannot read \(f.directory)/nothing"), "\(missing)")
  }
}
