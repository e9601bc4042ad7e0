import KcdCore
import KcdHooks
import Testing

/// The published Standard Webhooks vector and the reference libraries' negative cases.
@Suite struct StandardWebhooksTests {
  static let key = try! StandardWebhooks.Key(secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
  static let id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
  static let timestamp = "1614265330"
  static let body = Array(#"{"test": 2432232314}"#.utf8)
  static let good = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

  func verify(_ signatures: String?, id: String? = id, timestamp: String? = timestamp, now: Double? = nil) throws(HookRejection) {
    try StandardWebhooks.verify(keys: [Self.key], id: id, timestamp: timestamp, signatures: signatures, body: Self.body, now: now)
  }

  @Test("the key decodes to the published 24 bytes")
  func keyBytes() {
    #expect(Self.key.bytes.count == 24)
    #expect(Self.key.bytes.prefix(4) == [0x31, 0xf2, 0x90, 0xf6])
  }

  @Test("signing reproduces the published signature")
  func sign() {
    #expect(StandardWebhooks.signature(key: Self.key, id: Self.id, timestamp: Self.timestamp, body: Self.body) == Self.good)
  }

  @Test("the published signature verifies")
  func verifies() throws {
    try verify(Self.good)
  }

  @Test("a list with invalid and non-v1 entries passes on the valid one")
  func list() throws {
    try verify("v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= \(Self.good) v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=")
  }

  @Test("negative vectors fail with 401", arguments: [
    "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA=",
    "v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    "v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc=",
    "v1,g0hM9S",
    "v1,",
    "garbage",
  ])
  func negative(signature: String) {
    #expect(throws: HookRejection.self) { try verify(signature) }
    do { try verify(signature) } catch { #expect(error.status == 401) }
  }

  @Test("missing headers fail")
  func missing() {
    #expect(throws: HookRejection.self) { try verify(nil) }
    #expect(throws: HookRejection.self) { try verify(Self.good, id: nil) }
    #expect(throws: HookRejection.self) { try verify(Self.good, timestamp: nil) }
  }

  @Test("the timestamp window is ±5 minutes")
  func window() throws {
    let now = Timestamps.now()
    func signed(_ ts: Int64) -> (String, String) {
      let t = String(ts)
      return (t, StandardWebhooks.signature(key: Self.key, id: Self.id, timestamp: t, body: Self.body))
    }
    let fresh = signed(Int64(now))
    try verify(fresh.1, timestamp: fresh.0, now: now)
    let old = signed(Int64(now) - 301)
    #expect(throws: HookRejection.self) { try verify(old.1, timestamp: old.0, now: now) }
    let future = signed(Int64(now) + 301)
    #expect(throws: HookRejection.self) { try verify(future.1, timestamp: future.0, now: now) }
    #expect(throws: HookRejection.self) { try verify(Self.good, timestamp: "hello", now: now) }
  }

  @Test("empty secrets are refused when configuring")
  func emptySecrets() {
    #expect(throws: HookRejection.self) { _ = try StandardWebhooks.Key(secret: "whsec_") }
    #expect(throws: HookRejection.self) { _ = try StandardWebhooks.Key(secret: "") }
    #expect(throws: HookRejection.self) { _ = try StandardWebhooks.Key(secret: "  \n") }
  }

  @Test("a raw secret is used as bytes")
  func rawSecret() throws {
    #expect(try StandardWebhooks.Key(secret: "plain-secret\n").bytes == Array("plain-secret".utf8))
  }
}
