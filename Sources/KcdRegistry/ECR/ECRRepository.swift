/// An ECR repository as its image name spells it, `<account>.dkr.ecr.<region>.amazonaws.com/<name>`:
/// the account is the `registryId` of every call (so cross-account repositories work), the
/// region picks the API endpoint and the SigV4 scope.
public struct ECRRepository: Sendable, Hashable, CustomStringConvertible {
  public let registryID: String
  public let region: String
  /// The repository name inside the registry (`nearmap/photos`).
  public let name: String
  /// `amazonaws.com` or `amazonaws.com.cn`.
  public let domain: String

  public init(_ image: ImageName) throws(RegistryError) {
    let host = ImageName.hostWithoutPort(image.registry)
    let labels = host.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    // <account> . dkr . ecr[-fips] . <region> . amazonaws . com [. cn]
    guard labels.count >= 6, labels[1] == "dkr", labels[2] == "ecr" || labels[2] == "ecr-fips",
      labels[0].count == 12, labels[0].allSatisfy(\.isNumber), !labels[3].isEmpty,
      labels[4] == "amazonaws", labels[5] == "com", labels.count == 6 || (labels.count == 7 && labels[6] == "cn")
    else {
      throw RegistryError(.invalidReference, "\(image.registry) is not an Amazon ECR registry host (<12-digit account>.dkr.ecr.<region>.amazonaws.com)")
    }
    registryID = labels[0]
    region = labels[3]
    name = image.path
    domain = labels.count == 7 ? "amazonaws.com.cn" : "amazonaws.com"
  }

  public init(repository: String) throws(RegistryError) {
    try self.init(ImageName(repository))
  }

  public var host: String { "\(registryID).dkr.ecr.\(region).\(domain)" }
  public var description: String { host + "/" + name }

  /// The regional API endpoint (`https://api.ecr.<region>.amazonaws.com`).
  public var defaultEndpoint: String { "https://api.ecr.\(region).\(domain)" }

  /// `AWS_ENDPOINT_URL_ECR`, else `AWS_ENDPOINT_URL` (the SDKs' service-specific override
  /// variables; how tests reach moto), else the regional endpoint.
  public func endpoint(environment: [String: String]) -> String {
    AWSJSONClient.Service.ecr.endpoint(environment: environment, regional: defaultEndpoint)
  }
}

/// An image of a repository named by tag, by digest, or both (`ImageIdentifier`).
public struct ECRImageID: Sendable, Hashable, CustomStringConvertible {
  public var tag: String?
  public var digest: String?

  public init(tag: String? = nil, digest: String? = nil) {
    self.tag = tag
    self.digest = digest
  }

  public static func tag(_ tag: String) -> ECRImageID { ECRImageID(tag: tag) }
  public static func digest(_ digest: String) -> ECRImageID { ECRImageID(digest: digest) }

  /// `:tag`, `@sha256:…` or `:tag@sha256:…`, to follow a repository name in messages.
  public var description: String { (tag.map { ":" + $0 } ?? "") + (digest.map { "@" + $0 } ?? "") }
}
