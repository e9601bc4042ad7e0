import KcdCrypto
import KcdHTTP
import KcdJSON

#if canImport(Glibc)
import Glibc
#endif

/// `moto_server` on a free loopback port, stopped when the value goes away. Fails (never
/// skips) when moto is not installed: `scripts/setup.sh` installs `moto[server]`.
public final class MotoServer: @unchecked Sendable {
  public let child: Child
  public let url: String
  public let directory: String

  /// `recording`: moto appends every request it serves to `recordingFile` (its recorder), so
  /// a test can count the calls a command made.
  public init(recording: Bool = false) throws {
    directory = TestEnvironment.makeTemporaryDirectory("kcd-moto")
    let environment = recording ? ["MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": directory + "/recording.jsonl"] : [:]
    // The same interpreter the set-up script runs with (`moto_server` is this module's entry point).
    child = try Child(["python3", "-m", "moto.server", "-H", "127.0.0.1", "-p", "0"], environment: environment)
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

  public var recordingFile: String { directory + "/recording.jsonl" }

  /// The `X-Amz-Target` of every JSON 1.1 request moto has recorded, in order.
  public func recordedTargets() -> [String] {
    let text = TestEnvironment.read(recordingFile) ?? ""
    return text.split(separator: "\n").compactMap { line in
      guard let entry = try? JSON.parse(Array(line.utf8)), let headers = entry["headers"].objectValue else { return nil }
      return headers.first { $0.key.lowercased() == "x-amz-target" }?.value.stringValue
    }
  }

  public struct Setup: Sendable {
    public let accessKeyID: String
    public let secretAccessKey: String
    public let roleARN: String
  }

  /// With boto3 (which moto brings): an IAM user with an `ecr:*` policy and an access key, a
  /// role IRSA can assume with the same policy, and the given repositories.
  public func setUp(repositories: [String]) throws -> Setup {
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
  public func enforceAuthentication(after unauthenticated: Int = 0) throws {
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
public struct ECRTestManifest: Sendable {
  public let text: String
  public let mediaType: String
  public var digest: String { "sha256:" + Digest.hex(Digest.sha256(Array(text.utf8))) }

  /// An OCI image manifest whose bytes (and so digest) depend on `seed`; pretty-printed with
  /// a trailing newline, as `docker push` stores them, so re-serialising would change the digest.
  public static func oci(_ seed: String) -> ECRTestManifest {
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
    return ECRTestManifest(text: text, mediaType: "application/vnd.oci.image.manifest.v1+json")
  }
}

/// A value handlers and tests share across threads.

public struct MotoError: Error, CustomStringConvertible {
  public let description: String
  public init(_ description: String) { self.description = description }
}
