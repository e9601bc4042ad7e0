import Synchronization

/// What a handler says about a request from its head alone, before any of its body is read: go
/// on (with a tighter body limit), or an answer now (the body is never read).
public enum HTTPAdmission: Sendable, Equatable {
  case proceed(maximumBodyBytes: Int?)
  case refuse(status: Int, message: String)
}

/// Bytes of request bodies being read at once on a listener: all connections together, and per
/// peer address (at most half of it), so a thousand slow uploads cannot grow the process by a
/// gigabyte and one peer cannot starve the others. Past it a new upload is answered 503 before
/// any of its body is read. (Behind an Ingress every request comes from the Ingress, which
/// buffers uploads itself.)
public final class BodyBudget: Sendable {
  public let limit: Int
  public let perPeerLimit: Int

  struct State {
    var used = 0
    var byPeer: [String: Int] = [:]
  }

  let state = Mutex(State())

  public init(limit: Int) {
    self.limit = max(0, limit)
    perPeerLimit = self.limit == Int.max ? Int.max : max(1, self.limit / 2)
  }

  /// Takes `bytes` of the budget for `peer`; false (nothing taken) when they do not fit.
  func reserve(_ bytes: Int, peer: String) -> Bool {
    let key = BodyBudget.host(of: peer)
    return state.withLock { s in
      let mine = s.byPeer[key, default: 0]
      guard bytes <= limit - s.used, bytes <= perPeerLimit - mine else { return false }
      s.used += bytes
      s.byPeer[key] = mine + bytes
      return true
    }
  }

  func release(_ bytes: Int, peer: String) {
    guard bytes > 0 else { return }
    let key = BodyBudget.host(of: peer)
    state.withLock { s in
      s.used -= bytes
      let left = s.byPeer[key, default: 0] - bytes
      s.byPeer[key] = left > 0 ? left : nil
    }
  }

  /// The address without its port (`10.0.0.1:5555` → `10.0.0.1`, `[::1]:80` → `[::1]`).
  static func host(of peer: String) -> String {
    guard let colon = peer.lastIndex(of: ":"), !peer.hasSuffix("]") else { return peer }
    return String(peer[..<colon])
  }

  /// Bytes reserved now (tests, metrics).
  public var inUse: Int { state.withLock { $0.used } }
}
