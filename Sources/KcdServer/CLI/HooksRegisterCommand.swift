import KcdCore

/// `kcd hooks register`: points a sender at kcd with the secret kcd itself reads
/// (`<hooks-secret-dir>/<source>`), through the sender's API where it has one, else by printing
/// the configuration to paste. Idempotent; `--dry-run` prints the requests instead.
enum HooksRegisterCommand {
  static let common: Set<String> = ["source", "url", "hooks-secret-dir", "secret-file", "name", "dry-run"]
  static let switches: Set<String> = ["dry-run", "show-secret", "rotate"]
  /// The flags each source takes besides the common ones.
  static let flags: [String: Set<String>] = [
    "ecr": ["region", "role-arn", "repository-prefix", "rate-limit"],
    "harbor": ["harbor-url", "project", "username", "password-file"],
    "quay": ["quay-url", "repository", "token-file"],
    "github": ["org", "repo", "token-file", "api-url", "rotate"],
    "gitlab": ["gitlab-url", "project", "token-file"],
    "dockerhub": ["show-secret"],
    "distribution": ["show-secret"],
    "gcr": [],
  ]

  static func run(_ args: [String]) throws -> Int32 {
    let all = flags.values.reduce(common, { $0.union($1) })
    let a = try Arguments(args, valueFlags: all.subtracting(switches), switchFlags: switches)
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    guard let source = a.value("source") else { throw UsageError("--source is required: one of \(flags.keys.sorted().joined(separator: ", "))") }
    guard let allowed = flags[source] else { throw UsageError("--source must be one of \(flags.keys.sorted().joined(separator: ", ")), not \(source)") }
    for flag in Set(a.values.keys).union(a.switches) where !common.contains(flag) && !allowed.contains(flag) {
      throw UsageError("--\(flag) does not apply to --source \(source)")
    }
    let base = try httpURL(a.value("url"), flag: "url")
    // EventBridge API destinations and Pub/Sub push subscriptions deliver over HTTPS only.
    if source == "ecr" || source == "gcr", !base.hasPrefix("https://") { throw UsageError("--url must be https:// for --source \(source)") }
    let directory = a.value("hooks-secret-dir") ?? Environment.value("KCD_HOOKS_SECRET_DIR") ?? KcdRuntime.Options().hooksSecretDirectory
    // GitLab's path to kcd is the CI callback: it carries the `ci` key.
    let file = a.value("secret-file") ?? directory + "/" + (source == "gitlab" ? "ci" : source)
    let rendering: Rendering = a.has("show-secret") ? .send : .show
    let name = try objectName(a.value("name") ?? "kcd")

    switch source {
    case "dockerhub":
      Console.out(PastedConfiguration.dockerHub(hookBase: base, token: try SecretValue.hookSecret(source: source, file: file), file: file, rendering: rendering))
      return 0
    case "distribution":
      Console.out(PastedConfiguration.distribution(hookBase: base, secret: try SecretValue.hookSecret(source: source, file: file), file: file, rendering: rendering))
      return 0
    case "gcr":
      let lines = HookSecrets.lines(try FileIO.read(file, limit: HookSecrets.maximumFileBytes))
      Console.out(try PastedConfiguration.gcr(hookBase: base, lines: lines, file: file, subscription: name))
      return 0
    default:
      break
    }

    let secret = try SecretValue.hookSecret(source: source == "gitlab" ? "ci" : source, file: file)
    var redactor = Redactor()
    redactor.add(secret)
    let registration = try HooksRegistrations.make(source, a, base: base, name: name, secret: secret, redactor: &redactor)
    if a.has("dry-run") {
      Console.out(redactor.scrub(ShownRequest.listing(registration.shown(), source: source)))
      return 0
    }
    let rows: [RegisterOutcome]
    do {
      rows = try registration.apply()
    } catch {
      throw RegisterError(redactor.scrub("\(error)"))
    }
    Console.out(RegisterOutcome.table(rows))
    return 0
  }

  /// An `http(s)://host[/path]` URL without a trailing slash, query, fragment or user info
  /// (which would be printed).
  static func httpURL(_ value: String?, flag: String) throws(UsageError) -> String {
    guard var url = value else { throw UsageError("--\(flag) is required") }
    while url.hasSuffix("/") { url.removeLast() }
    let scheme = url.hasPrefix("https://") ? 8 : url.hasPrefix("http://") ? 7 : 0
    let authority = url.dropFirst(scheme).prefix { $0 != "/" }
    guard !authority.contains("@") else { throw UsageError("--\(flag) must not carry a user or password") }
    guard scheme > 0, !authority.isEmpty, !url.contains("?"), !url.contains("#"), !url.contains(" ") else {
      throw UsageError("--\(flag) must be an http(s) URL such as https://kcd.example.com, got \"\(url)\"")
    }
    return url
  }

  /// `--name`: a prefix EventBridge, Harbor, Quay and Pub/Sub all accept.
  static func objectName(_ name: String) throws(UsageError) -> String {
    guard (1...40).contains(name.count), name.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "-" || $0 == "_" || $0 == ".") }),
      name.first?.isLetter == true
    else { throw UsageError("--name must start with a letter and hold up to 40 letters, digits, '-', '_' or '.'") }
    return name
  }
}
