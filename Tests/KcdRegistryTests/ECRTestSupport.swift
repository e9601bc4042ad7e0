import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback stand-in for an AWS endpoint (ECR, STS, a container credentials agent): hands
/// each request and its 0-based index to `handler`, and keeps every request for the test.
final class AWSFakeServer: Sendable {
  let server: HTTPServer
  let seen = ECRLocked<[HTTPRequest]>([])

  init(_ handler: @escaping @Sendable (HTTPRequest, Int) -> HTTPResponse) throws {
    let seen = self.seen
    var configuration = HTTPServerConfiguration(address: "127.0.0.1:0")
    configuration.maximumBodyBytes = 4 << 20
    server = try HTTPServer(configuration: configuration, handler: HTTPClosureHandler { request in
      let index = seen.with { (all: inout [HTTPRequest]) -> Int in
        all.append(request)
        return all.count - 1
      }
      return handler(request, index)
    })
  }

  var url: String { "http://127.0.0.1:\(server.port)" }
  var requests: [HTTPRequest] { seen.current }
  func stop() { server.shutdown(grace: 1) }
}

/// Checks a received request's SigV4 signature the way AWS does: rebuild the canonical
/// request from the headers it names as signed, as they arrived, and compare signatures.
/// Proves the client signed exactly what curl sent (Host with port, body bytes).
enum SigV4Check {
  struct Parsed {
    let accessKeyID: String
    let scope: [String]
    let signedHeaders: [String]
    let signature: String
  }

  static func parse(_ authorization: String?) -> Parsed? {
    guard let value = authorization, value.hasPrefix("AWS4-HMAC-SHA256 ") else { return nil }
    var fields: [String: String] = [:]
    for part in value.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
      let item = part.trimmingSpaces()
      guard let eq = item.firstIndex(of: "=") else { return nil }
      fields[String(item[..<eq])] = String(item[item.index(after: eq)...])
    }
    guard let credential = fields["Credential"], let signed = fields["SignedHeaders"], let signature = fields["Signature"] else { return nil }
    let pieces = credential.split(separator: "/").map(String.init)
    guard pieces.count == 5 else { return nil }
    return Parsed(accessKeyID: pieces[0], scope: Array(pieces[1...]), signedHeaders: signed.split(separator: ";").map(String.init), signature: signature)
  }

  /// True when `request` carries a valid signature by `secret`.
  static func isValid(_ request: HTTPRequest, secret: String, token: String? = nil) -> Bool {
    guard let parsed = parse(request.headers["Authorization"]), let amzDate = request.headers["X-Amz-Date"], amzDate.utf8.count == 16 else { return false }
    let d = Array(amzDate)
    let rfc = "\(String(d[0..<4]))-\(String(d[4..<6]))-\(String(d[6..<8]))T\(String(d[9..<11])):\(String(d[11..<13])):\(String(d[13..<15]))Z"
    guard let time = Timestamps.parse(rfc) else { return false }
    let headers = request.headers.fields.filter { parsed.signedHeaders.contains($0.name.lowercased()) }
    let query = request.target.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
    let rebuilt = SigV4Request(method: request.method, path: request.path, query: query, headers: headers, body: request.body)
    let signer = SigV4Signer(region: parsed.scope[1], service: parsed.scope[2])
    let credentials = AWSSigningCredentials(accessKeyID: parsed.accessKeyID, secretAccessKey: secret, sessionToken: token)
    return signer.sign(rebuilt, credentials: credentials, at: time).signature == parsed.signature
  }
}

/// `moto_server` on a free loopback port, stopped when the value goes away. Fails (never
/// skips) when moto is not installed: `scripts/setup.sh` installs `moto[server]`.
final class MotoServer: @unchecked Sendable {
  let child: Child
  let url: String
  let directory: String

  init() throws {
    directory = TestEnvironment.makeTemporaryDirectory("kcd-moto")
    // The same interpreter the set-up script runs with (`moto_server` is this module's entry point).
    child = try Child(["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"])
    guard child.waitForOutput(containing: "Running on http://127.0.0.1:", timeout: 60) else {
      child.kill(signal: SIGKILL)
      throw MotoError("moto_server did not start (pip install 'moto[server]'): \(child.output) \(child.errorOutput)")
    }
    let text = child.output + child.errorOutput
    let start = text.firstRange(of: "http://127.0.0.1:")!
    url = String(text[start.lowerBound...].prefix { $0 != "\n" && $0 != " " && $0 != "\r" })
  }

  deinit {
    child.kill(signal: SIGTERM)
    _ = child.wait(timeout: 10)
    _ = try? Subprocess.run(["rm", "-rf", directory])
  }

  struct Setup: Sendable {
    let accessKeyID: String
    let secretAccessKey: String
    let roleARN: String
  }

  /// With boto3 (which moto brings): an IAM user with an `ecr:*` policy and an access key, a
  /// role IRSA can assume with the same policy, and the given repositories.
  func setUp(repositories: [String]) throws -> Setup {
    let script = directory + "/setup.py"
    TestEnvironment.write(MotoServer.setupScript, to: script)
    let result = try Subprocess.run(["python3", script, url] + repositories, timeout: 120)
    guard result.status == 0, let json = try? JSON.parse(Array(result.stdout.utf8)),
      let id = json["accessKeyId"].stringValue, let secret = json["secretAccessKey"].stringValue, let role = json["roleArn"].stringValue
    else { throw MotoError("moto set-up failed: \(result)") }
    return Setup(accessKeyID: id, secretAccessKey: secret, roleARN: role)
  }

  /// From now on moto checks every request's signature and IAM permissions, after letting
  /// `unauthenticated` more requests through (STS `AssumeRoleWithWebIdentity` is unsigned).
  func enforceAuthentication(after unauthenticated: Int = 0) throws {
    var request = HTTPClientRequest(method: "POST", url: url + "/moto-api/reset-auth", body: Array(String(unauthenticated).utf8))
    request.headers.set("Content-Type", "application/json")
    let response = try HTTPClient().send(request)
    guard response.status == 200 else { throw MotoError("moto reset-auth answered \(response.status): \(response.text)") }
  }

  static let setupScript = """
    import json, sys, boto3
    endpoint = sys.argv[1]
    kw = dict(endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
    iam = boto3.client("iam", **kw)
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["ecr:*"], "Resource": "*"}]})
    iam.create_user(UserName="kcd-ci")
    iam.put_user_policy(UserName="kcd-ci", PolicyName="ecr", PolicyDocument=policy)
    key = iam.create_access_key(UserName="kcd-ci")["AccessKey"]
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example"}, "Action": "sts:AssumeRoleWithWebIdentity"}]})
    role = iam.create_role(RoleName="kcd-irsa", AssumeRolePolicyDocument=trust)["Role"]
    iam.put_role_policy(RoleName="kcd-irsa", PolicyName="ecr", PolicyDocument=policy)
    ecr = boto3.client("ecr", **kw)
    for name in sys.argv[2:]:
        ecr.create_repository(repositoryName=name)
    print(json.dumps({"accessKeyId": key["AccessKeyId"], "secretAccessKey": key["SecretAccessKey"], "roleArn": role["Arn"]}))

    """
}

/// A small image manifest of each kind kcd handles, with its real digest.
struct ECRTestManifest {
  let text: String
  let mediaType: String
  var digest: String { "sha256:" + Digest.hex(Digest.sha256(Array(text.utf8))) }

  /// An OCI image manifest whose bytes (and so digest) depend on `seed`; pretty-printed with
  /// a trailing newline, as `docker push` stores them, so re-serialising would change the digest.
  static func oci(_ seed: String) -> ECRTestManifest {
    let layer = Digest.hex(Digest.sha256(Array(seed.utf8)))
    let config = Digest.hex(Digest.sha256(Array(("config-" + seed).utf8)))
    let text = """
      {
         "schemaVersion": 2,
         "mediaType": "application/vnd.oci.image.manifest.v1+json",
         "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": 2, "digest": "sha256:\(config)"},
         "layers": [
            {"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "size": 32, "digest": "sha256:\(layer)"}
         ]
      }

      """
    return ECRTestManifest(text: text, mediaType: ManifestMediaType.ociManifest)
  }
}

/// A value handlers and tests share across threads.
final class ECRLocked<Value: Sendable>: Sendable {
  let value: Mutex<Value>
  init(_ value: Value) { self.value = Mutex(value) }
  func with<R: Sendable>(_ body: (inout Value) -> R) -> R { value.withLock { body(&$0) } }
  var current: Value { value.withLock { $0 } }
}

/// The `RegistryError` `body` throws, or nil when it succeeds or throws something else.
func registryError(_ body: () throws -> Void) -> RegistryError? {
  do {
    try body()
    return nil
  } catch let error as RegistryError {
    return error
  } catch {
    return nil
  }
}

/// moto could not be started or set up; the message carries its output.
struct MotoError: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
