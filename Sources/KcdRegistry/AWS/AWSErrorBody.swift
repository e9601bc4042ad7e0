import KcdHTTP
import KcdJSON

/// The error of a non-2xx AWS JSON answer, normalised the way the SDKs do it.
struct AWSErrorBody: Sendable {
  /// `RepositoryNotFoundException`, `ThrottlingException`, … (empty when the answer had none).
  let type: String
  let message: String

  /// Type from `x-amzn-ErrorType`, else `__type`, else `code`; cut at the first `:` and kept
  /// after the last `#` (`com.amazonaws.ecr#Foo:http://…` → `Foo`). Message from `message`
  /// or `Message`, printable and short.
  /// An XML `<Error><Code>` body (what AWS's front door, and moto, send for signature and
  /// token failures) is understood too.
  init(_ response: HTTPClientResponse) {
    let document = try? JSON.parse(response.body)
    let xml = document == nil ? response.text : ""
    var raw = response.headers["x-amzn-ErrorType"] ?? document?["__type"].stringValue ?? document?["code"].stringValue
      ?? XMLFields.text(of: "Code", in: xml) ?? ""
    if let colon = raw.firstIndex(of: ":") { raw = String(raw[..<colon]) }
    if let hash = raw.lastIndex(of: "#") { raw = String(raw[raw.index(after: hash)...]) }
    type = raw.trimmingSpaces()
    message = AWSErrorBody.printable(
      document?["message"].stringValue ?? document?["Message"].stringValue ?? XMLFields.text(of: "Message", in: xml) ?? "")
  }

  /// Throttling answers worth retrying after a pause (with 429 and 5xx).
  static let throttlingTypes: Set<String> = [
    "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "Throttling",
    "RequestThrottled", "RequestThrottledException", "ProvisionedThroughputExceededException", "SlowDown",
  ]

  var isThrottling: Bool { AWSErrorBody.throttlingTypes.contains(type) }

  /// The error for `service`'s operation on `what` (`ECR`, `nearmap/photos:v1`).
  func error(_ service: String, _ operation: String, _ what: String, status: Int) -> RegistryError {
    let kind: RegistryError.Code
    switch type {
    case "RepositoryNotFoundException", "ImageNotFoundException", "LayersNotFoundException", "ReferencedImagesNotFoundException",
      "RegistryPolicyNotFoundException", "RepositoryPolicyNotFoundException", "ResourceNotFoundException":
      kind = .notFound
    case "AccessDeniedException", "ImageTagAlreadyExistsException", "KmsException":
      kind = .denied
    case "UnrecognizedClientException", "InvalidSignatureException", "SignatureDoesNotMatch", "IncompleteSignature",
      "InvalidClientTokenId", "ExpiredTokenException", "ExpiredToken", "MissingAuthenticationToken", "MissingAuthenticationTokenException":
      kind = .unauthorized
    case "InvalidParameterException", "InvalidTagParameterException", "ValidationException":
      kind = .invalidReference
    case "ImageDigestDoesNotMatchException":
      kind = .digestMismatch
    case _ where isThrottling || status == 429:
      kind = .rateLimited
    case _ where status >= 500 || type == "ServerException":
      kind = .unavailable
    case _ where status == 403:
      kind = .denied
    default:
      kind = .badResponse
    }
    let detail = (type.isEmpty ? "" : ": \(type)") + (message.isEmpty ? "" : ": \(message)")
    return RegistryError(kind, "\(service) \(operation) failed for \(what) (\(status)\(detail))", status: status)
  }

  /// Printable ASCII only, at most 300 characters: AWS messages are shown to operators and
  /// must not smuggle control characters into logs.
  static func printable(_ text: String) -> String {
    String(text.unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F }.prefix(300).map(Character.init))
  }
}
