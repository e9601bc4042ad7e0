import KcdCore
import KcdCrypto
import KcdHTTP
import KcdRegistry
import KcdTestSupport
import Testing

/// The credential chain: environment keys, shared credentials file profiles, and which
/// source wins. Web identity and container credentials are in AWSCredentialsSTSTests.
@Suite struct AWSCredentialsTests {
  static let secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

  @Test("environment: key pair and session token; empty values count as unset")
  func environment() throws {
    let env = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "tok"]
    #expect(try EnvironmentAWSCredentials(environment: env).credentials() == AWSSigningCredentials(accessKeyID: "AKIAENV", secretAccessKey: Self.secret, sessionToken: "tok"))
    let legacy = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": Self.secret, "AWS_SESSION_TOKEN": "", "AWS_SECURITY_TOKEN": "old"]
    #expect(try EnvironmentAWSCredentials(environment: legacy).credentials().sessionToken == "old")
    let chain = AWSCredentialChain(environment: env)
    #expect(chain.sourceName == "environment")
    #expect(try chain.credentials().accessKeyID == "AKIAENV")
  }

  @Test("half a key pair is an error naming the missing variable, never showing the value that is set")
  func halfPair() throws {
    let noSecret = try #require(registryError { _ = try AWSCredentialChain(environment: ["AWS_ACCESS_KEY_ID": "AKIAENV"]).credentials() })
    #expect(noSecret.message == "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
    let noID = try #require(registryError { _ = try AWSCredentialChain(environment: ["AWS_SECRET_ACCESS_KEY": Self.secret]).credentials() })
    #expect(noID.message == "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
    #expect(!noID.description.contains(Self.secret) && noID.label == "invalid_credentials")
  }

  @Test("chain order: environment, then web identity, then container endpoint, then the shared file; none is an error")
  func chainOrder() throws {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-aws")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    TestEnvironment.write("[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = s\n", to: dir + "/credentials")
    let file = ["AWS_SHARED_CREDENTIALS_FILE": dir + "/credentials"]
    let irsa = ["AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/r", "AWS_WEB_IDENTITY_TOKEN_FILE": dir + "/token"]
    let pod = ["AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://169.254.170.23/v1/credentials"]
    let keys = ["AWS_ACCESS_KEY_ID": "AKIAENV", "AWS_SECRET_ACCESS_KEY": "s"]
    #expect(AWSCredentialChain(environment: file.merging(irsa) { a, _ in a }.merging(keys) { a, _ in a }).sourceName == "environment")
    #expect(AWSCredentialChain(environment: file.merging(irsa) { a, _ in a }.merging(pod) { a, _ in a }).sourceName == "web identity")
    #expect(AWSCredentialChain(environment: file.merging(pod) { a, _ in a }).sourceName == "container credentials endpoint")
    #expect(AWSCredentialChain(environment: file).sourceName == "shared credentials file")
    #expect(try AWSCredentialChain(environment: file).credentials().accessKeyID == "AKIAFILE")
    // HOME/.aws/credentials is the default location.
    _ = try Subprocess.run(["mkdir", "-p", dir + "/home/.aws"])
    TestEnvironment.write("[default]\naws_access_key_id = AKIAHOME\naws_secret_access_key = s\n", to: dir + "/home/.aws/credentials")
    #expect(try AWSCredentialChain(environment: ["HOME": dir + "/home"]).credentials().accessKeyID == "AKIAHOME")

    let none = AWSCredentialChain(environment: ["HOME": dir + "/nowhere"])
    #expect(none.sourceName == "none")
    let e = try #require(registryError { _ = try none.credentials() })
    #expect(e.label == "invalid_credentials" && e.message.hasPrefix("no AWS credentials: set AWS_ACCESS_KEY_ID"))
  }

  static let iniText = """
    # kcd test file\r
    [default]\r
    aws_access_key_id=AKIADEFAULT\r
    aws_secret_access_key=defaultsecret\r
    \r
    [ci]
      ; indented lines belong to nested blocks and are ignored
    AWS_ACCESS_KEY_ID   =   AKIACI
    aws_secret_access_key = ci#secret;with+chars/= \t
    aws_session_token = FQoGZXIvYXdzE//token==
    nested =
      aws_access_key_id = NOTTHIS

    [profile prod]
    aws_access_key_id = AKIAPROD
    aws_secret_access_key = prodsecret
    aws_security_token = legacytoken

    [roleonly]
    role_arn = arn:aws:iam::123456789012:role/r
    """

  @Test("INI parsing: CRLF, comment lines, spacing, key case, # and ; inside values, indented blocks, [profile x]")
  func iniParsing() {
    let sections = IniFile.parse(Self.iniText)
    #expect(sections["default"] == ["aws_access_key_id": "AKIADEFAULT", "aws_secret_access_key": "defaultsecret"])
    #expect(sections["ci"] == [
      "aws_access_key_id": "AKIACI", "aws_secret_access_key": "ci#secret;with+chars/=", "aws_session_token": "FQoGZXIvYXdzE//token==", "nested": "",
    ])
    #expect(sections["prod"]?["aws_security_token"] == "legacytoken")
    #expect(sections["roleonly"] == ["role_arn": "arn:aws:iam::123456789012:role/r"])
    #expect(sections.count == 4)
  }

  @Test("profiles from AWS_PROFILE; a named profile that is missing or has no keys is an error; the file is re-read")
  func profiles() throws {
    let dir = TestEnvironment.makeTemporaryDirectory("kcd-aws")
    defer { _ = try? Subprocess.run(["rm", "-rf", dir]) }
    let path = dir + "/credentials"
    TestEnvironment.write(Self.iniText, to: path)
    func source(_ profile: String?) throws -> SharedCredentialsFile {
      var env = ["AWS_SHARED_CREDENTIALS_FILE": path]
      if let profile { env["AWS_PROFILE"] = profile }
      return try #require(SharedCredentialsFile(environment: env))
    }
    #expect(try source(nil).credentials() == AWSSigningCredentials(accessKeyID: "AKIADEFAULT", secretAccessKey: "defaultsecret"))
    #expect(try source("ci").credentials() == AWSSigningCredentials(accessKeyID: "AKIACI", secretAccessKey: "ci#secret;with+chars/=", sessionToken: "FQoGZXIvYXdzE//token=="))
    #expect(try source("prod").credentials() == AWSSigningCredentials(accessKeyID: "AKIAPROD", secretAccessKey: "prodsecret", sessionToken: "legacytoken"))
    let missing = try #require(registryError { _ = try source("staging").credentials() })
    #expect(missing.message == "AWS credentials file \(path) has no profile [staging] (from AWS_PROFILE)")
    let roleOnly = try #require(registryError { _ = try source("roleonly").credentials() })
    #expect(roleOnly.message.contains("has no aws_access_key_id"))

    let ci = try source("ci")
    TestEnvironment.write("[ci]\naws_access_key_id = AKIAROTATED\naws_secret_access_key = new\n", to: path)
    #expect(try ci.credentials() == AWSSigningCredentials(accessKeyID: "AKIAROTATED", secretAccessKey: "new"))
    #expect(SharedCredentialsFile(environment: ["AWS_SHARED_CREDENTIALS_FILE": dir + "/absent"]) == nil)
    #expect(SharedCredentialsFile(environment: ["AWS_SHARED_CREDENTIALS_FILE": "~/credentials", "HOME": dir])?.path == dir + "/credentials")
  }

  @Test("XML field extraction: namespaces, prefixes, entities, CDATA, self-closing elements")
  func xmlFields() {
    let xml = """
      <?xml version="1.0"?><r:Resp xmlns:r="urn:x"><Empty/><r:Credentials><AccessKeyId>ASIA1</AccessKeyId>\
      <SessionToken>a&amp;b&lt;c&#62;&#x41;</SessionToken><Note><![CDATA[<raw & text>]]></Note></r:Credentials></r:Resp>
      """
    #expect(XMLFields.text(of: "AccessKeyId", in: xml) == "ASIA1")
    #expect(XMLFields.text(of: "SessionToken", in: xml) == "a&b<c>A")
    #expect(XMLFields.text(of: "Note", in: xml) == "<raw & text>")
    #expect(XMLFields.text(of: "Credentials", in: xml, decoded: false)?.hasPrefix("<AccessKeyId>") == true)
    #expect(XMLFields.text(of: "Empty", in: xml) == nil)
    #expect(XMLFields.text(of: "Missing", in: xml) == nil)
  }
}
