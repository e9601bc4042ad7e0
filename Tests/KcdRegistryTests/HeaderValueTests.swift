import KcdRegistry
import Testing

/// `Link` pagination targets and `Retry-After` in both forms.
@Suite struct HeaderValueTests {
  @Test func distributionNextLink() {
    #expect(LinkHeader.next([#"</v2/team/app/tags/list?n=2&last=b>; rel="next""#]) == "/v2/team/app/tags/list?n=2&last=b")
  }

  @Test func nextAmongSeveralLinksAndRelations() {
    let value = #"<https://r.example/v2/a/tags/list?last=z>; rel="prev", <https://r.example/v2/a/tags/list?n=5&last=c,d>; rel="last next"; title="x, y""#
    #expect(LinkHeader.next([value]) == "https://r.example/v2/a/tags/list?n=5&last=c,d")
    #expect(LinkHeader.links(value).map(\.relations) == [["prev"], ["last", "next"]])
    #expect(LinkHeader.next([#"</x>; rel=NEXT"#]) == "/x")
    #expect(LinkHeader.next([#"</x>; rel="prev""#, #"</y>; rel="next""#]) == "/y")
  }

  @Test(arguments: ["", "no link here", #"</x>; rel="prev""#, #"</x; rel="next""#])
  func noNextLink(value: String) {
    #expect(LinkHeader.next([value]) == nil)
  }

  @Test func retryAfterSeconds() {
    #expect(RetryAfter.seconds("1") == 1)
    #expect(RetryAfter.seconds(" 120 ") == 120)
    #expect(RetryAfter.seconds(nil) == nil)
    #expect(RetryAfter.seconds("") == nil)
    #expect(RetryAfter.seconds("-1") == nil)
    #expect(RetryAfter.seconds("soon") == nil)
  }

  /// 784111777 is 1994-11-06T08:49:37Z (RFC 9110's example date).
  @Test(arguments: ["Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994"])
  func httpDateForms(text: String) {
    #expect(RetryAfter.httpDate(text) == 784_111_777)
    #expect(RetryAfter.seconds(text, now: 784_111_770) == 7)
    #expect(RetryAfter.seconds(text, now: 784_111_800) == 0)
  }

  @Test(arguments: ["Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49 GMT"])
  func invalidDates(text: String) {
    #expect(RetryAfter.httpDate(text) == nil)
  }
}
