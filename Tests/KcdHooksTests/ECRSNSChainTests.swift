import KcdCore
import KcdCrypto
import KcdHooks
import KcdJSON
import Synchronization
import Testing

/// `/hooks/ecr` over SNS with certificates made by openssl for the test: a root the hook trusts,
/// an intermediate served at the leaf's AIA URL, and leaves for the right and wrong hosts.
@Suite struct ECRSNSChainTests {
  let fx = OpenSSLFixtures.shared
  static let certURL = "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem"
  static let topic = "arn:aws:sns:us-east-1:123456789012:ecr-events"

  /// A hook whose fetches are served from `files` (URL → fixture file) and counted.
  final class Network: Sendable {
    let files: [String: String]
    let fx: OpenSSLFixtures
    let log = Mutex<[String]>([])
    init(_ fx: OpenSSLFixtures, files: [String: String]) { self.fx = fx; self.files = files }
    var fetched: [String] { log.withLock { $0 } }
    func fetch(_ url: String) throws -> [UInt8] {
      log.withLock { $0.append(url) }
      if url.contains("ConfirmSubscription") { return Array("<ConfirmSubscriptionResponse/>".utf8) }
      guard let name = files[url], case let bytes = fx.bytes(name), !bytes.isEmpty else { throw FixtureError(description: "404 \(url)") }
      return bytes
    }
  }

  func setup(leaf: String = "leaf.pem", allowedTopics: Set<String>? = nil) -> (ECRHook, Network) {
    let net = Network(fx, files: [Self.certURL: leaf, "http://crt.test.amazontrust.com/int.der": "int.der", "http://crt.evil.example/int.der": "int.der"])
    let hook = ECRHook(secrets: [], fetch: { try net.fetch($0) }, allowedTopicARNs: allowedTopics,
                       extraTrustAnchors: [try! Certificate(pem: fx.text("root.pem"))], certificateCache: SNSCertificateCache())
    return (hook, net)
  }

  /// An SNS envelope signed the way SNS signs (the string of §2.4), with the key of `key`.
  func envelope(type: String = "Notification", message: String, version: String = "2", key: String = "leaf.key", certURL: String = Self.certURL,
                subscribeURL: String = "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n",
                sent: Double = Timestamps.now()) throws -> JSON {
    var fields: [(String, String)] = [("Message", message), ("MessageId", "0f9e2a6c-sns-message-id")]
    if type != "Notification" { fields.append(("SubscribeURL", subscribeURL)) }
    fields.append(("Timestamp", Timestamps.rfc3339(sent)))
    if type != "Notification" { fields.append(("Token", "t0k3n")) }
    fields += [("TopicArn", Self.topic), ("Type", type)]
    let toSign = fields.map { "\($0.0)\n\($0.1)\n" }.joined()
    let signature = try fx.sign(toSign, key: key, hash: version == "1" ? "sha1" : "sha256")
    var json: JSON = ["SignatureVersion": .string(version), "Signature": .string(Base64.encode(signature)), "SigningCertURL": .string(certURL)]
    for (k, v) in fields { json[k] = .string(v) }
    return json
  }

  static func request(_ body: JSON) -> HookRequest {
    HookTest.request(body, headers: ["x-amz-sns-message-type": body["Type"].stringValue ?? ""], now: Timestamps.now())
  }

  static let pushEvent = ECRHookTests.event().text

  @Test("a signed notification carrying an ECR push becomes a push event", arguments: ["1", "2"])
  func notification(version: String) throws {
    let (hook, net) = setup()
    let events = HookTest.events(hook, Self.request(try envelope(message: Self.pushEvent, version: version)))
    #expect(events.map(\.repository) == ["123456789012.dkr.ecr.us-west-2.amazonaws.com/team-a/my-repository-name"])
    #expect(events.first?.deliveryID == "0f9e2a6c-sns-message-id")
    #expect(events.first?.digest == HookTest.digestA)
    #expect(net.fetched == [Self.certURL, "http://crt.test.amazontrust.com/int.der"])
    // The verified certificate is cached by URL.
    _ = HookTest.events(hook, Self.request(try envelope(message: Self.pushEvent, version: version)))
    #expect(net.fetched.count == 2)
  }

  @Test("a delete notification becomes a delete event, not a push")
  func delete() throws {
    let (hook, _) = setup()
    let events = HookTest.events(hook, Self.request(try envelope(message: ECRHookTests.event(action: "DELETE").text)))
    #expect(events.map(\.action) == [.delete])
  }

  @Test("certificates that must not be trusted", arguments: [
    ("evil.pem", "evil.key", 401),   // issued to sns.evil.example
    ("self.pem", "self.key", 401),   // self-signed, not anchored
    ("stray.pem", "stray.key", 401), // issuer URL off amazontrust.com: never fetched
    ("leaf.pem", "int.key", 401),    // right certificate, signed by another key
    ("missing.pem", "leaf.key", 503), // the download fails: SNS should retry
  ])
  func untrusted(leaf: String, key: String, status: Int) throws {
    let (hook, net) = setup(leaf: leaf)
    #expect(HookTest.status(hook, Self.request(try envelope(message: Self.pushEvent, key: key))) == status)
    #expect(!net.fetched.contains("http://crt.evil.example/int.der"))
  }

  @Test("signing certificate URLs refused before any network access", arguments: [
    "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem",
    "https://sns.us-east-1.amazonaws.com.evil.com/SimpleNotificationService-0123abcd.pem",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd",
    "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem?x=1",
    "https://evil.com@sns.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem",
    "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-0123abcd.pem",
    "https://sns.us-east-1.amazonaws.com\\@evil.com/x.pem",
    "https://sns.amazonaws.com/SimpleNotificationService-0123abcd.pem",
    "https://sns.-us.amazonaws.com/SimpleNotificationService-0123abcd.pem",
    "https://s3.us-east-1.amazonaws.com/SimpleNotificationService-0123abcd.pem",
    "https://sns.us-east-1.amazonaws.com%2eevil.com/x.pem",
  ])
  func certURLs(url: String) throws {
    let (hook, net) = setup()
    #expect(HookTest.status(hook, Self.request(try envelope(message: Self.pushEvent, certURL: url))) == 401)
    #expect(net.fetched.isEmpty)
  }

  @Test("SubscriptionConfirmation GETs the validated SubscribeURL and answers 200")
  func subscribe() throws {
    let (hook, net) = setup()
    let outcome = try hook.handle(Self.request(try envelope(type: "SubscriptionConfirmation", message: "You have chosen to subscribe…\nconfirm")))
    #expect(outcome == .reply(status: 200, message: "SNS subscription confirmed"))
    #expect(net.fetched.last == "https://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n")
  }

  @Test("a SubscribeURL off SNS is never requested", arguments: [
    "https://evil.example/?Action=ConfirmSubscription", "http://sns.us-east-1.amazonaws.com/?Action=ConfirmSubscription",
    "https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe",
  ])
  func subscribeElsewhere(url: String) throws {
    let (hook, net) = setup()
    #expect(HookTest.status(hook, Self.request(try envelope(type: "SubscriptionConfirmation", message: "m", subscribeURL: url))) == 401)
    #expect(!net.fetched.contains(url))
  }

  @Test("UnsubscribeConfirmation is acknowledged; a mismatched header type is malformed; old messages are refused")
  func otherTypes() throws {
    let (hook, _) = setup()
    #expect(HookTest.status(hook, Self.request(try envelope(type: "UnsubscribeConfirmation", message: "bye"))) == 200)
    var mismatched = Self.request(try envelope(message: Self.pushEvent))
    mismatched.header = { $0 == "x-amz-sns-message-type" ? "SubscriptionConfirmation" : nil }
    #expect(HookTest.status(hook, mismatched) == 400)
    #expect(HookTest.status(hook, Self.request(try envelope(message: Self.pushEvent, sent: Timestamps.now() - 7200))) == 401)
  }

  @Test("the topic allow-list applies to generated messages too")
  func topics() throws {
    #expect(HookTest.status(setup(allowedTopics: [Self.topic]).0, Self.request(try envelope(message: Self.pushEvent))) == 202)
    #expect(HookTest.status(setup(allowedTopics: ["arn:aws:sns:us-east-1:1:other"]).0, Self.request(try envelope(message: Self.pushEvent))) == 401)
  }

  @Test("malformed envelopes and messages are 400", arguments: ["not json", #"{"Type":"Notification"}"#, #"{"Type":"Other"}"#])
  func malformedEnvelope(body: String) {
    let (hook, net) = setup()
    #expect(HookTest.status(hook, HookTest.request(Array(body.utf8), headers: ["x-amz-sns-message-type": "Notification"])) == 400)
    #expect(net.fetched.isEmpty)
  }

  @Test("an authentic notification whose Message is not an ECR push is 200 or 400")
  func otherMessages() throws {
    let (hook, _) = setup()
    #expect(HookTest.status(hook, Self.request(try envelope(message: #"{"source":"aws.s3","detail-type":"Object Created"}"#))) == 200)
    #expect(HookTest.status(hook, Self.request(try envelope(message: "plain text"))) == 400)
  }
}
