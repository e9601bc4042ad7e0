import KcdCore
import KcdHTTP
import KcdRegistry
import KcdTestSupport
import Testing

/// 429/503 with `Retry-After` are waited out as told (bounded), longer waits go back to the
/// caller in `retryAfter`, and the client-side per-host rate limit spaces requests out. A
/// local server counts requests and when they came.
@Suite(.timeLimit(.minutes(2)))
struct BackoffTests {
  static let manifest = Array(#"{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{},"layers":[]}"#.utf8)

  /// Answers the first `throttled` manifest requests with `status` and `Retry-After`, then 200.
  static func throttling(_ throttled: Int, status: Int = 429, retryAfter: String?) throws -> FakeRegistry {
    let count = Shared(0)
    return try FakeRegistry { _, _ in
      let n = count.with { (c: inout Int) -> Int in c += 1; return c }
      guard n > throttled else {
        var headers = HTTPHeaders()
        if let retryAfter { headers.set("Retry-After", retryAfter) }
        return RegistryResponses.error(status, "TOOMANYREQUESTS", "slow down", headers: headers)
      }
      return RegistryResponses.manifest(manifest, mediaType: ManifestMediaType.ociManifest, digest: sha256(manifest))
    }
  }

  static func client(_ tweak: (inout OCIRegistryClient.Options) -> Void = { _ in }) -> OCIRegistryClient {
    var options = OCIRegistryClient.Options()
    tweak(&options)
    return OCIRegistryClient(options: options)
  }

  @Test("429 with Retry-After: 1, twice: two waits of a second, then the digest")
  func retryAfterIsHonoured() throws {
    let fake = try Self.throttling(2, retryAfter: "1")
    defer { fake.stop() }
    let codes = Shared<[String]>([])
    let metrics = MetricsRegistry()
    // The default wait is short, so only Retry-After explains second-long gaps.
    let client = Self.client {
      $0.defaultRetryWait = 0.1
      $0.onRequest = { _, code in codes.with { $0.append(code) } }
      $0.countRequests(in: metrics)
    }
    let started = monotonicSeconds()
    let resolved = try client.resolve(repository: "\(fake.host)/team/app", tag: "v1")
    let elapsed = monotonicSeconds() - started
    #expect(resolved.digest == sha256(Self.manifest))
    let times = fake.requests.map(\.at)
    #expect(times.count == 3)
    for (a, b) in zip(times, times.dropFirst()) { #expect(b - a >= 0.95, "gap \(b - a)") }
    #expect(elapsed < 4, "\(elapsed)")
    #expect(codes.current == ["429", "429", "200"])
    #expect(metrics.value(OCIRegistryClient.Options.requestsMetric, [fake.host, "429"]) == 2)
    #expect(metrics.value(OCIRegistryClient.Options.requestsMetric, [fake.host, "200"]) == 1)
    #expect(metrics.render().contains("kcd_registry_requests_total{registry=\"\(fake.host)\",code=\"429\"} 2"), "\(metrics.render())")
  }

  @Test("503 with Retry-After is treated the same way")
  func unavailableWithRetryAfter() throws {
    let fake = try Self.throttling(1, status: 503, retryAfter: "1")
    defer { fake.stop() }
    #expect(try Self.client { $0.defaultRetryWait = 0.1 }.resolve(repository: "\(fake.host)/team/app", tag: "v1").digest == sha256(Self.manifest))
    let times = fake.requests.map(\.at)
    #expect(times.count == 2)
    #expect(times.count == 2 && times[1] - times[0] >= 0.95)
  }

  @Test("still 429 after the allowed attempts: rate_limited with retryAfter for the caller")
  func boundedAttempts() throws {
    let fake = try Self.throttling(100, retryAfter: "1")
    defer { fake.stop() }
    let client = Self.client { $0.maximumAttempts = 2 }
    do {
      _ = try client.resolve(repository: "\(fake.host)/team/app", tag: "v1")
      Issue.record("expected rate_limited")
    } catch {
      #expect(error.isRateLimited)
      #expect(error.status == 429)
      #expect(error.retryAfter == 1)
      #expect(error.label == "rate_limited")
      #expect(error.message.contains("after 2 attempt(s)"), "\(error.message)")
    }
    #expect(fake.requests.count == 2)
  }

  @Test("a Retry-After longer than we wait ourselves returns at once")
  func longRetryAfterGoesBackToTheCaller() throws {
    let fake = try Self.throttling(100, retryAfter: "3600")
    defer { fake.stop() }
    let started = monotonicSeconds()
    do {
      _ = try Self.client().resolve(repository: "\(fake.host)/team/app", tag: "v1")
      Issue.record("expected rate_limited")
    } catch {
      #expect(error.isRateLimited)
      #expect(error.retryAfter == 3600)
    }
    #expect(monotonicSeconds() - started < 1)
    #expect(fake.requests.count == 1)
  }

  @Test("without Retry-After the wait doubles from defaultRetryWait")
  func defaultBackoff() throws {
    let fake = try Self.throttling(2, retryAfter: nil)
    defer { fake.stop() }
    let client = Self.client { $0.defaultRetryWait = 0.3 }
    _ = try client.resolve(repository: "\(fake.host)/team/app", tag: "v1")
    let t = fake.requests.map(\.at)
    #expect(t.count == 3)
    guard t.count == 3 else { return }
    #expect(t[1] - t[0] >= 0.28 && t[1] - t[0] < 0.9, "\(t[1] - t[0])")
    #expect(t[2] - t[1] >= 0.58 && t[2] - t[1] < 1.3, "\(t[2] - t[1])")
  }

  @Test("client-side limit: 5 requests per second with burst 1 spaces 6 requests over ≥ 1 s")
  func perHostRateLimit() throws {
    let fake = try Self.throttling(0, retryAfter: nil)
    defer { fake.stop() }
    let client = Self.client { $0.requestsPerSecond = 5; $0.burst = 1 }
    for _ in 0..<6 { _ = try client.resolve(repository: "\(fake.host)/team/app", tag: "v1") }
    let t = fake.requests.map(\.at)
    #expect(t.count == 6)
    #expect((t.last ?? 0) - (t.first ?? 0) >= 0.95, "\(t)")
  }
}
