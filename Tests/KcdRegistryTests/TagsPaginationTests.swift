import KcdHTTP
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// `tags/list` pagination as the distribution spec describes it (`n`, `last`, `Link`), against
/// a local server that honours it — Debian's Distribution 2.8 ignores `n` (see the
/// docker-registry tests) — including absolute links, a link to another host and a loop.
@Suite(.timeLimit(.minutes(1)))
struct TagsPaginationTests {
  static let allTags = ["a1", "b2", "c3", "d4", "e5"]

  /// Pages of `n` tags after `last`, with `Link` in the style `link` produces.
  static func paginating(link: @escaping @Sendable (_ base: String, _ n: Int, _ last: String) -> String) throws -> FakeRegistry {
    try FakeRegistry { request, base in
      guard request.path == "/v2/team/app/tags/list" else { return RegistryResponses.error(404, "NAME_UNKNOWN", "repository name not known to registry") }
      let n = request.queryValue("n").flatMap(Int.init) ?? allTags.count
      let after = request.queryValue("last")
      let rest = after.map { last in allTags.filter { $0 > last } } ?? allTags
      let page = Array(rest.prefix(n))
      var headers = HTTPHeaders()
      if page.count < rest.count, let last = page.last { headers.set("Link", link(base, n, last)) }
      return .json(200, ["name": "team/app", "tags": .array(page.map { .string($0) })], headers: headers)
    }
  }

  @Test("n=2 over 5 tags: three pages followed by their relative Link")
  func relativeLinks() throws {
    let fake = try Self.paginating { _, n, last in #"</v2/team/app/tags/list?n=\#(n)&last=\#(last)>; rel="next""# }
    defer { fake.stop() }
    let tags = try OCIRegistryClient().tags(repository: "\(fake.host)/team/app", pageSize: 2)
    #expect(tags == Self.allTags)
    #expect(fake.requests.map(\.query) == [["n": ["2"]], ["n": ["2"], "last": ["b2"]], ["n": ["2"], "last": ["d4"]]])
  }

  @Test("absolute links to the registry itself are followed")
  func absoluteLinks() throws {
    let fake = try Self.paginating { base, n, last in #"<\#(base)/v2/team/app/tags/list?n=\#(n)&last=\#(last)>; rel="next""# }
    defer { fake.stop() }
    #expect(try OCIRegistryClient().tags(repository: "\(fake.host)/team/app", pageSize: 3) == Self.allTags)
    #expect(fake.requests.count == 2)
  }

  @Test("a next link to another host is refused, not followed with our credentials")
  func foreignLink() throws {
    let fake = try Self.paginating { _, _, _ in #"<http://127.0.0.2:1/v2/team/app/tags/list?last=b2>; rel="next""# }
    defer { fake.stop() }
    do {
      _ = try OCIRegistryClient().tags(repository: "\(fake.host)/team/app", pageSize: 2)
      Issue.record("expected a refusal")
    } catch {
      #expect(error.label == "bad_response")
      #expect(error.message.contains("another host"), "\(error.message)")
    }
    #expect(fake.requests.count == 1)
  }

  @Test("a link back to a page already read ends with an error, not a loop")
  func linkLoop() throws {
    let fake = try Self.paginating { _, _, _ in #"</v2/team/app/tags/list?n=2>; rel="next""# }
    defer { fake.stop() }
    #expect(throws: RegistryError.self) { _ = try OCIRegistryClient().tags(repository: "\(fake.host)/team/app", pageSize: 2) }
    #expect(fake.requests.count == 1)
  }

  @Test("unknown repository: not_found")
  func unknownRepository() throws {
    let fake = try Self.paginating { _, _, _ in "" }
    defer { fake.stop() }
    do {
      _ = try OCIRegistryClient().tags(repository: "\(fake.host)/team/other")
      Issue.record("expected not found")
    } catch {
      #expect(error.isNotFound)
      #expect(error.message.contains("NAME_UNKNOWN"), "\(error.message)")
    }
  }
}
