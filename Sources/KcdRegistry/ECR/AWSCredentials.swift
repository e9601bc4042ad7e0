import KcdCore
import KcdCrypto
import KcdHTTP
import Synchronization

/// Something that hands out AWS credentials to sign with. Implementations cache temporary
/// credentials themselves and refresh them before they expire.
public protocol AWSCredentialSource: Sendable {
  func credentials() throws(RegistryError) -> AWSSigningCredentials
}

/// Fixed credentials (tests, or keys a caller already holds).
public struct StaticAWSCredentials: AWSCredentialSource {
  public let value: AWSSigningCredentials
  public init(_ value: AWSSigningCredentials) { self.value = value }
  public func credentials() throws(RegistryError) -> AWSSigningCredentials { value }
}

/// The SDKs' default chain, in their order, limited to what a pod needs: environment keys,
/// web identity (IRSA), EKS Pod Identity / ECS container credentials, then a profile of the
/// shared credentials file. The first source that is configured is used, and its failure is
/// reported rather than skipped, so a broken IRSA set-up never silently uses other keys.
public final class AWSCredentialChain: AWSCredentialSource {
  /// Which source the environment selected (for `kcd` start-up logs; never shows a secret).
  public let sourceName: String
  let source: (any AWSCredentialSource)?

  /// `environment` is read once, here; `http` carries STS and container-endpoint requests.
  public init(environment: [String: String] = ProcessRunner.currentEnvironment(), http: HTTPClient = HTTPClient(userAgent: "kcd")) {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if set("AWS_ACCESS_KEY_ID") != nil || set("AWS_SECRET_ACCESS_KEY") != nil {
      sourceName = "environment"
      source = EnvironmentAWSCredentials(environment: environment)
    } else if set("AWS_ROLE_ARN") != nil, set("AWS_WEB_IDENTITY_TOKEN_FILE") != nil {
      sourceName = "web identity"
      source = WebIdentityAWSCredentials(environment: environment, http: http)
    } else if set("AWS_CONTAINER_CREDENTIALS_FULL_URI") != nil || set("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI") != nil {
      sourceName = "container credentials endpoint"
      source = ContainerAWSCredentials(environment: environment, http: http)
    } else if let file = SharedCredentialsFile(environment: environment) {
      sourceName = "shared credentials file"
      source = file
    } else {
      sourceName = "none"
      source = nil
    }
  }

  public func credentials() throws(RegistryError) -> AWSSigningCredentials {
    guard let source else {
      throw RegistryError(
        .invalidCredentials,
        "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE (IRSA), "
          + "AWS_CONTAINER_CREDENTIALS_FULL_URI (EKS Pod Identity), or a profile in ~/.aws/credentials")
    }
    return try source.credentials()
  }
}

/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY` and, for temporary keys, `AWS_SESSION_TOKEN`
/// (or its old name `AWS_SECURITY_TOKEN`). Half a pair is an error, not "no credentials".
public struct EnvironmentAWSCredentials: AWSCredentialSource {
  let environment: [String: String]

  public init(environment: [String: String] = ProcessRunner.currentEnvironment()) { self.environment = environment }

  public func credentials() throws(RegistryError) -> AWSSigningCredentials {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    guard let id = set("AWS_ACCESS_KEY_ID") else {
      throw RegistryError(.invalidCredentials, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not")
    }
    guard let secret = set("AWS_SECRET_ACCESS_KEY") else {
      throw RegistryError(.invalidCredentials, "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
    }
    return AWSSigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: set("AWS_SESSION_TOKEN") ?? set("AWS_SECURITY_TOKEN"))
  }
}

/// Temporary credentials kept until shortly before they expire; shared by the sources that
/// fetch them (STS, container endpoint). A failed refresh falls back to the cached keys
/// while they are still valid for a little while, so a brief STS outage costs nothing.
final class ExpiringCredentialsCache: Sendable {
  struct Entry: Sendable {
    let credentials: AWSSigningCredentials
    let expiration: Double
  }

  /// Held while fetching, so concurrent callers wait for one STS call instead of each making one.
  let entry = Mutex<Entry?>(nil)
  /// Refresh this long before `Expiration` (the SDKs use 5–15 minutes).
  let refreshWindow: Double
  let clock: @Sendable () -> Double

  init(refreshWindow: Double = 300, clock: @escaping @Sendable () -> Double = Timestamps.now) {
    self.refreshWindow = refreshWindow
    self.clock = clock
  }

  func get(_ fetch: () throws(RegistryError) -> Entry) throws(RegistryError) -> AWSSigningCredentials {
    let clock = self.clock, refreshWindow = self.refreshWindow
    return try entry.withLock { (cached: inout Entry?) throws(RegistryError) -> AWSSigningCredentials in
      let now = clock()
      if let current = cached, current.expiration - refreshWindow > now { return current.credentials }
      do throws(RegistryError) {
        let fresh = try fetch()
        cached = fresh
        return fresh.credentials
      } catch {
        if let current = cached, current.expiration - 30 > now { return current.credentials }
        throw error
      }
    }
  }
}
