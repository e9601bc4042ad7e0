import Synchronization
import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import Testing

/// `/hooks/ecr` over SNS with the real AWS-signed messages of §13.3, verified at the time they
/// were signed with their (pinned, since expired) certificate, and tampered copies refused.
/// Their `Message` is "Hello world", not an ECR event: an authentic one gets past
/// authentication to 400, a forged one stops at 401.
@Suite struct ECRSNSVectorTests {
  static func hook() -> ECRHook {
    ECRHook(secrets: [], fetch: { url in
      guard url == SNSVectors.certificateURL else { throw FixtureError(description: "unexpected fetch") }
      return Array(SNSVectors.certificate.utf8)
    }, extraTrustAnchors: [try! Certificate(pem: SNSVectors.certificate)], certificateCache: SNSCertificateCache())
  }

  static func request(_ body: JSON, now: Double? = nil) -> HookRequest {
    let sent = Timestamps.parse(body["Timestamp"].stringValue ?? "") ?? SNSVectors.signingTime
    return HookTest.request(body, headers: ["x-amz-sns-message-type": body["Type"].stringValue ?? ""], now: now ?? sent + 30)
  }

  static func vector(_ index: Int) -> JSON { try! JSON.parse(SNSVectors.all[index]) }

  @Test("each real message verifies (v1 SHA1withRSA and v2 SHA256withRSA)", arguments: 0..<4)
  func authentic(index: Int) {
    do {
      _ = try Self.hook().handle(Self.request(Self.vector(index)))
      Issue.record("expected the non-ECR message to be refused after authentication")
    } catch {
      #expect(error == HookRejection(400, "the SNS Message is not an EventBridge event"))
    }
  }

  static let tamperings: [(String, @Sendable (inout JSON) -> Void)] = [
    ("one character of Message", { $0["Message"] = "Hello World" }),
    ("SignatureVersion swapped", { $0["SignatureVersion"] = $0["SignatureVersion"].stringValue == "1" ? "2" : "1" }),
    ("MessageId changed", { $0["MessageId"] = "00000000-518f-5dd3-9163-81d851212f3a" }),
    ("Timestamp changed", { $0["Timestamp"] = "2022-07-28T21:23:59.317Z" }),
    ("TopicArn changed", { $0["TopicArn"] = "arn:aws:sns:us-east-2:295079676684:other" }),
    ("Subject added", { $0["Subject"] = "Injected" }),
    ("one signature byte", { j in
      var sig = Base64.decode(j["Signature"].stringValue ?? "") ?? []
      sig[0] ^= 0x80
      j["Signature"] = .string(Base64.encode(sig))
    }),
    ("Signature missing", { $0.removeValue(forKey: "Signature") }),
    ("SignatureVersion 3", { $0["SignatureVersion"] = "3" }),
  ]

  @Test("tampered copies are refused with 401", arguments: 0..<4, 0..<9)
  func tampered(index: Int, tampering: Int) {
    var body = Self.vector(index)
    Self.tamperings[tampering].1(&body)
    let status = HookTest.status(Self.hook(), Self.request(body))
    // A missing Signature is a malformed envelope; everything else fails authentication.
    #expect(status == (Self.tamperings[tampering].0 == "Signature missing" ? 400 : 401), "\(Self.tamperings[tampering].0)")
  }

  @Test("Subject removed from a message that was signed with one is refused")
  func subjectRemoved() {
    var body = Self.vector(2)
    body.removeValue(forKey: "Subject")
    #expect(HookTest.status(Self.hook(), Self.request(body)) == 401)
  }

  @Test("outside the time window, or after the certificate expired: 401")
  func timeWindow() {
    let body = Self.vector(1)
    let sent = Timestamps.parse(body["Timestamp"].stringValue!)!
    #expect(HookTest.status(Self.hook(), Self.request(body, now: sent + 3600 + 300 + 1)) == 401)
    #expect(HookTest.status(Self.hook(), Self.request(body, now: sent - 301)) == 401)
    let patient = ECRHook(secrets: [], fetch: { _ in Array(SNSVectors.certificate.utf8) },
                          extraTrustAnchors: [try! Certificate(pem: SNSVectors.certificate)], certificateCache: SNSCertificateCache(),
                          maximumMessageAge: 10 * 365 * 86400)
    #expect(HookTest.status(patient, Self.request(body, now: Timestamps.now())) == 401)
    #expect(HookTest.status(patient, Self.request(body)) == 400)
  }

  @Test("without the pinned anchor the chain needs the issuer: 503 while it cannot be downloaded, 401 when it is not a certificate")
  func unpinned() {
    func hook(issuer: [UInt8]?) -> ECRHook {
      ECRHook(secrets: [], fetch: { url in
        if url == SNSVectors.certificateURL { return Array(SNSVectors.certificate.utf8) }
        #expect(url == "http://crt.sca1b.amazontrust.com/sca1b.crt")
        guard let issuer else { throw FixtureError(description: "offline") }
        return issuer
      }, certificateCache: SNSCertificateCache())
    }
    #expect(HookTest.status(hook(issuer: nil), Self.request(Self.vector(0))) == 503)
    #expect(HookTest.status(hook(issuer: [0x30, 0x01, 0x00]), Self.request(Self.vector(0))) == 401)
  }

  @Test("the topic allow-list", arguments: [(true, 400), (false, 401)])
  func topics(allowed: Bool, status: Int) {
    let topic = Self.vector(0)["TopicArn"].stringValue!
    let hook = ECRHook(secrets: [], fetch: { _ in Array(SNSVectors.certificate.utf8) }, allowedTopicARNs: [allowed ? topic : "arn:aws:sns:us-east-2:1:x"],
                       extraTrustAnchors: [try! Certificate(pem: SNSVectors.certificate)], certificateCache: SNSCertificateCache())
    #expect(HookTest.status(hook, Self.request(Self.vector(0))) == status)
  }

  @Test("a topic nobody listed is refused before any certificate is fetched")
  func topicBeforeFetch() {
    let fetched = Mutex(0)
    let hook = ECRHook(secrets: [], fetch: { _ in fetched.withLock { $0 += 1 }; return Array(SNSVectors.certificate.utf8) },
                       allowedTopicARNs: ["arn:aws:sns:us-east-2:1:x"], extraTrustAnchors: [try! Certificate(pem: SNSVectors.certificate)],
                       certificateCache: SNSCertificateCache())
    #expect(HookTest.status(hook, Self.request(Self.vector(0))) == 401)
    #expect(fetched.withLock { $0 } == 0, "no URL fetched for an unlisted topic")
  }
}
