import KcdCore
import KcdCrypto
import Testing

/// The remaining cases of the published suite (awslabs/aws-c-auth
/// `tests/aws-signing-test-suite/v4/<case>/header-signed-request.txt`: the request and the
/// signature it must get) and the ECR vectors of webhook-sources.md §13.6.
@Suite struct SigV4SuiteTests {
  typealias C = SuiteContext

  struct Case: CustomStringConvertible, Sendable {
    let name: String
    let method: String
    let path: String
    var query = ""
    var headers: [(name: String, value: String)] = []
    var normalize = true
    let signedHeaders: String
    let signature: String
    /// The canonical URI and query lines (the suite's canonical-request files).
    var canonicalURI: String?
    var description: String { name }
  }

  static let cases: [Case] = [
    Case(name: "get-header-key-duplicate", method: "GET", path: "/",
         headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")],
         signedHeaders: "host;my-header1;x-amz-date", signature: "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"),
    // The suite's parser turns each folded continuation line into a further value of the field.
    Case(name: "get-header-value-multiline", method: "GET", path: "/",
         headers: [("My-Header1", "value1"), ("My-Header1", "  value2"), ("My-Header1", "     value3")],
         signedHeaders: "host;my-header1;x-amz-date", signature: "ba17b383a53190154eb5fa66a1b836cc297cc0a3d70a5d00705980573d8ff790"),
    Case(name: "get-header-value-order", method: "GET", path: "/",
         headers: [("My-Header1", "value4"), ("My-Header1", "value1"), ("My-Header1", "value3"), ("My-Header1", "value2")],
         signedHeaders: "host;my-header1;x-amz-date", signature: "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"),
    Case(name: "get-header-value-trim", method: "GET", path: "/",
         headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")],
         signedHeaders: "host;my-header1;my-header2;x-amz-date", signature: "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"),
    Case(name: "get-relative-normalized", method: "GET", path: "/example/..", signedHeaders: "host;x-amz-date",
         signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", canonicalURI: "/"),
    Case(name: "get-relative-unnormalized", method: "GET", path: "/example/..", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "eca7ead57bb5aa5c8e28007acd4ff04e1ff9a0ff3b237ec1554a184887ff9282", canonicalURI: "/example/.."),
    Case(name: "get-relative-relative-normalized", method: "GET", path: "/example1/example2/../..", signedHeaders: "host;x-amz-date",
         signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", canonicalURI: "/"),
    Case(name: "get-relative-relative-unnormalized", method: "GET", path: "/example1/example2/../..", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "dc33e0856fd4baca4d7aa2146c38958283844764f38c74252a333df5e613003b", canonicalURI: "/example1/example2/../.."),
    Case(name: "get-slash-normalized", method: "GET", path: "//", signedHeaders: "host;x-amz-date",
         signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", canonicalURI: "/"),
    Case(name: "get-slash-unnormalized", method: "GET", path: "//", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "c88bcd3d312d75078c0cd961d6deae3f4c754924b01669efcfcb439fd5e5b76e", canonicalURI: "//"),
    Case(name: "get-slash-dot-slash-normalized", method: "GET", path: "/./", signedHeaders: "host;x-amz-date",
         signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31", canonicalURI: "/"),
    Case(name: "get-slash-dot-slash-unnormalized", method: "GET", path: "/./", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "68714168e6557f8f2de0ef956fc24dc2593a4bd2961f8df51898d8a134695145", canonicalURI: "/./"),
    Case(name: "get-slash-pointless-dot-normalized", method: "GET", path: "/./example", signedHeaders: "host;x-amz-date",
         signature: "ef75d96142cf21edca26f06005da7988e4f8dc83a165a80865db7089db637ec5", canonicalURI: "/example"),
    Case(name: "get-slash-pointless-dot-unnormalized", method: "GET", path: "/./example", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "beb03f223f7deae4146464f06e29eebbee9c8afbe15c290cf07aa8b119e14cff", canonicalURI: "/./example"),
    Case(name: "get-slashes-normalized", method: "GET", path: "//example//", signedHeaders: "host;x-amz-date",
         signature: "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84", canonicalURI: "/example/"),
    Case(name: "get-slashes-unnormalized", method: "GET", path: "//example//", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "87cca117541a147f6df867677d98a7d80dff226d2bfca9e4ffa899665623c7e5", canonicalURI: "//example//"),
    Case(name: "get-space-normalized", method: "GET", path: "/example space/", signedHeaders: "host;x-amz-date",
         signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741", canonicalURI: "/example%20space/"),
    Case(name: "get-space-unnormalized", method: "GET", path: "/example space/", normalize: false, signedHeaders: "host;x-amz-date",
         signature: "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741", canonicalURI: "/example%20space/"),
    Case(name: "get-unreserved", method: "GET", path: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", signedHeaders: "host;x-amz-date",
         signature: "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f",
         canonicalURI: "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"),
    Case(name: "get-utf8", method: "GET", path: "/ሴ", signedHeaders: "host;x-amz-date",
         signature: "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85", canonicalURI: "/%E1%88%B4"),
    Case(name: "get-vanilla-query", method: "GET", path: "/", signedHeaders: "host;x-amz-date",
         signature: "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"),
    Case(name: "get-vanilla-empty-query-key", method: "GET", path: "/", query: "Param1=value1", signedHeaders: "host;x-amz-date",
         signature: "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb"),
    Case(name: "get-vanilla-query-order-key-case", method: "GET", path: "/", query: "Param2=value2&Param1=value1", signedHeaders: "host;x-amz-date",
         signature: "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"),
    Case(name: "get-vanilla-query-order-encoded", method: "GET", path: "/", query: "Param-3=Value3&Param=Value2&%E1%88%B4=Value1",
         signedHeaders: "host;x-amz-date", signature: "371d3713e185cc334048618a97f809c9ffe339c62934c032af5a0e595648fcac"),
    Case(name: "get-vanilla-query-unreserved", method: "GET", path: "/",
         query: "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
         signedHeaders: "host;x-amz-date", signature: "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"),
    Case(name: "get-vanilla-utf8-query", method: "GET", path: "/", query: "ሴ=bar", signedHeaders: "host;x-amz-date",
         signature: "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"),
    // post-header-key-case's request is post-vanilla's (Host and X-Amz-Date only).
    Case(name: "post-header-key-case", method: "POST", path: "/", signedHeaders: "host;x-amz-date",
         signature: "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"),
    Case(name: "post-header-key-sort", method: "POST", path: "/", headers: [("My-Header1", "value1")], signedHeaders: "host;my-header1;x-amz-date",
         signature: "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"),
    Case(name: "post-header-value-case", method: "POST", path: "/", headers: [("My-Header1", "VALUE1")], signedHeaders: "host;my-header1;x-amz-date",
         signature: "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d"),
    Case(name: "post-vanilla-query", method: "POST", path: "/", query: "Param1=value1", signedHeaders: "host;x-amz-date",
         signature: "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11"),
  ]

  @Test("published suite case", arguments: cases)
  func suiteCase(_ c: Case) {
    let s = C.sign(c.method, c.path, query: c.query, headers: c.headers, normalize: c.normalize)
    #expect(s.signedHeaders == c.signedHeaders)
    #expect(s.signature == c.signature)
    #expect(s.authorization == C.authorization(c.signedHeaders, c.signature))
    if let uri = c.canonicalURI {
      #expect(s.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[1] == uri)
    }
  }

  @Test("canonical header and query lines of the duplicate, order, trim and query cases")
  func canonicalLines() {
    let duplicate = C.sign("GET", "/", headers: [("My-Header1", "value2"), ("My-Header1", "value2"), ("My-Header1", "value1")])
    #expect(duplicate.canonicalRequest.contains("\nmy-header1:value2,value2,value1\n"))
    let trim = C.sign("GET", "/", headers: [("My-Header1", " value1"), ("My-Header2", " \"a   b   c\"")])
    #expect(trim.canonicalRequest.contains("\nmy-header1:value1\nmy-header2:\"a b c\"\n"))
    let encoded = C.sign("GET", "/", query: "Param-3=Value3&Param=Value2&%E1%88%B4=Value1")
    #expect(encoded.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "%E1%88%B4=Value1&Param=Value2&Param-3=Value3")
    let utf8 = C.sign("GET", "/", query: "ሴ=bar")
    #expect(utf8.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "%E1%88%B4=bar")
    let keyOnly = C.sign("GET", "/", query: "b&a=1&a=0")
    #expect(keyOnly.canonicalRequest.split(separator: "\n", omittingEmptySubsequences: false)[2] == "a=0&a=1&b=")
  }

  static let ecrHost: (name: String, value: String) = ("Host", "api.ecr.us-east-1.amazonaws.com")

  static func signECR(_ operation: String, _ body: String) -> SigV4Signature {
    let request = SigV4Request(
      method: "POST", path: "/",
      headers: [("Content-Type", "application/x-amz-json-1.1"), ecrHost, ("X-Amz-Target", "AmazonEC2ContainerRegistry_V20150921.\(operation)")],
      body: Array(body.utf8))
    return SigV4Signer(region: "us-east-1", service: "ecr").sign(request, credentials: C.credentials, at: C.time)
  }

  @Test("ECR-1 BatchGetImage: exact canonical request, string to sign and Authorization")
  func ecrBatchGetImage() {
    let body = #"{"repositoryName":"my-repo","imageIds":[{"imageTag":"v1.2.3"}],"acceptedMediaTypes":["application/vnd.oci.image.manifest.v1+json","application/vnd.docker.distribution.manifest.v2+json"]}"#
    let s = SigV4SuiteTests.signECR("BatchGetImage", body)
    #expect(s.canonicalRequest == """
      POST
      /

      content-type:application/x-amz-json-1.1
      host:api.ecr.us-east-1.amazonaws.com
      x-amz-date:20150830T123600Z
      x-amz-target:AmazonEC2ContainerRegistry_V20150921.BatchGetImage

      content-type;host;x-amz-date;x-amz-target
      534c13f252a44874e156805e9131f95e3756ced071d21401da328a86cce5d710
      """)
    #expect(s.stringToSign == """
      AWS4-HMAC-SHA256
      20150830T123600Z
      20150830/us-east-1/ecr/aws4_request
      a287cd8f6fb42ba4e22b2972a7c8e55695ad407ae84cde3d6d55887d8e082c6c
      """)
    #expect(s.authorization == C.authorization("content-type;host;x-amz-date;x-amz-target", "5c3495ca81526bb461541ab162a1fab3a6e6883835f96fc67c46d39b3e1e6797", service: "ecr"))
  }

  @Test("ECR-2 DescribeImages: payload hash, canonical-request hash and signature")
  func ecrDescribeImages() {
    let body = #"{"repositoryName":"my-repo","imageIds":[{"imageDigest":"sha256:0000000000000000000000000000000000000000000000000000000000000000"}]}"#
    let s = SigV4SuiteTests.signECR("DescribeImages", body)
    #expect(s.canonicalRequest.hasSuffix("\nb829c4b8ef65f20ef7f6efac2d473ac5438bbe345158838f7ac83833b36a19a6"))
    #expect(C.canonicalHash(s) == "d64b3e37d2bc8cfb12e04547fe1e5e83b20955cc045dd7a3029198d2214368d0")
    #expect(s.signature == "c10444de500fa53ecc18af1686aeb2b0047e09ab83239155045b95c9e71d758a")
    #expect(s.signedHeaders == "content-type;host;x-amz-date;x-amz-target")
  }

  @Test("a caller's stale X-Amz-Date is replaced, so a re-signed retry carries one date")
  func staleDateReplaced() {
    let s = C.sign("GET", "/", headers: [("X-Amz-Date", "20000101T000000Z")])
    #expect(s.signature == "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")
  }
}
