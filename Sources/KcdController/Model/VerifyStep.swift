import KcdJSON

/// One check a candidate must pass before anything is patched (`spec.verify`, and the original
/// kcd's `container.verify`, read the same way).
public enum VerifyStep: Sendable, Equatable {
  /// Run `image` as a Job with `KCD_IMAGE`, `KCD_DIGEST`, `KCD_VERSION` in its environment;
  /// exit 0 passes.
  case image(ImageCheck)
  /// POST a JSON description of the candidate, signed with Standard Webhooks; 2xx passes.
  case webhook(WebhookCheck)

  public struct ImageCheck: Sendable, Equatable {
    /// The reference run: `image:tag`, or `image` as written when it has a tag or digest.
    public var reference: String
    public var timeoutSeconds: Int
    public var command: [String]?
    public var args: [String]?
    public var serviceAccountName: String?
    public static let defaultTimeoutSeconds = 300
  }

  public struct WebhookCheck: Sendable, Equatable {
    public var url: String
    public var timeoutSeconds: Int
    public static let defaultTimeoutSeconds = 30
  }

  public var kind: String {
    switch self {
    case .image: return "Image"
    case .webhook: return "Webhook"
    }
  }

  public var timeoutSeconds: Int {
    switch self {
    case .image(let c): return c.timeoutSeconds
    case .webhook(let c): return c.timeoutSeconds
    }
  }

  /// Reads one entry of a verify list; `field` names it in problems (`spec.verify[0]`).
  static func parse(_ j: JSON, field: String) -> (step: VerifyStep?, problems: [SpecProblem]) {
    func invalid(_ what: String) -> (VerifyStep?, [SpecProblem]) { (nil, [SpecProblem(.invalid, field, "\(field): \(what)")]) }
    guard j.objectValue != nil else { return invalid("must be an object") }
    let kind = j["kind"].stringValue ?? ""
    func seconds(_ fallback: Int, max: Int) -> Int? {
      guard let t = j["timeoutSeconds"].intValue else { return fallback }
      return t >= 1 && t <= Int64(max) ? Int(t) : nil
    }
    switch kind {
    case "Image":
      guard let image = j["image"].stringValue, !image.isEmpty, image.utf8.count <= 512, !image.contains(where: { $0 == " " || $0 == "\n" }) else {
        return invalid("image is required (a container image reference)")
      }
      guard let timeout = seconds(ImageCheck.defaultTimeoutSeconds, max: 86_400) else { return invalid("timeoutSeconds must be from 1 to 86400") }
      let tag = j["tag"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
      let lastSegment = image.split(separator: "/").last ?? ""
      let reference = image.contains("@") || lastSegment.contains(":") || tag == nil ? image : "\(image):\(tag!)"
      func strings(_ key: String) -> [String]? { j[key].arrayValue.map { $0.compactMap(\.stringValue) } }
      return (.image(ImageCheck(reference: reference, timeoutSeconds: timeout, command: strings("command"), args: strings("args"),
                                serviceAccountName: j["serviceAccountName"].stringValue)), [])
    case "Webhook":
      guard let url = j["url"].stringValue, url.hasPrefix("https://") || url.hasPrefix("http://"), url.utf8.count <= 2048 else {
        return invalid("url is required (an http or https URL)")
      }
      guard let timeout = seconds(WebhookCheck.defaultTimeoutSeconds, max: 600) else { return invalid("timeoutSeconds must be from 1 to 600") }
      return (.webhook(WebhookCheck(url: url, timeoutSeconds: timeout)), [])
    case "Signature":
      return (nil, [SpecProblem(.unsupported, field, "\(field) (kind Signature) is not supported by this kcd yet")])
    default:
      return invalid("kind \(kind.quotedForMessage()) is not one of Image, Webhook, Signature")
    }
  }
}
