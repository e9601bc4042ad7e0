import KcdCore
import KcdHTTP
import KcdRegistry

/// `kcd registry resolve|tags`: what CI and operators run against a registry — the digest a
/// tag names, the tags of a repository or of one image, and CI's re-tagging step.
enum RegistryCommand {
  static let usage = """
    Usage: kcd registry resolve R:T [credentials]
           kcd registry tags get --repo R [--version V] [credentials]
           kcd registry tags add --repo R --version V --tags a,b [credentials]
           kcd registry tags remove --repo R --tags a,b [credentials]

    resolve prints the digest tag T of repository R points at (HEAD, all manifest types accepted).
    tags get lists the tags of R, sorted; with --version V only those on the same image as tag V.
    tags add points each tag at the image of tag V (the same manifest bytes, so the same digest).
    tags remove needs the registry's own API (ECR); the OCI distribution API cannot delete a tag.

    ECR repositories (<account>.dkr.ecr.<region>.amazonaws.com/…) go through ECR's API, signed
    with AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY[/AWS_SESSION_TOKEN], IRSA
    (AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE), EKS Pod Identity, or AWS_PROFILE in
    ~/.aws/credentials; AWS_ENDPOINT_URL_ECR / AWS_ENDPOINT_URL override the endpoint.

    Credentials: --username U --password-file F   HTTP Basic / token-service credentials for R's host
                 --docker-config F                a config.json / dockerconfigjson or .dockercfg file
                 --insecure-registry HOST         plain HTTP for HOST (repeatable; localhost and
                                                  127.0.0.0/8 always are)
    """

  static let command = Command(name: "registry", summary: "resolve tags and list or add tags in a registry", usage: usage) { args in
    guard let sub = args.first else { throw UsageError("registry needs a sub-command: resolve or tags") }
    let rest = Array(args.dropFirst())
    switch sub {
    case "resolve": return try resolve(rest)
    case "tags":
      guard let verb = rest.first else { throw UsageError("registry tags needs get, add or remove") }
      switch verb {
      case "get": return try getTags(Array(rest.dropFirst()))
      case "add": return try addTags(Array(rest.dropFirst()))
      case "remove": return try removeTags(Array(rest.dropFirst()))
      default: throw UsageError("unknown registry tags sub-command \(verb)")
      }
    default: throw UsageError("unknown registry sub-command \(sub)")
    }
  }

  static let credentialFlags: Set<String> = ["username", "password-file", "docker-config", "insecure-registry"]

  static func resolve(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: credentialFlags)
    guard a.positionals.count == 1 else { throw UsageError("resolve takes one reference, R:T") }
    let (repository, tag, digest) = ImageName.splitReference(a.positionals[0])
    guard let reference = tag ?? digest else { throw UsageError("\(a.positionals[0]) has no tag; write R:T") }
    let client = try client(for: repository, a)
    Console.out(try client.resolve(repository: repository, tag: reference).digest)
    return 0
  }

  static func getTags(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: credentialFlags.union(["repo", "version"]))
    let repository = try repo(a)
    let client = try client(for: repository, a)
    let tags: [String]
    if let version = a.value("version") {
      tags = try client.tags(repository: repository, sameDigestAs: version)
    } else {
      tags = try client.tags(repository: repository)
    }
    for tag in tags.sorted() { Console.out(tag) }
    return 0
  }

  static func addTags(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: credentialFlags.union(["repo", "version", "tags"]))
    let repository = try repo(a)
    guard let version = a.value("version") else { throw UsageError("--version is required (the tag whose image gets the new tags)") }
    let tags = try tagList(a)
    let client = try client(for: repository, a)
    try client.addTags(repository: repository, version: version, tags: tags)
    Console.out("tagged \(repository):\(version) as \(tags.joined(separator: ", "))")
    return 0
  }

  static func removeTags(_ args: [String]) throws -> Int32 {
    let a = try Arguments(args, valueFlags: credentialFlags.union(["repo", "version", "tags"]))
    let repository = try repo(a)
    let tags = try tagList(a)
    let client = try client(for: repository, a)
    for tag in tags { try client.removeTag(repository: repository, tag: tag) }
    Console.out("removed \(tags.joined(separator: ", ")) from \(repository)")
    return 0
  }

  static func repo(_ a: Arguments) throws(UsageError) -> String {
    guard let repository = a.value("repo"), !repository.isEmpty else { throw UsageError("--repo is required") }
    return repository
  }

  static func tagList(_ a: Arguments) throws(UsageError) -> [String] {
    let tags = a.all("tags").flatMap { $0.split(separator: ",") }.map { String($0).trimmingSpaces() }.filter { !$0.isEmpty }
    guard !tags.isEmpty else { throw UsageError("--tags is required (comma-separated)") }
    return tags
  }

  /// The client for the repository's host: ECR hosts need the ECR client, others get the OCI
  /// client with the credentials from the flags.
  static func client(for repository: String, _ a: Arguments) throws -> any RegistryClient {
    let name = try ImageName(repository)
    var options = OCIRegistryClient.Options()
    options.userAgent = "kcd/\(KcdCLI.version)"
    options.insecureRegistries = a.all("insecure-registry")
    if let path = a.value("docker-config") {
      options.credentials = try RegistryCredentials.parseDockerConfig(try FileIO.read(path, limit: 1 << 20))
    }
    if let username = a.value("username") {
      guard let path = a.value("password-file") else { throw UsageError("--username needs --password-file") }
      var password = String(decoding: try FileIO.read(path, limit: 64 * 1024), as: UTF8.self)
      while let last = password.last, last == "\n" || last == "\r" { password.removeLast() }
      options.credentials.set(.basic(username: username, password: password), forHost: name.registry)
    } else if a.value("password-file") != nil {
      throw UsageError("--password-file needs --username")
    }
    // ECR hosts use ECR's own API with AWS credentials (environment, IRSA, EKS Pod Identity, profile).
    var ecrOptions = ECRClient.Options()
    ecrOptions.userAgent = options.userAgent
    return try RegistryClientFactory(oci: OCIRegistryClient(options: options), ecr: ECRClient(options: ecrOptions).factory).client(for: repository)
  }
}
