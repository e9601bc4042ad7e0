import KcdCore
import KcdCrypto
import KcdHTTP

/// IRSA: `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` exchanged at STS
/// (`AssumeRoleWithWebIdentity`, an unsigned query-API call) for temporary keys, cached until
/// five minutes before `Expiration`. The token file is re-read on every exchange because the
/// kubelet rotates it. Neither the token nor the keys ever appear in an error.
public final class WebIdentityAWSCredentials: AWSCredentialSource {
  public let roleARN: String
  public let tokenFile: String
  public let sessionName: String
  /// Where STS is reached: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the regional
  /// endpoint of `AWS_REGION` / `AWS_DEFAULT_REGION`, else the global one.
  public let endpoint: String
  let http: HTTPClient
  let cache: ExpiringCredentialsCache
  /// Whole-request limit for the STS call.
  public let timeout: Double

  public init(
    environment: [String: String], http: HTTPClient = HTTPClient(userAgent: "kcd"), timeout: Double = 15,
    clock: @escaping @Sendable () -> Double = Timestamps.now
  ) {
    self.timeout = timeout
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    roleARN = set("AWS_ROLE_ARN") ?? ""
    tokenFile = set("AWS_WEB_IDENTITY_TOKEN_FILE") ?? ""
    sessionName = set("AWS_ROLE_SESSION_NAME") ?? "kcd-\(Int(clock()))"
    endpoint = WebIdentityAWSCredentials.stsEndpoint(environment)
    self.http = http
    cache = ExpiringCredentialsCache(clock: clock)
  }

  static func stsEndpoint(_ environment: [String: String]) -> String {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if let url = set("AWS_ENDPOINT_URL_STS") ?? set("AWS_ENDPOINT_URL") { return url }
    guard let region = set("AWS_REGION") ?? set("AWS_DEFAULT_REGION") else { return "https://sts.amazonaws.com" }
    return "https://sts.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : "")
  }

  public func credentials() throws(RegistryError) -> AWSSigningCredentials {
    try cache.get { () throws(RegistryError) -> ExpiringCredentialsCache.Entry in try assumeRole() }
  }

  func assumeRole() throws(RegistryError) -> ExpiringCredentialsCache.Entry {
    let token: String
    do {
      var text = String(decoding: try FileIO.read(tokenFile, limit: 64 * 1024), as: UTF8.self)
      while let last = text.last, last == "\n" || last == "\r" || last == " " { text.removeLast() }
      token = text
    } catch {
      throw RegistryError(.invalidCredentials, "cannot read the web identity token file \(tokenFile) (AWS_WEB_IDENTITY_TOKEN_FILE): \(error)")
    }
    guard !token.isEmpty else { throw RegistryError(.invalidCredentials, "the web identity token file \(tokenFile) is empty") }
    let form = [
      ("Action", "AssumeRoleWithWebIdentity"), ("Version", "2011-06-15"), ("RoleArn", roleARN),
      ("RoleSessionName", sessionName), ("WebIdentityToken", token),
    ].map { "\($0.0)=\(SigV4Signer.uriEncode($0.1, keepSlash: false))" }.joined(separator: "&")
    var headers = HTTPHeaders()
    headers.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
    headers.set("Accept", "text/xml")
    var request = HTTPClientRequest(method: "POST", url: endpoint.hasSuffix("/") ? endpoint : endpoint + "/", headers: headers, body: Array(form.utf8))
    request.timeout = timeout
    request.maximumBodyBytes = 1 << 20
    let response: HTTPClientResponse
    do { response = try http.send(request) } catch {
      throw RegistryError(.transport, "cannot reach STS at \(endpoint) to assume \(roleARN): \(error.message)")
    }
    let xml = response.text
    guard response.status == 200 else {
      let code = XMLFields.text(of: "Code", in: xml) ?? "HTTP \(response.status)"
      let message = XMLFields.text(of: "Message", in: xml).map { ": " + AWSErrorBody.printable($0) } ?? ""
      let kind: RegistryError.Code = response.status >= 500 || code == "Throttling" ? .unavailable : .invalidCredentials
      throw RegistryError(kind, "STS refused AssumeRoleWithWebIdentity for \(roleARN) (\(response.status) \(code)\(message))", status: response.status)
    }
    guard let block = XMLFields.text(of: "Credentials", in: xml, decoded: false),
      let id = XMLFields.text(of: "AccessKeyId", in: block), let secret = XMLFields.text(of: "SecretAccessKey", in: block),
      let sessionToken = XMLFields.text(of: "SessionToken", in: block),
      let expirationText = XMLFields.text(of: "Expiration", in: block), let expiration = Timestamps.parse(expirationText)
    else {
      throw RegistryError(.badResponse, "STS answered AssumeRoleWithWebIdentity for \(roleARN) without complete credentials")
    }
    return .init(credentials: AWSSigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: sessionToken), expiration: expiration)
  }
}
