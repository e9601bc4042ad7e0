import KcdCore
import KcdCrypto
import KcdHTTP
import KcdJSON

/// EKS Pod Identity and ECS task roles: temporary keys from a local credentials endpoint
/// (`AWS_CONTAINER_CREDENTIALS_FULL_URI`, or `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` under
/// `http://169.254.170.2`), authorised with the token in `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`
/// (re-read each time; it rotates) or `AWS_CONTAINER_AUTHORIZATION_TOKEN`. As in the SDKs,
/// plain HTTP is only allowed to loopback and the link-local agent addresses.
public final class ContainerAWSCredentials: AWSCredentialSource {
  public let url: String
  let tokenFile: String?
  let token: String?
  let http: HTTPClient
  let cache: ExpiringCredentialsCache

  public init(environment: [String: String], http: HTTPClient = HTTPClient(userAgent: "kcd"), clock: @escaping @Sendable () -> Double = Timestamps.now) {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    url = set("AWS_CONTAINER_CREDENTIALS_FULL_URI") ?? ("http://169.254.170.2" + (set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") ?? ""))
    tokenFile = set("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    token = set("AWS_CONTAINER_AUTHORIZATION_TOKEN")
    self.http = http
    cache = ExpiringCredentialsCache(clock: clock)
  }

  public func credentials() throws(RegistryError) -> AWSSigningCredentials {
    try cache.get { () throws(RegistryError) -> ExpiringCredentialsCache.Entry in try fetch() }
  }

  /// `http://127.0.0.1…`, `http://169.254.170.2…` (ECS), `http://169.254.170.23…` and
  /// `http://[fd00:ec2::23]…` (EKS Pod Identity agent), or any `https://` URL.
  static func isAllowed(_ url: String) -> Bool {
    if url.hasPrefix("https://") { return true }
    guard url.hasPrefix("http://") else { return false }
    let authority = url.dropFirst(7).prefix { $0 != "/" && $0 != "?" }
    let host = ImageName.hostWithoutPort(String(authority)).lowercased()
    return ImageName.isLoopback(host) || ["169.254.170.2", "169.254.170.23", "[fd00:ec2::23]"].contains(host)
  }

  func fetch() throws(RegistryError) -> ExpiringCredentialsCache.Entry {
    guard ContainerAWSCredentials.isAllowed(url) else {
      throw RegistryError(.invalidCredentials, "the container credentials endpoint must be https or a loopback / agent address, not \(url)")
    }
    var request = HTTPClientRequest(method: "GET", url: url)
    request.timeout = 10
    request.maximumBodyBytes = 64 * 1024
    if let tokenFile {
      do {
        var text = String(decoding: try FileIO.read(tokenFile, limit: 64 * 1024), as: UTF8.self)
        while let last = text.last, last == "\n" || last == "\r" || last == " " { text.removeLast() }
        request.headers.set("Authorization", text)
      } catch {
        throw RegistryError(.invalidCredentials, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(tokenFile): \(error)")
      }
    } else if let token {
      request.headers.set("Authorization", token)
    }
    let response: HTTPClientResponse
    do { response = try http.send(request) } catch {
      throw RegistryError(.transport, "cannot reach the container credentials endpoint: \(error.message)")
    }
    guard response.status == 200 else {
      throw RegistryError(response.status >= 500 ? .unavailable : .invalidCredentials, "the container credentials endpoint answered \(response.status)", status: response.status)
    }
    let document = try? JSON.parse(response.body)
    guard let document, let id = document["AccessKeyId"].stringValue, let secret = document["SecretAccessKey"].stringValue,
      let expiration = document["Expiration"].stringValue.flatMap(Timestamps.parse)
    else {
      throw RegistryError(.badResponse, "the container credentials endpoint sent no AccessKeyId, SecretAccessKey and Expiration")
    }
    let credentials = AWSSigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: document["Token"].stringValue)
    return .init(credentials: credentials, expiration: expiration)
  }
}
