import CCurl
#if canImport(Glibc)
import Glibc
#endif

/// A URL as libcurl reads it — the parser its transfers use — for code that must decide about
/// the host, port and path a request will really go to (an allow-list), not about the text.
public struct CurlURL: Sendable, Equatable {
  public var scheme: String
  /// As libcurl will resolve it; an IPv6 literal keeps its brackets.
  public var host: String
  /// The number given, or the scheme's default.
  public var port: Int
  /// With dot segments removed, as libcurl sends it.
  public var path: String

  /// Nil when libcurl refuses the URL (it would not send it either).
  public init?(_ url: String) {
    guard let handle = curl_url() else { return nil }
    defer { curl_url_cleanup(handle) }
    guard curl_url_set(handle, CURLUPART_URL, url, 0) == CURLUE_OK else { return nil }
    func part(_ what: CURLUPart, _ flags: UInt32 = 0) -> String? {
      var out: UnsafeMutablePointer<CChar>?
      guard curl_url_get(handle, what, &out, flags) == CURLUE_OK, let out else { return nil }
      defer { curl_free(out) }
      return String(cString: out)
    }
    guard let scheme = part(CURLUPART_SCHEME), let host = part(CURLUPART_HOST),
          let port = part(CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT)).flatMap({ Int($0) }) else { return nil }
    self.scheme = scheme
    self.host = host
    self.port = port
    self.path = part(CURLUPART_PATH) ?? "/"
  }
}
