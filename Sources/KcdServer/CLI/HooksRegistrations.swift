import KcdCore

/// The API registrations of `kcd hooks register`, built from its flags. Credentials come from
/// files only, and each one joins the redactor so no error can print it.
enum HooksRegistrations {
  static func make(_ source: String, _ a: Arguments, base: String, name: String, secret: SecretValue, redactor: inout Redactor) throws -> any HookRegistration {
    switch source {
    case "ecr": return try ecr(a, base: base, name: name, secret: secret)
    case "harbor":
      guard let project = a.value("project") else { throw UsageError("--project is required (the Harbor project's name)") }
      guard let username = a.value("username") else { throw UsageError("--username is required (a robot account, e.g. robot$\(project)+kcd)") }
      let password = try SecretValue.credential(file: a.value("password-file"), flag: "password-file", what: "password")
      redactor.add(password)
      let basic = SecretValue(value: "Basic " + Base64.encode(Array("\(username):\(password.value)".utf8)),
                              placeholder: "Basic <base64 of \(username):\(password.placeholder)>")
      let api = WebAPI(name: "Harbor", base: try HooksRegisterCommand.httpURL(a.value("harbor-url"), flag: "harbor-url"), credential: ("Authorization", basic),
                       headers: [("X-Is-Resource-Name", "true")], redactor: redactor)
      return HarborRegistration(api: api, project: project, policyName: name, endpoint: HookEndpoint(url: base + "/hooks/harbor", secret: secret))
    case "quay":
      guard let repository = a.value("repository"), repository.split(separator: "/", omittingEmptySubsequences: false).count == 2,
        !repository.hasPrefix("/"), !repository.hasSuffix("/")
      else { throw UsageError("--repository is required as NAMESPACE/REPOSITORY") }
      let token = try bearer(a, "an OAuth access token of a Quay application", &redactor)
      let api = WebAPI(name: "Quay", base: try HooksRegisterCommand.httpURL(a.value("quay-url") ?? "https://quay.io", flag: "quay-url"),
                       credential: ("Authorization", token), redactor: redactor)
      return QuayRegistration(api: api, repository: repository, title: name, endpoint: HookEndpoint(url: base + "/hooks/quay", secret: secret))
    case "github":
      let owner: String
      switch (a.value("org"), a.value("repo")) {
      case (let org?, nil): owner = "/orgs/" + WebRequest.segment(org)
      case (nil, let repo?):
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw UsageError("--repo must be OWNER/NAME") }
        owner = "/repos/" + WebRequest.segment(parts[0]) + "/" + WebRequest.segment(parts[1])
      default: throw UsageError("give one of --org ORG or --repo OWNER/NAME")
      }
      let token = try bearer(a, "a GitHub token allowed to manage webhooks", &redactor)
      let api = WebAPI(name: "GitHub", base: try HooksRegisterCommand.httpURL(a.value("api-url") ?? "https://api.github.com", flag: "api-url"),
                       credential: ("Authorization", token),
                       headers: [("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")], redactor: redactor)
      return GitHubRegistration(api: api, owner: owner, endpoint: HookEndpoint(url: base + "/hooks/github", secret: secret), rotate: a.has("rotate"))
    case "gitlab":
      guard let project = a.value("project") else { throw UsageError("--project is required (the GitLab project's id or path, e.g. group/app)") }
      let token = try SecretValue.credential(file: a.value("token-file"), flag: "token-file", what: "token")
      redactor.add(token)
      let api = WebAPI(name: "GitLab", base: try HooksRegisterCommand.httpURL(a.value("gitlab-url") ?? "https://gitlab.com", flag: "gitlab-url"),
                       credential: ("PRIVATE-TOKEN", token), redactor: redactor)
      return GitLabRegistration(api: api, project: project, baseURL: base, ciKey: secret)
    default:
      throw UsageError("--source \(source) has no registration API")
    }
  }

  /// `--token-file`, sent as `Authorization: Bearer <token>`.
  static func bearer(_ a: Arguments, _ what: String, _ redactor: inout Redactor) throws -> SecretValue {
    let token = try SecretValue.credential(file: a.value("token-file"), flag: "token-file", what: "token (\(what))")
    redactor.add(token)
    return SecretValue(value: "Bearer " + token.value, placeholder: "Bearer " + token.placeholder)
  }

  static func ecr(_ a: Arguments, base: String, name: String, secret: SecretValue) throws -> ECRRegistration {
    guard let region = a.value("region") ?? Environment.value("AWS_REGION").flatMap({ $0.isEmpty ? nil : $0 }) ?? Environment.value("AWS_DEFAULT_REGION"),
      !region.isEmpty, region.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
    else { throw UsageError("--region is required (or AWS_REGION / AWS_DEFAULT_REGION)") }
    guard let role = a.value("role-arn"), role.hasPrefix("arn:"), role.contains(":role/") else {
      throw UsageError("--role-arn is required: the ARN of an IAM role EventBridge may assume, allowed events:InvokeApiDestination")
    }
    let rate = try a.int("rate-limit") ?? 20
    guard (1...300).contains(rate) else { throw UsageError("--rate-limit must be from 1 to 300 invocations per second") }
    if secret.value.count < 32 {
      Console.err("kcd: warning: the ecr key is short; the Connection's description records a fingerprint of it, which helps guess a short key (use openssl rand -hex 32)")
    }
    let setup = ECRHookSetup(prefix: name, endpoint: HookEndpoint(url: base + "/hooks/ecr", secret: secret), roleARN: role, rateLimit: rate, repositoryPrefixes: a.all("repository-prefix"))
    return ECRRegistration(events: EventBridge(region: region, environment: ProcessRunner.currentEnvironment()), setup: setup)
  }
}
