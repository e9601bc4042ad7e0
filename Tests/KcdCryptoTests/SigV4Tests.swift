import KcdCore
import KcdCrypto
import Testing

/// The common context of the AWS SigV4 test suite (webhook-sources.md §13.5): AKIDEXAMPLE,
/// us-east-1, service `service`, 2015-08-30T12:36:00Z.
enum SuiteContext {
  static let credentials = AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
  static let time = Timestamps.parse("2015-08-30T12:36:00Z")!
  static let host: (name: String, value: String) = ("Host", "example.amazonaws.com")
  static let emptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

  static func sign(
    _ method: String, _ path: String, query: String = "", headers: [(name: String, value: String)] = [], body: String = "",
    service: String = "service", normalize: Bool = true, contentHash: Bool = false, token: String? = nil
  ) -> SigV4Signature {
    var signer = SigV4Signer(region: "us-east-1", service: service)
    signer.normalizesPath = normalize
    signer.addsContentHashHeader = contentHash
    let credentials = AWSSigningCredentials(accessKeyID: self.credentials.accessKeyID, secretAccessKey: self.credentials.secretAccessKey, sessionToken: token)
    let request = SigV4Request(method: method, path: path, query: query, headers: [host] + headers, body: Array(body.utf8))
    return signer.sign(request, credentials: credentials, at: time)
  }

  static func authorization(_ signedHeaders: String, _ signature: String, service: String = "service") -> String {
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/\(service)/aws4_request, SignedHeaders=\(signedHeaders), Signature=\(signature)"
  }

  /// The last line of the string to sign: the hash of the canonical request.
  static func canonicalHash(_ s: SigV4Signature) -> String { String(s.stringToSign.split(separator: "\n").last ?? "") }
}

@Suite struct SigV4Tests {
  typealias C = SuiteContext

  @Test("get-vanilla: exact canonical request, string to sign and Authorization")
  func getVanilla() {
    let s = C.sign("GET", "/")
    #expect(s.canonicalRequest == "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n\(C.emptyHash)")
    #expect(s.stringToSign == """
      AWS4-HMAC-SHA256
      20150830T123600Z
      20150830/us-east-1/service/aws4_request
      bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63
      """)
    #expect(s.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
    #expect(s.authorization == C.authorization("host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"))
    #expect(s.headers.map(\.name) == ["X-Amz-Date", "Authorization"])
    #expect(s.headers[0].value == "20150830T123600Z")
  }

  @Test("post-vanilla: canonical-request hash and signature")
  func postVanilla() {
    let s = C.sign("POST", "/")
    #expect(C.canonicalHash(s) == "553f88c9e4d10fc9e109e2aeb65f030801b70c2f6468faca261d401ae622fc87")
    #expect(s.signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
  }

  @Test("post-x-www-form-urlencoded with the body hash signed: exact canonical request and signature")
  func postFormURLEncoded() {
    let s = C.sign("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Content-Length", "13")], body: "Param1=value1", contentHash: true)
    #expect(s.canonicalRequest == """
      POST
      /

      content-length:13
      content-type:application/x-www-form-urlencoded
      host:example.amazonaws.com
      x-amz-content-sha256:9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
      x-amz-date:20150830T123600Z

      content-length;content-type;host;x-amz-content-sha256;x-amz-date
      9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e
      """)
    #expect(C.canonicalHash(s) == "b1edd1d03544c25390e32085d55b57acc9a3961bb59415ff86c45c3d89d16cfb")
    #expect(s.signature == "d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b")
  }

  @Test("post-x-www-form-urlencoded-parameters (charset parameter in Content-Type)")
  func postFormURLEncodedParameters() {
    let s = C.sign("POST", "/", headers: [("Content-Type", "application/x-www-form-urlencoded; charset=utf-8"), ("Content-Length", "13")], body: "Param1=value1", contentHash: true)
    #expect(s.signedHeaders == "content-length;content-type;host;x-amz-content-sha256;x-amz-date")
    #expect(s.signature == "328d1b9eaadca9f5818ef05e8392801e091653bafec24fcab71e7344e7f51422")
  }

  @Test("vanilla GET with temporary credentials: the token is sent and signed")
  func sessionToken() {
    let token = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
    let s = C.sign("GET", "/", token: token)
    #expect(s.signedHeaders == "host;x-amz-date;x-amz-security-token")
    #expect(s.canonicalRequest.contains("\nx-amz-security-token:\(token)\n"))
    #expect(C.canonicalHash(s) == "067b36aa60031588cea4a4cde1f21215227a047690c72247f1d70b32fbbfad2b")
    #expect(s.signature == "07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8")
    #expect(s.headers.contains { $0.name == "X-Amz-Security-Token" && $0.value == token })
  }

  @Test("post-sts-header-before: a token header already on the request is signed; -after: one added later is not")
  func stsHeaderBeforeAndAfter() {
    let token = "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA=="
    let before = C.sign("POST", "/", headers: [("X-Amz-Security-Token", token)])
    #expect(before.signedHeaders == "host;x-amz-date;x-amz-security-token")
    #expect(before.signature == "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead")
    let viaCredentials = C.sign("POST", "/", token: token)
    #expect(viaCredentials.signature == before.signature)
    // "after": the token is attached once signing is done, so the signature is post-vanilla's.
    #expect(C.sign("POST", "/").signature == "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")
  }

  @Test("signing-key derivation (AWS docs example, iam, 20120215)")
  func signingKey() {
    let key = SigV4Signer.signingKey(secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", dateStamp: "20120215", region: "us-east-1", service: "iam")
    #expect(Digest.hex(key) == "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d")
    let kDate = Digest.hmacSHA256(key: Array("AWS4wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY".utf8), message: Array("20120215".utf8))
    #expect(Digest.hex(kDate) == "969fbb94feb542b71ede6f87fe4d5fa29c789342b0f407474670f0c2489e0a0d")
    let kRegion = Digest.hmacSHA256(key: kDate, message: Array("us-east-1".utf8))
    #expect(Digest.hex(kRegion) == "69daa0209cd9c5ff5c8ced464a696fd4252e981430b10e3d3fd8e2f197d7a70c")
    #expect(Digest.hex(Digest.hmacSHA256(key: kRegion, message: Array("iam".utf8))) == "f72cfd46f26bc4643f06a11eabb6c0ba18780c19a8da0c31ace671265e3c87fa")
  }

  @Test("IAM ListUsers walkthrough (query string, Content-Type with charset)")
  func iamListUsers() {
    let request = SigV4Request(
      method: "GET", path: "/", query: "Action=ListUsers&Version=2010-05-08",
      headers: [("Host", "iam.amazonaws.com"), ("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")])
    let s = SigV4Signer(region: "us-east-1", service: "iam").sign(request, credentials: C.credentials, at: C.time)
    #expect(s.canonicalRequest == """
      GET
      /
      Action=ListUsers&Version=2010-05-08
      content-type:application/x-www-form-urlencoded; charset=utf-8
      host:iam.amazonaws.com
      x-amz-date:20150830T123600Z

      content-type;host;x-amz-date
      \(C.emptyHash)
      """)
    #expect(C.canonicalHash(s) == "f536975d06c0309214f805bb90ccff089219ecd68b2577efef23edd43b7e1a59")
    #expect(s.signature == "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")
  }

  @Test("amz date format and URI encoding rules")
  func formatting() {
    #expect(SigV4Signer.amzDate(C.time) == "20150830T123600Z")
    #expect(SigV4Signer.uriEncode("a b/ሴ~-_.+=&", keepSlash: true) == "a%20b/%E1%88%B4~-_.%2B%3D%26")
    #expect(SigV4Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
    #expect(!AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok").description.contains("secret"))
    #expect(!AWSSigningCredentials(accessKeyID: "AKIDEXAMPLE", secretAccessKey: "secret", sessionToken: "tok").description.contains("tok"))
  }

  @Test("paths and queries split on the bytes / & =, even where a combining mark makes one character of the separator")
  func separatorsAreBytes() {
    // `/\u{301}` and `&\u{301}` are single Characters; AWS splits the bytes regardless.
    let s = C.sign("GET", "/x/../\u{301}y", query: "a=1&\u{301}b=2")
    let lines = s.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines[1] == "/%CC%81y")
    #expect(lines[2] == "%CC%81b=2&a=1")
  }
}
