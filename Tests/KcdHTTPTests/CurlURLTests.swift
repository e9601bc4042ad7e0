import KcdHTTP
import Testing

/// libcurl's reading of a URL, which allow-lists compare because libcurl sends the request.
@Suite struct CurlURLTests {
  @Test("host, port and path as libcurl will use them")
  func parts() throws {
    let u = try #require(CurlURL("HTTPS://user:pw@Verify.Example.com/kcd/a/../b?q=1#f"))
    #expect(u.scheme == "https" && u.host.lowercased() == "verify.example.com" && u.port == 443 && u.path == "/kcd/b")
    let v6 = try #require(CurlURL("http://[fd00::1]:08080/x"))
    #expect(v6.host == "[fd00::1]" && v6.port == 8080 && v6.path == "/x")
    #expect(CurlURL("http://example.com")?.path == "/")
    #expect(CurlURL("http://example.com:99999/") == nil)
    #expect(CurlURL("http://exa mple.com/") == nil)
  }
}
