import KcdCore
import KcdHooks

/// Signed `/hooks/ci` callbacks as a CI job sends them after pushing an image: Standard
/// Webhooks headers over the JSON body, with the key kcd reads from its secret folder.
struct CallbackSigner {
  static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
  let key: StandardWebhooks.Key

  init() throws { key = try StandardWebhooks.Key(secret: CallbackSigner.secret) }

  /// The request bytes (signed now; valid for kcd's 5-minute window).
  func request(repository: String, digest: String, version: String, id: String, close: Bool = false) -> [UInt8] {
    let body = Array(#"{"repository":"\#(repository)","tag":"main","digest":"\#(digest)","version":"\#(version)"}"#.utf8)
    let timestamp = String(Int64(Timestamps.now()))
    return LoopbackConnection.request("POST", "/hooks/ci", headers: [
      ("Content-Type", "application/json"), ("webhook-id", id), ("webhook-timestamp", timestamp),
      ("webhook-signature", StandardWebhooks.signature(key: key, id: id, timestamp: timestamp, body: body)),
    ], body: body, close: close)
  }
}

/// One image push to one KCD, and the image kcd should pin its Deployments to.
struct Push {
  let kcd: Int
  let digest: String
  let version: String
  let id: String

  init(kcd: Int, sequence: Int) {
    var random = SystemRandomNumberGenerator()
    self.kcd = kcd
    digest = "sha256:" + Push.hex(64, &random)
    version = Push.hex(7, &random)
    id = "msg_scale_\(sequence)_" + Push.hex(8, &random)
  }

  var repository: String { ScaleCluster.repository(of: kcd) }
  /// `<imageRepo>:<version>@<digest>`: what kcd writes into the pod template.
  var pinnedImage: String { "\(repository):\(version)@\(digest)" }

  func request(_ signer: CallbackSigner, close: Bool = false) -> [UInt8] {
    signer.request(repository: repository, digest: digest, version: version, id: id, close: close)
  }

  static func hex(_ count: Int, _ random: inout SystemRandomNumberGenerator) -> String {
    let digits = Array("0123456789abcdef")
    return String((0..<count).map { _ in digits[Int(random.next() % 16)] })
  }
}
