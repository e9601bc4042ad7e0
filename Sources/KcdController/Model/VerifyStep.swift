import KcdJSON
import KcdPattern
import KcdSigning

/// One check a candidate must pass before anything is patched (`spec.verify`, and the original
/// kcd's `container.verify`, read the same way).
public enum VerifyStep: Sendable, Equatable {
  /// Run `image` as a Job with `KCD_IMAGE`, `KCD_DIGEST`, `KCD_VERSION` in its environment;
  /// exit 0 passes.
  case image(ImageCheck)
  /// POST a JSON description of the candidate, signed with Standard Webhooks; 2xx passes.
  case webhook(WebhookCheck)
  /// A cosign signature of the exact digest (static key, or keyless with a trusted root).
  case signature(SignatureCheck)

  /// Where key material lives: a Secret's or a ConfigMap's key in the KCD's namespace.
  public struct MaterialRef: Sendable, Equatable {
    public enum Kind: String, Sendable { case secret = "Secret", configMap = "ConfigMap" }
    public var kind: Kind
    public var name: String
    public var key: String

    public init(kind: Kind, name: String, key: String) {
      self.kind = kind
      self.name = name
      self.key = key
    }
  }

  public struct SignatureCheck: Sendable, Equatable {
    public enum Trust: Sendable, Equatable {
      case publicKey(MaterialRef)
      case keyless(trustedRoot: MaterialRef, issuer: IdentityMatch, subject: IdentityMatch)
    }
    public var trust: Trust
    public var timeoutSeconds: Int
    public static let defaultTimeoutSeconds = 60
  }

  public struct ImageCheck: Sendable, Equatable {
    /// The reference run: `image:tag`, or `image` as written when it has a tag or digest.
    public var reference: String
    public var timeoutSeconds: Int
    public var command: [String]?
    public var args: [String]?
    public var serviceAccountName: String?
    public static let defaultTimeoutSeconds = 300

    public init(reference: String, timeoutSeconds: Int, command: [String]? = nil, args: [String]? = nil, serviceAccountName: String? = nil) {
      self.reference = reference
      self.timeoutSeconds = timeoutSeconds
      self.command = command
      self.args = args
      self.serviceAccountName = serviceAccountName
    }
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
    case .signature: return "Signature"
    }
  }

  public var timeoutSeconds: Int {
    switch self {
    case .image(let c): return c.timeoutSeconds
    case .webhook(let c): return c.timeoutSeconds
    case .signature(let c): return c.timeoutSeconds
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
                                // An empty name is none: the pod then gets no token.
                                serviceAccountName: j["serviceAccountName"].stringValue.flatMap { $0.isEmpty ? nil : $0 })), [])
    case "Webhook":
      guard let url = j["url"].stringValue, url.hasPrefix("https://") || url.hasPrefix("http://"), url.utf8.count <= 2048 else {
        return invalid("url is required (an http or https URL)")
      }
      guard let timeout = seconds(WebhookCheck.defaultTimeoutSeconds, max: 600) else { return invalid("timeoutSeconds must be from 1 to 600") }
      return (.webhook(WebhookCheck(url: url, timeoutSeconds: timeout)), [])
    case "Signature":
      guard let timeout = seconds(SignatureCheck.defaultTimeoutSeconds, max: 3600) else { return invalid("timeoutSeconds must be from 1 to 3600") }
      do throws(SpecProblem) {
        return (.signature(SignatureCheck(trust: try signatureTrust(j, field: field), timeoutSeconds: timeout)), [])
      } catch {
        return (nil, [error])
      }
    default:
      return invalid("kind \(kind.quotedForMessage()) is not one of Image, Webhook, Signature")
    }
  }

  /// `publicKey: {secretRef|configMapRef: {name, key}}`, or `keyless: {issuer|issuerPattern,
  /// subject|subjectPattern, trustedRoot: {secretRef|configMapRef}}` — exactly one.
  static func signatureTrust(_ j: JSON, field: String) throws(SpecProblem) -> SignatureCheck.Trust {
    func invalid(_ what: String) -> SpecProblem { SpecProblem(.invalid, field, "\(field): \(what)") }
    func material(_ r: JSON, _ name: String) throws(SpecProblem) -> MaterialRef {
      let refs: [(MaterialRef.Kind, JSON)] = [(.secret, r["secretRef"]), (.configMap, r["configMapRef"])].filter { !$0.1.isNull }
      guard refs.count == 1, let n = refs[0].1["name"].stringValue, !n.isEmpty, n.utf8.count <= 253,
        let k = refs[0].1["key"].stringValue, !k.isEmpty, k.utf8.count <= 253
      else { throw invalid("\(name) needs one of secretRef or configMapRef, with name and key") }
      return MaterialRef(kind: refs[0].0, name: n, key: k)
    }
    func identity(_ k: JSON, _ name: String) throws(SpecProblem) -> IdentityMatch {
      let exact = k[name].stringValue.flatMap { $0.isEmpty ? nil : $0 }, pattern = k[name + "Pattern"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
      switch (exact, pattern) {
      case (let e?, nil): return .exact(e)
      case (nil, let p?):
        do { _ = try Pattern(p) } catch { throw invalid("keyless.\(name)Pattern: \(error.description)") }
        return .pattern(p)
      default: throw invalid("keyless needs one of \(name) or \(name)Pattern")
      }
    }
    switch (j["publicKey"].isNull, j["keyless"].isNull) {
    case (false, true): return .publicKey(try material(j["publicKey"], "publicKey"))
    case (true, false):
      let k = j["keyless"]
      return .keyless(trustedRoot: try material(k["trustedRoot"], "keyless.trustedRoot"), issuer: try identity(k, "issuer"), subject: try identity(k, "subject"))
    default: throw invalid("a Signature check needs exactly one of publicKey or keyless")
    }
  }
}
