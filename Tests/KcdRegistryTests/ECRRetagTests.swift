import KcdCore
import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// Re-tagging and tag removal against a scripted endpoint: the manifest text travels
/// unchanged from BatchGetImage to PutImage, per-image failures inside a 200 become errors
/// naming the image and code, and the repository host decides region and endpoint.
@Suite(.timeLimit(.minutes(2)))
struct ECRRetagTests {
  static let repository = ECRClientTests.repository
  static let image = ECRTestManifest.oci("retag")

  static func batchGetImage(_ manifest: ECRTestManifest, tag: String, digest: String? = nil) -> HTTPResponse {
    .json(200, ["images": [["registryId": "123456789012", "repositoryName": "nearmap/photos",
                            "imageId": ["imageTag": .string(tag), "imageDigest": .string(digest ?? manifest.digest)],
                            "imageManifest": .string(manifest.text), "imageManifestMediaType": .string(manifest.mediaType)]],
                "failures": []])
  }

  static func failure(_ id: JSON, _ code: String, _ reason: String, key: String = "images") -> HTTPResponse {
    .json(200, [key: [], "failures": [["imageId": id, "failureCode": .string(code), "failureReason": .string(reason)]]])
  }

  @Test("addTags: BatchGetImage by tag, then one PutImage per tag with the exact manifest text, media type and digest guard")
  func addTagsPutsTheSameManifest() throws {
    let fake = try AWSFakeServer { request, _ in
      switch ECRClientTests.target(request) {
      case "BatchGetImage": return Self.batchGetImage(Self.image, tag: "3ae8d1b")
      case "PutImage":
        // The second tag already points there: ECR says so, and that is success.
        let tag = ECRClientTests.body(request)["imageTag"].stringValue ?? ""
        return tag == "env-dev" ? ECRClientTests.awsError(400, "ImageAlreadyExistsException", "Image with digest already exists")
          : .json(200, ["image": ["imageId": ["imageTag": .string(tag), "imageDigest": .string(Self.image.digest)], "imageManifest": .string(Self.image.text)]])
      default: return .text(400, "unexpected")
      }
    }
    defer { fake.stop() }
    try ECRClientTests.client(fake).addTags(repository: Self.repository, version: "3ae8d1b", tags: ["env-prod", "env-dev"])
    let requests = fake.requests
    #expect(requests.map(ECRClientTests.target) == ["BatchGetImage", "PutImage", "PutImage"])
    #expect(ECRClientTests.body(requests[0]) == [
      "registryId": "123456789012", "repositoryName": "nearmap/photos", "imageIds": [["imageTag": "3ae8d1b"]],
      "acceptedMediaTypes": .array(ManifestMediaType.all.map { .string($0) }),
    ])
    for (request, tag) in zip(requests.dropFirst(), ["env-prod", "env-dev"]) {
      #expect(ECRClientTests.body(request) == [
        "registryId": "123456789012", "repositoryName": "nearmap/photos", "imageManifest": .string(Self.image.text),
        "imageManifestMediaType": .string(ManifestMediaType.ociManifest), "imageTag": .string(tag), "imageDigest": .string(Self.image.digest),
      ])
    }
  }

  @Test("BatchGetImage failure inside a 200 (ImageNotFound): error names the image and the code; nothing is put")
  func batchGetFailure() throws {
    let fake = try AWSFakeServer { _, _ in Self.failure(["imageTag": "v9"], "ImageNotFound", "Requested image not found") }
    defer { fake.stop() }
    let e = try #require(registryError { try ECRClientTests.client(fake).addTags(repository: Self.repository, version: "v9", tags: ["env-prod"]) })
    #expect(e.isNotFound)
    #expect(e.message == "ECR BatchGetImage failed for nearmap/photos:v9: ImageNotFound (Requested image not found)")
    #expect(fake.requests.count == 1)

    let partial = try ECRClientTests.client(fake).batchGetImage(ECRRepository(repository: Self.repository), [.tag("v9")], throwingOnFailures: false)
    #expect(partial.images.isEmpty)
    #expect(partial.failures.map(\.code) == ["ImageNotFound"] && partial.failures.first?.id == .tag("v9"))
  }

  @Test("removeTag: BatchDeleteImage by tag; a per-image failure is an error with image and code")
  func removeTag() throws {
    let fake = try AWSFakeServer { request, _ in
      let tag = ECRClientTests.body(request)["imageIds"][0]["imageTag"].stringValue ?? ""
      if tag == "env-dev" { return .json(200, ["imageIds": [["imageTag": "env-dev", "imageDigest": .string(Self.image.digest)]], "failures": []]) }
      return Self.failure(["imageTag": .string(tag)], "InvalidImageTag", "Invalid request parameters", key: "imageIds")
    }
    defer { fake.stop() }
    let client = ECRClientTests.client(fake)
    try client.removeTag(repository: Self.repository, tag: "env-dev")
    #expect(ECRClientTests.target(fake.requests[0]) == "BatchDeleteImage")
    #expect(ECRClientTests.body(fake.requests[0]) == ["registryId": "123456789012", "repositoryName": "nearmap/photos", "imageIds": [["imageTag": "env-dev"]]])
    let e = try #require(registryError { try client.removeTag(repository: Self.repository, tag: "env-qa") })
    #expect(e.label == "invalid_reference")
    #expect(e.message == "ECR BatchDeleteImage failed for nearmap/photos:env-qa: InvalidImageTag (Invalid request parameters)")
  }

  @Test("a manifest whose sha256 is not the digest ECR names is refused before anything is put")
  func digestGuard() throws {
    let fake = try AWSFakeServer { _, _ in Self.batchGetImage(Self.image, tag: "v1", digest: ECRTestManifest.oci("other").digest) }
    defer { fake.stop() }
    let e = try #require(registryError { try ECRClientTests.client(fake).addTags(repository: Self.repository, version: "v1", tags: ["env-prod"]) })
    #expect(e.label == "digest_mismatch")
    #expect(fake.requests.count == 1)
  }

  @Test("tags of the image of a version, and of a digest: from DescribeImages, sorted, version first")
  func tagsOfOneImage() throws {
    let fake = try AWSFakeServer { _, _ in
      .json(200, ["imageDetails": [["imageDigest": .string(Self.image.digest), "imageTags": ["env-prod", "3ae8d1b", "build-17", "env-dev"]]]])
    }
    defer { fake.stop() }
    let client = ECRClientTests.client(fake)
    #expect(try client.tags(repository: Self.repository, sameDigestAs: "env-dev") == ["env-dev", "3ae8d1b", "build-17", "env-prod"])
    #expect(try client.tags(repository: Self.repository, pointingAt: Self.image.digest) == ["3ae8d1b", "build-17", "env-dev", "env-prod"])
    #expect(ECRClientTests.body(fake.requests[1])["imageIds"] == [["imageDigest": .string(Self.image.digest)]])
    #expect(registryError { _ = try client.tags(repository: Self.repository, pointingAt: "sha256:nope") }?.label == "invalid_reference")
  }

  @Test("tags(repository:) follows nextToken pages and returns every tag once, sorted")
  func pagination() throws {
    let fake = try AWSFakeServer { request, _ in
      switch ECRClientTests.body(request)["nextToken"].stringValue {
      case nil: return .json(200, ["imageDetails": [["imageDigest": "sha256:a", "imageTags": ["v2", "latest"]], ["imageDigest": "sha256:u"]], "nextToken": "p2"])
      case "p2": return .json(200, ["imageDetails": [["imageDigest": "sha256:b", "imageTags": ["v1"]]]])
      default: return .text(400, "bad token")
      }
    }
    defer { fake.stop() }
    #expect(try ECRClientTests.client(fake).tags(repository: Self.repository) == ["latest", "v1", "v2"])
    #expect(fake.requests.count == 2)
    #expect(ECRClientTests.body(fake.requests[0])["maxResults"] == 1000)
  }

  @Test("GetAuthorizationToken: Basic credentials for /v2/, the password never in the description")
  func authorizationToken() throws {
    let fake = try AWSFakeServer { _, _ in
      .json(200, ["authorizationData": [["authorizationToken": .string(Base64.encode(Array("AWS:pa55-w0rd".utf8))),
                                         "proxyEndpoint": "https://123456789012.dkr.ecr.eu-west-2.amazonaws.com", "expiresAt": 1.7e9]]])
    }
    defer { fake.stop() }
    let data = try ECRClientTests.client(fake).getAuthorizationToken(ECRRepository(repository: Self.repository))
    #expect(data.username == "AWS" && data.password == "pa55-w0rd" && data.expiresAt == 1.7e9)
    #expect(data.credential == .basic(username: "AWS", password: "pa55-w0rd"))
    #expect(!data.description.contains("pa55"))
    #expect(ECRClientTests.body(fake.requests[0]) == ["registryIds": ["123456789012"]])
  }

  @Test("repository host → registry id, region, endpoint; overrides from the environment; non-ECR hosts refused")
  func repositoryAndEndpoint() throws {
    let repo = try ECRRepository(repository: "210987654321.dkr.ecr.ap-southeast-2.amazonaws.com/team/app")
    #expect(repo.registryID == "210987654321" && repo.region == "ap-southeast-2" && repo.name == "team/app")
    #expect(repo.endpoint(environment: [:]) == "https://api.ecr.ap-southeast-2.amazonaws.com")
    #expect(repo.endpoint(environment: ["AWS_ENDPOINT_URL": "http://127.0.0.1:5000"]) == "http://127.0.0.1:5000")
    #expect(repo.endpoint(environment: ["AWS_ENDPOINT_URL": "http://a", "AWS_ENDPOINT_URL_ECR": "http://b"]) == "http://b")
    let china = try ECRRepository(repository: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app")
    #expect(china.defaultEndpoint == "https://api.ecr.cn-north-1.amazonaws.com.cn")
    for bad in ["docker.io/library/nginx", "12345.dkr.ecr.us-east-1.amazonaws.com/app", "123456789012.dkr.ecr.us-east-1.example.com/app"] {
      #expect(registryError { _ = try ECRRepository(repository: bad) }?.label == "invalid_reference", "\(bad)")
    }
  }
}
