import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// Web identity (IRSA) against a local STS that checks the request and answers XML, and the
/// container credentials endpoint (EKS Pod Identity): caching until shortly before expiry,
/// token files re-read, errors that never carry the token.
@Suite(.timeLimit(.minutes(2)))
struct AWSCredentialsSTSTests {
  static let roleARN = "arn:aws:iam::123456789012:role/kcd-irsa"
  static let start = Timestamps.parse("2024-05-01T10:00:00Z")!

  static func stsAnswer(_ n: Int, expiration: String) -> HTTPResponse {
    let xml = """
      <AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
        <AssumeRoleWithWebIdentityResult>
          <SubjectFromWebIdentityToken>system:serviceaccount:kcd:kcd</SubjectFromWebIdentityToken>
          <AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/kcd-irsa/kcd</Arn><AssumedRoleId>AROA:kcd</AssumedRoleId></AssumedRoleUser>
          <Credentials>
            <SessionToken>FwoGZXIvYXdz&amp;token\(n)</SessionToken>
            <SecretAccessKey>secret\(n)</SecretAccessKey>
            <Expiration>\(expiration)</Expiration>
            <AccessKeyId>ASIATEMP\(n)</AccessKeyId>
          </Credentials>
        </AssumeRoleWithWebIdentityResult>
        <ResponseMetadata><RequestId>req-\(n)</RequestId></ResponseMetadata>
      </AssumeRoleWithWebIdentityResponse>
      """
    var headers = HTTPHeaders()
    headers.set("Content-Type", "text/xml")
    return HTTPResponse(status: 200, headers: headers, body: Array(xml.utf8))
  }

  /// The form fields of an STS request body.
  static func form(_ request: HTTPRequest) -> [String: String] {
    var fields: [String: String] = [:]
    for pair in String(decoding: request.body, as: UTF8.self).split(separator: "&") {
      let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
      fields[String(parts[0])] = PercentDecoding.decode(parts.count > 1 ? String(parts[1]) : "", plusIsSpace: false)
    }
    return fields
  }

  @Test("AssumeRoleWithWebIdentity: exact form, XML parsed, cached until 5 min before Expiration, token file re-read on refresh")
  func webIdentity() throws {
    let sts = try AWSFakeServer { _, index in Self.stsAnswer(index + 1, expiration: "2024-05-01T11:00:00Z") }
    defer { sts.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-irsa")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    let tokenFile = dir + "/token"
    TestEnvironment.write("eyJhbGciOiJSUzI1NiJ9.first+token/=\n", to: tokenFile)
    let now = ECRLocked(Self.start)
    let env = ["AWS_ROLE_ARN": Self.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": tokenFile, "AWS_ROLE_SESSION_NAME": "kcd-pod",
               "AWS_ENDPOINT_URL_STS": sts.url, "AWS_ENDPOINT_URL": "http://127.0.0.1:1"]
    let source = WebIdentityAWSCredentials(environment: env, clock: { now.current })

    let first = try source.credentials()
    #expect(first == AWSSigningCredentials(accessKeyID: "ASIATEMP1", secretAccessKey: "secret1", sessionToken: "FwoGZXIvYXdz&token1"))
    let request = try #require(sts.requests.first)
    #expect(request.method == "POST" && request.target == "/")
    #expect(request.headers["Content-Type"] == "application/x-www-form-urlencoded; charset=utf-8")
    #expect(request.headers["Authorization"] == nil)
    #expect(Self.form(request) == [
      "Action": "AssumeRoleWithWebIdentity", "Version": "2011-06-15", "RoleArn": Self.roleARN,
      "RoleSessionName": "kcd-pod", "WebIdentityToken": "eyJhbGciOiJSUzI1NiJ9.first+token/=",
    ])

    now.with { $0 = Self.start + 3000 }  // 10:50 — 10 min left: cached
    #expect(try source.credentials() == first)
    #expect(sts.requests.count == 1)

    TestEnvironment.write("second-token", to: tokenFile)
    now.with { $0 = Self.start + 3301 }  // 10:55:01 — inside the 5 min window: refreshed with the new token
    #expect(try source.credentials().accessKeyID == "ASIATEMP2")
    #expect(sts.requests.count == 2)
    #expect(Self.form(sts.requests[1])["WebIdentityToken"] == "second-token")
  }

  @Test("STS refusal: error with STS's code and message, never the token; a failed refresh keeps still-valid keys")
  func webIdentityErrors() throws {
    let refuse = ECRLocked(false)
    let sts = try AWSFakeServer { _, index in
      guard refuse.current else { return Self.stsAnswer(index + 1, expiration: "2024-05-01T10:10:00Z") }
      let xml = "<ErrorResponse><Error><Type>Sender</Type><Code>InvalidIdentityToken</Code><Message>Incorrect token audience</Message></Error></ErrorResponse>"
      return HTTPResponse(status: 400, body: Array(xml.utf8))
    }
    defer { sts.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-irsa")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    TestEnvironment.write("secret-jwt-value", to: dir + "/token")
    let now = ECRLocked(Self.start)
    let env = ["AWS_ROLE_ARN": Self.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token", "AWS_ENDPOINT_URL": sts.url]
    let source = WebIdentityAWSCredentials(environment: env, clock: { now.current })
    let cached = try source.credentials()

    refuse.with { $0 = true }
    now.with { $0 = Self.start + 330 }  // inside the refresh window, 4.5 min before expiry: STS fails, cached keys still serve
    #expect(try source.credentials() == cached)
    #expect(sts.requests.count == 2)

    now.with { $0 = Self.start + 590 }  // 10 s before expiry: too late to fall back
    let e = try #require(registryError { _ = try source.credentials() })
    #expect(e.label == "invalid_credentials" && e.status == 400)
    #expect(e.message == "STS refused AssumeRoleWithWebIdentity for \(Self.roleARN) (400 InvalidIdentityToken: Incorrect token audience)")
    #expect(!e.message.contains("secret-jwt-value"))

    let unreadable = WebIdentityAWSCredentials(environment: ["AWS_ROLE_ARN": Self.roleARN, "AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/absent"])
    #expect(registryError { _ = try unreadable.credentials() }?.message.hasPrefix("cannot read the web identity token file \(dir)/absent") == true)
  }

  @Test("STS endpoint: service override, then the general one, then regional, then global")
  func stsEndpoint() {
    func endpoint(_ env: [String: String]) -> String { WebIdentityAWSCredentials(environment: env).endpoint }
    #expect(endpoint(["AWS_ENDPOINT_URL_STS": "http://a", "AWS_ENDPOINT_URL": "http://b"]) == "http://a")
    #expect(endpoint(["AWS_ENDPOINT_URL": "http://b", "AWS_REGION": "eu-west-1"]) == "http://b")
    #expect(endpoint(["AWS_REGION": "eu-west-1"]) == "https://sts.eu-west-1.amazonaws.com")
    #expect(endpoint(["AWS_DEFAULT_REGION": "cn-north-1"]) == "https://sts.cn-north-1.amazonaws.com.cn")
    #expect(endpoint([:]) == "https://sts.amazonaws.com")
  }

  @Test("container credentials (EKS Pod Identity): Authorization from the token file, JSON keys, plain HTTP only to agents")
  func containerCredentials() throws {
    let agent = try AWSFakeServer { request, _ in
      guard request.headers["Authorization"] == "pod-identity-token" else { return .text(401, "no") }
      return .json(200, ["AccessKeyId": "ASIAPOD", "SecretAccessKey": "podsecret", "Token": "podtoken", "Expiration": "2099-01-01T00:00:00Z"])
    }
    defer { agent.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-pod")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    TestEnvironment.write("pod-identity-token\n", to: dir + "/token")
    let env = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.url + "/v1/credentials", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": dir + "/token"]
    let chain = AWSCredentialChain(environment: env)
    #expect(try chain.credentials() == AWSSigningCredentials(accessKeyID: "ASIAPOD", secretAccessKey: "podsecret", sessionToken: "podtoken"))
    #expect(try chain.credentials().accessKeyID == "ASIAPOD")
    #expect(agent.requests.count == 1 && agent.requests[0].path == "/v1/credentials")

    let wrongToken = ContainerAWSCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": agent.url, "AWS_CONTAINER_AUTHORIZATION_TOKEN": "nope"])
    #expect(registryError { _ = try wrongToken.credentials() }?.message == "the container credentials endpoint answered 401")
    let remote = ContainerAWSCredentials(environment: ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://198.51.100.7/creds"])
    #expect(registryError { _ = try remote.credentials() }?.label == "invalid_credentials")
    #expect(agent.requests.count == 2)
  }
}
