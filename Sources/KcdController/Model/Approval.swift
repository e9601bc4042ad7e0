import KcdCore
import KcdJSON

/// `spec.approval`: a verified candidate waits (`AwaitingApproval`) until someone approves that
/// exact digest (`kcd approve NS/NAME --digest D`), for at most `expiresSeconds`.
public struct ApprovalSpec: Sendable, Equatable {
  public var expiresSeconds: Int
  public static let defaultExpiresSeconds = 86_400

  static func parse(_ j: JSON, problems: inout [SpecProblem]) -> ApprovalSpec? {
    guard j["required"].boolValue == true else { return nil }
    let expires = j["expiresSeconds"].intValue ?? Int64(defaultExpiresSeconds)
    guard expires >= 1 && expires <= 86_400 * 30 else {
      problems.append(SpecProblem(.invalid, "spec.approval.expiresSeconds", "spec.approval.expiresSeconds must be from 1 to 2592000"))
      return nil
    }
    return ApprovalSpec(expiresSeconds: Int(expires))
  }
}

/// `status.approval`: the candidate waiting for an approval of its digest.
public struct PendingApproval: Sendable, Equatable {
  public var requestID: String
  public var digest: String
  public var version: String
  public var image: String
  public var since: Double
  public var expiresAt: Double
  /// The last approval (annotation id) refused as not for this digest, so it is said once.
  public var refusedID: String?
  /// What the KCD said before it waited (put back if the request expires).
  public var previousStatus: KCDStatus.Phase?

  init?(json a: JSON) {
    guard let id = a["requestID"].stringValue, let digest = a["digest"].stringValue else { return nil }
    requestID = id
    self.digest = digest
    version = a["version"].stringValue ?? ""
    image = a["image"].stringValue ?? ""
    since = a["since"].stringValue.flatMap(Timestamps.parse) ?? 0
    expiresAt = a["expiresAt"].stringValue.flatMap(Timestamps.parse) ?? 0
    refusedID = a["refusedID"].stringValue
    previousStatus = a["previousStatus"].stringValue.flatMap(KCDStatus.Phase.init(rawValue:))
  }

  init(requestID: String, digest: String, version: String, image: String, since: Double, expiresAt: Double) {
    self.requestID = requestID
    self.digest = digest
    self.version = version
    self.image = image
    self.since = since
    self.expiresAt = expiresAt
  }

  var json: JSON {
    var j: JSON = ["requestID": .string(requestID), "digest": .string(digest), "version": .string(version), "image": .string(image),
                   "since": .string(Timestamps.microTime(since)), "expiresAt": .string(Timestamps.microTime(expiresAt))]
    if let refusedID { j["refusedID"] = .string(refusedID) }
    if let previousStatus { j["previousStatus"] = .string(previousStatus.rawValue) }
    return j
  }
}

/// The `kcd.dev/approval` annotation `kcd approve` writes: which digest, by whom (as the
/// approver's credentials identify them), when.
public struct GivenApproval: Sendable, Equatable {
  public static let annotation = "kcd.dev/approval"
  public var id: String
  public var digest: String
  public var by: String
  public var at: Double

  public init(id: String, digest: String, by: String, at: Double) {
    self.id = id
    self.digest = digest
    self.by = by
    self.at = at
  }

  public init?(annotation text: String) {
    guard text.utf8.count <= 4096, let j = try? JSON.parse(text), let id = j["id"].stringValue, let digest = j["digest"].stringValue else { return nil }
    self.id = String(id.prefix(128))
    self.digest = String(digest.prefix(128))
    by = String((j["by"].stringValue ?? "unknown").prefix(256))
    at = j["at"].stringValue.flatMap(Timestamps.parse) ?? 0
  }

  public var json: JSON {
    ["id": .string(id), "digest": .string(digest), "by": .string(by), "at": .string(Timestamps.microTime(at))]
  }
}
