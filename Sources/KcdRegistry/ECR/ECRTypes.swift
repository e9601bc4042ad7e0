import KcdCore
import KcdJSON

/// An image as `BatchGetImage` and `PutImage` return it. `manifest` is the manifest text
/// exactly as ECR stores it: its UTF-8 bytes are what the digest covers, so it is passed on
/// unchanged when re-tagging, never re-serialised.
public struct ECRImage: Sendable, Equatable {
  public let id: ECRImageID
  public let manifest: String
  public let mediaType: String?

  public init(id: ECRImageID, manifest: String, mediaType: String?) {
    self.id = id
    self.manifest = manifest
    self.mediaType = mediaType
  }

  init(_ json: JSON) {
    id = ECRImageID(json["imageId"])
    manifest = json["imageManifest"].stringValue ?? ""
    mediaType = json["imageManifestMediaType"].stringValue
  }
}

/// One image a batch call could not handle, although the call itself answered 200.
public struct ECRImageFailure: Sendable, Equatable, CustomStringConvertible {
  public let id: ECRImageID
  /// `ImageNotFound`, `InvalidImageTag`, `ImageTagDoesNotMatchDigest`, …
  public let code: String
  public let reason: String

  init(_ json: JSON) {
    id = ECRImageID(json["imageId"])
    code = json["failureCode"].stringValue ?? "Unknown"
    reason = json["failureReason"].stringValue ?? ""
  }

  public var description: String { "\(id): \(code)" + (reason.isEmpty ? "" : " (\(AWSErrorBody.printable(reason)))") }

  /// The error for this failure, naming the repository, the image and the failure code.
  public func error(_ operation: String, _ repository: ECRRepository) -> RegistryError {
    let kind: RegistryError.Code
    switch code {
    case "ImageNotFound": kind = .notFound
    case "InvalidImageTag", "InvalidImageDigest", "MissingDigestAndTag": kind = .invalidReference
    case "ImageTagDoesNotMatchDigest": kind = .digestMismatch
    case "UpstreamTooManyRequests": kind = .rateLimited
    case "UpstreamUnavailable": kind = .unavailable
    case "UpstreamAccessDenied", "KmsError", "ImageInaccessible": kind = .denied
    default: kind = .badResponse
    }
    return RegistryError(kind, "ECR \(operation) failed for \(repository.name)\(self)")
  }
}

/// A `DescribeImages` entry: the digest and every tag on it (ECR gives no order; kcd sorts).
public struct ECRImageDetail: Sendable, Equatable {
  public let digest: String
  public let tags: [String]
  public let mediaType: String?
  /// Epoch seconds.
  public let pushedAt: Double?
  public let sizeInBytes: Int64?

  init(_ json: JSON) {
    digest = json["imageDigest"].stringValue ?? ""
    tags = (json["imageTags"].arrayValue ?? []).compactMap(\.stringValue)
    mediaType = json["imageManifestMediaType"].stringValue
    pushedAt = json["imagePushedAt"].doubleValue
    sizeInBytes = json["imageSizeInBytes"].intValue
  }
}

/// Results of the batch calls, with the per-image failures ECR reports inside a 200.
public struct ECRBatchGetImageResult: Sendable, Equatable {
  public let images: [ECRImage]
  public let failures: [ECRImageFailure]
}

public struct ECRBatchDeleteImageResult: Sendable, Equatable {
  public let deleted: [ECRImageID]
  public let failures: [ECRImageFailure]
}

public struct ECRDescribeImagesPage: Sendable, Equatable {
  public let images: [ECRImageDetail]
  public let nextToken: String?
}

/// `GetAuthorizationToken`: HTTP Basic credentials (user `AWS`) for the registry's `/v2/`
/// API, valid 12 hours. `description` hides the password.
public struct ECRAuthorizationData: Sendable, Equatable, CustomStringConvertible {
  public let username: String
  public let password: String
  /// `https://<account>.dkr.ecr.<region>.amazonaws.com`
  public let proxyEndpoint: String
  /// Epoch seconds.
  public let expiresAt: Double?

  public var description: String { "ECR authorization for \(proxyEndpoint) as \(username)" }

  /// For the OCI client: `RegistryCredentials.set(data.credential, forHost: …)`.
  public var credential: RegistryCredential { .basic(username: username, password: password) }

  init?(_ json: JSON) {
    guard let token = json["authorizationToken"].stringValue, let decoded = Base64.decode(token) else { return nil }
    let text = String(decoding: decoded, as: UTF8.self)
    guard let colon = text.firstIndex(of: ":") else { return nil }
    username = String(text[..<colon])
    password = String(text[text.index(after: colon)...])
    proxyEndpoint = json["proxyEndpoint"].stringValue ?? ""
    expiresAt = json["expiresAt"].doubleValue
  }
}

extension ECRImageID {
  init(_ json: JSON) {
    self.init(tag: json["imageTag"].stringValue, digest: json["imageDigest"].stringValue)
  }

  var json: JSON {
    var object: [String: JSON] = [:]
    if let tag { object["imageTag"] = .string(tag) }
    if let digest { object["imageDigest"] = .string(digest) }
    return .object(object)
  }
}
