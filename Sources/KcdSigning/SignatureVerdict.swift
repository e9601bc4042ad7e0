/// The outcome of one verification. Only `.verified` lets a rollout proceed; `.unavailable`
/// asks the caller to try again later, and is never a pass.
public enum SignatureVerdict: Sendable, Equatable {
  /// Which signature passed (layout, where it was found, key or identity), for the Event.
  case verified(String)
  /// Why nothing passed: no signature, wrong key, another digest signed, wrong identity…
  case rejected(String)
  /// The registry could not be read now; no verdict on the signatures was reached.
  case unavailable(String)

  public var isVerified: Bool { if case .verified = self { return true } else { return false } }

  /// The text of the verdict, whichever it is.
  public var message: String {
    switch self {
    case .verified(let text), .rejected(let text), .unavailable(let text): return text
    }
  }
}
