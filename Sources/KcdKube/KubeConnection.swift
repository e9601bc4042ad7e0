import KcdHTTP

/// Everything needed to reach one API server: its URL, how to trust it and who we are.
public struct KubeConnection: Sendable {
  /// `https://host:port` without a trailing slash.
  public var server: String
  public var tls: TLSClientOptions
  public var credentials: Credentials
  /// The namespace of the context (or of the pod, in cluster).
  public var namespace: String

  public init(server: String, tls: TLSClientOptions = TLSClientOptions(), credentials: Credentials = Credentials(.none), namespace: String = "default") {
    var s = server
    while s.hasSuffix("/") { s.removeLast() }
    self.server = s
    self.tls = tls
    self.credentials = credentials
    self.namespace = namespace
  }
}
