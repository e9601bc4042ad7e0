import KcdCore
import KcdCrypto
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// ECR end to end against moto with IAM enforcement switched on, so moto recomputes every
/// request's SigV4 signature (botocore's signer) and checks the key's IAM policy: through the
/// Swift API and through the real `kcd` binary, with static keys and with IRSA (moto's STS).
@Suite(.timeLimit(.minutes(5)))
struct ECRMotoTests {
  static let host = "123456789012.dkr.ecr.us-east-1.amazonaws.com"
  static let a = ECRTestManifest.oci("moto-A")
  static let b = ECRTestManifest.oci("moto-B")

  /// moto with repository `name`, image A as `3ae8d1b` and `env-dev`, image B as `4bf9e2c`,
  /// pushed by digest, and authentication enforced from then on.
  static func seeded(_ name: String, unauthenticated: Int = 0) throws -> (MotoServer, MotoServer.Setup, ECRClient) {
    let moto = try MotoServer()
    let setup = try moto.setUp(repositories: [name])
    try moto.enforceAuthentication()
    let client = client(moto, setup.accessKeyID, setup.secretAccessKey)
    let repo = try ECRRepository(repository: "\(host)/\(name)")
    for (manifest, tag) in [(a, "3ae8d1b"), (a, "env-dev"), (b, "4bf9e2c")] {
      try client.putImage(repo, manifest: manifest.text, mediaType: manifest.mediaType, tag: tag, digest: manifest.digest)
    }
    if unauthenticated > 0 { try moto.enforceAuthentication(after: unauthenticated) }
    return (moto, setup, client)
  }

  static func client(_ moto: MotoServer, _ id: String, _ secret: String) -> ECRClient {
    var options = ECRClient.Options(environment: ["AWS_ENDPOINT_URL": moto.url])
    options.retryBaseDelay = 0.05
    return ECRClient(options: options, credentials: StaticAWSCredentials(.init(accessKeyID: id, secretAccessKey: secret)))
  }

  @Test("Swift API: resolve, list, re-tag (idempotent), tags of a version and of a digest, remove, not-found errors")
  func swiftAPI() throws {
    let (moto, setup, client) = try Self.seeded("nearmap/photos")
    _ = moto
    let repository = "\(Self.host)/nearmap/photos"
    #expect(try client.resolve(repository: repository, tag: "env-dev") == ResolvedManifest(digest: Self.a.digest, mediaType: ManifestMediaType.ociManifest))
    #expect(try client.resolve(repository: repository, tag: Self.b.digest).digest == Self.b.digest)
    #expect(try client.tags(repository: repository) == ["3ae8d1b", "4bf9e2c", "env-dev"])

    try client.addTags(repository: repository, version: "4bf9e2c", tags: ["env-prod", "env-dev"])
    try client.addTags(repository: repository, version: "4bf9e2c", tags: ["env-prod"])  // already there: ImageAlreadyExists is success
    #expect(try client.resolve(repository: repository, tag: "env-dev").digest == Self.b.digest)
    #expect(try client.tags(repository: repository, sameDigestAs: "env-prod") == ["env-prod", "4bf9e2c", "env-dev"])
    #expect(try client.tags(repository: repository, pointingAt: Self.a.digest) == ["3ae8d1b"])
    let fetched = try client.manifest(ECRRepository(repository: repository), .tag("env-prod"))
    #expect(fetched.manifest == Self.b.text && fetched.id.digest == Self.b.digest)

    try client.removeTag(repository: repository, tag: "env-prod")
    #expect(try client.tags(repository: repository, pointingAt: Self.b.digest) == ["4bf9e2c", "env-dev"])

    let gone = try #require(registryError { try client.removeTag(repository: repository, tag: "env-prod") })
    #expect(gone.isNotFound && gone.message == "ECR BatchDeleteImage failed for nearmap/photos:env-prod: ImageNotFound (Requested image not found)")
    let unknown = try #require(registryError { _ = try client.resolve(repository: repository, tag: "nope") })
    #expect(unknown.isNotFound && unknown.message.contains("ImageNotFoundException"), "\(unknown)")
    let noRepo = try #require(registryError { _ = try client.tags(repository: "\(Self.host)/nearmap/absent") })
    #expect(noRepo.isNotFound && noRepo.message.contains("RepositoryNotFoundException"), "\(noRepo)")

    // moto checks signatures: the same call with a wrong secret is refused.
    let forged = Self.client(moto, setup.accessKeyID, setup.secretAccessKey + "x")
    let refused = try #require(registryError { _ = try forged.tags(repository: repository) })
    #expect(refused.isUnauthorized && refused.status == 403 && refused.message.contains("SignatureDoesNotMatch"), "\(refused)")
  }

  static func kcd(_ args: [String], _ env: [String: String]) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary, "registry"] + args, environment: env, timeout: 120)
  }

  /// Environment for the binary: only what is set here may choose credentials.
  static func environment(_ moto: MotoServer, _ extra: [String: String]) -> [String: String] {
    var env = ["AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": "", "AWS_SESSION_TOKEN": "",
               "AWS_ROLE_ARN": "", "AWS_WEB_IDENTITY_TOKEN_FILE": "", "AWS_CONTAINER_CREDENTIALS_FULL_URI": "",
               "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI": "", "AWS_SHARED_CREDENTIALS_FILE": moto.directory + "/no-credentials", "AWS_PROFILE": ""]
    for (k, v) in extra { env[k] = v }
    return env
  }

  @Test("kcd registry tags add|get|remove and resolve on an ECR repository, with keys from the environment")
  func cli() throws {
    let (moto, setup, _) = try Self.seeded("team/app")
    let env = Self.environment(moto, ["AWS_ACCESS_KEY_ID": setup.accessKeyID, "AWS_SECRET_ACCESS_KEY": setup.secretAccessKey])
    let repo = "\(Self.host)/team/app"

    let resolved = try Self.kcd(["resolve", "\(repo):env-dev"], env)
    #expect(resolved.status == 0 && resolved.stdout == Self.a.digest + "\n", "\(resolved)")
    let added = try Self.kcd(["tags", "add", "--repo", repo, "--version", "4bf9e2c", "--tags", "env-prod,env-dev"], env)
    #expect(added.status == 0, "\(added)")
    let all = try Self.kcd(["tags", "get", "--repo", repo], env)
    #expect(all.status == 0 && all.stdout == "3ae8d1b\n4bf9e2c\nenv-dev\nenv-prod\n", "\(all)")
    let ofVersion = try Self.kcd(["tags", "get", "--repo", repo, "--version", "4bf9e2c"], env)
    #expect(ofVersion.stdout == "4bf9e2c\nenv-dev\nenv-prod\n", "\(ofVersion)")
    let moved = try Self.kcd(["resolve", "\(repo):env-dev"], env)
    #expect(moved.stdout == Self.b.digest + "\n", "\(moved)")
    let removed = try Self.kcd(["tags", "remove", "--repo", repo, "--tags", "env-prod"], env)
    #expect(removed.status == 0, "\(removed)")
    #expect(try Self.kcd(["tags", "get", "--repo", repo, "--version", "4bf9e2c"], env).stdout == "4bf9e2c\nenv-dev\n")

    let missing = try Self.kcd(["resolve", "\(repo):nope"], env)
    #expect(missing.status == 1 && missing.stdout.isEmpty && missing.stderr.contains("ImageNotFoundException"), "\(missing)")
    let forged = try Self.kcd(["resolve", "\(repo):env-dev"], env.merging(["AWS_SECRET_ACCESS_KEY": "wrong"]) { _, new in new })
    #expect(forged.status == 1 && forged.stderr.contains("SignatureDoesNotMatch") && !forged.stderr.contains("wrong"), "\(forged)")
    let anonymous = try Self.kcd(["resolve", "\(repo):env-dev"], Self.environment(moto, [:]))
    #expect(anonymous.status == 1 && anonymous.stderr.contains("no AWS credentials"), "\(anonymous)")
  }

  @Test("kcd registry with IRSA: the token file is exchanged at moto's STS, and the temporary keys sign ECR calls moto accepts")
  func cliWithWebIdentity() throws {
    // One unauthenticated request (the unsigned AssumeRoleWithWebIdentity), then every call checked.
    let (moto, setup, _) = try Self.seeded("team/irsa", unauthenticated: 1)
    TestEnvironment.write("eyJhbGciOiJSUzI1NiJ9.e30.c2ln\n", to: moto.directory + "/token")
    let env = Self.environment(moto, ["AWS_ROLE_ARN": setup.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": moto.directory + "/token"])
    let r = try Self.kcd(["tags", "add", "--repo", "\(Self.host)/team/irsa", "--version", "3ae8d1b", "--tags", "env-irsa"], env)
    #expect(r.status == 0, "\(r)")
    let client = Self.client(moto, setup.accessKeyID, setup.secretAccessKey)
    #expect(try client.tags(repository: "\(Self.host)/team/irsa", pointingAt: Self.a.digest) == ["3ae8d1b", "env-dev", "env-irsa"])
  }
}
