import CCurl
import KcdCore
import Synchronization

/// Outgoing HTTP over libcurl. Calls block the calling thread (run them on kcd's own threads,
/// never on the Swift concurrency pool). Easy handles are pooled so connections are reused.
public final class HTTPClient: Sendable {
  public let tls: TLSClientOptions
  public let userAgent: String
  let idle = Mutex<[Handle]>([])

  /// An easy handle and the multi handle that drives it (whose connection cache keeps the
  /// connections between transfers); owned by one transfer at a time.
  final class Handle: @unchecked Sendable {
    let raw: UnsafeMutableRawPointer
    let multi: UnsafeMutableRawPointer
    init?() {
      _ = CurlTransfer.globalInit
      guard let h = curl_easy_init() else { return nil }
      guard let m = curl_multi_init() else { curl_easy_cleanup(h); return nil }
      raw = h
      multi = m
    }
    deinit {
      curl_multi_cleanup(multi)
      curl_easy_cleanup(raw)
    }
  }

  public init(tls: TLSClientOptions = TLSClientOptions(), userAgent: String = "kcd") {
    self.tls = tls
    self.userAgent = userAgent
  }

  func checkout() throws(HTTPClientError) -> Handle {
    if let h = idle.withLock({ $0.popLast() }) { return h }
    guard let h = Handle() else { throw HTTPClientError(.transport, "libcurl could not create a handle") }
    return h
  }

  func checkin(_ h: Handle) {
    curl_easy_reset(h.raw)  // keeps the connection and TLS session caches
    idle.withLock { if $0.count < 16 { $0.append(h) } }
  }

  /// Sends a request and returns the whole response.
  public func send(_ request: HTTPClientRequest) throws(HTTPClientError) -> HTTPClientResponse {
    let h = try checkout()
    defer { checkin(h) }
    return try CurlTransfer.perform(handle: h.raw, multi: h.multi, request: request, tls: tls, userAgent: userAgent)
  }

  /// Streams a response: `onHead` sees the status and headers first (return false to stop),
  /// then `onData` each chunk as it arrives (return false to stop). With a `cancellation` the
  /// stream sleeps until data comes, a deadline passes or it is cancelled; without one,
  /// `shouldStop` is polled about once a second so a silent stream can be stopped. Returns the status.
  @discardableResult
  public func stream(
    _ request: HTTPClientRequest, onHead: @escaping (Int, HTTPHeaders) -> Bool, onData: @escaping ([UInt8]) -> Bool,
    shouldStop: @escaping () -> Bool = { false }, cancellation: TransferCancellation? = nil
  ) throws(HTTPClientError) -> Int {
    let h = try checkout()
    defer { checkin(h) }
    return try CurlTransfer.perform(
      handle: h.raw, multi: h.multi, request: request, tls: tls, userAgent: userAgent, onHead: onHead, onData: onData,
      shouldStop: shouldStop, cancellation: cancellation
    ).status
  }
}
