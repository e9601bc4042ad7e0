/// An outgoing request. Bodies are bytes; the URL is absolute.
public struct HTTPClientRequest: Sendable {
  public var method: String
  public var url: String
  public var headers: HTTPHeaders
  public var body: [UInt8]?
  /// Whole-transfer limit in seconds; 0 = none (watches use the idle limit instead).
  public var timeout: Double = 30
  public var connectTimeout: Double = 10
  /// A stream that delivers nothing for this long is treated as dead (0 = no limit).
  public var idleTimeout: Double = 0
  /// Largest body accepted into memory.
  public var maximumBodyBytes = 16 << 20

  public init(method: String, url: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]? = nil) {
    self.method = method
    self.url = url
    self.headers = headers
    self.body = body
  }
}

public struct HTTPClientResponse: Sendable {
  public var status: Int
  public var headers: HTTPHeaders
  public var body: [UInt8]

  public init(status: Int, headers: HTTPHeaders, body: [UInt8]) {
    self.status = status
    self.headers = headers
    self.body = body
  }

  public var text: String { String(decoding: body, as: UTF8.self) }
}

/// How the client authenticates servers and itself. PEM data stays in memory (libcurl blobs),
/// so kubeconfig `*-data` fields need no temporary files.
public struct TLSClientOptions: Sendable, Equatable {
  public var caPEM: [UInt8]?
  public var caFile: String?
  public var clientCertificatePEM: [UInt8]?
  public var clientKeyPEM: [UInt8]?
  public var clientCertificateFile: String?
  public var clientKeyFile: String?
  /// Only ever true when a user set it explicitly.
  public var insecureSkipVerify = false

  public init() {}
}
