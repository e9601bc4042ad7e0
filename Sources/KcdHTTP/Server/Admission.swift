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
/// any of its body is read. Small bodies (64 KiB or less: a CI callback, most registries'
/// webhooks) have a lane of their own, an eighth of the budget, once the main one is full, so
/// large uploads from many peers cannot keep them out. (Behind an Ingress every request comes
/// from the Ingress, which buffers uploads itself.)
public final class BodyBudget: Sendable {
  public static let smallBody = 64 << 10
  public let limit: Int
  public let perPeerLimit: Int
  /// The small bodies' lane.
  public let smallLimit: Int

  /// What a reader holds, given back the way it was taken.
  struct Reservation: Sendable, Equatable {
    var bytes = 0
    var small = false
  }

  struct Lane {
    var used = 0
    var byPeer: [String: Int] = [:]

    mutating func take(_ bytes: Int, key: String, limit: Int, perPeer: Int) -> Bool {
      let mine = byPeer[key, default: 0]
      guard bytes <= limit - used, bytes <= perPeer - mine else { return false }
      used += bytes
      byPeer[key] = mine + bytes
      return true
    }

    mutating func give(_ bytes: Int, key: String) {
      used -= bytes
      let left = byPeer[key, default: 0] - bytes
      byPeer[key] = left > 0 ? left : nil
    }
  }

  struct State {
    var main = Lane()
    var small = Lane()
  }

  let state = Mutex(State())

  public init(limit: Int) {
    self.limit = max(0, limit)
    perPeerLimit = self.limit == Int.max ? Int.max : max(1, self.limit / 2)
    smallLimit = self.limit == Int.max ? 0 : self.limit / 8
  }

  /// Takes `bytes` of the budget for `peer`; nil (nothing taken) when they do not fit.
  func reserve(_ bytes: Int, peer: String) -> Reservation? {
    let key = BodyBudget.host(of: peer)
    return state.withLock { s in
      if s.main.take(bytes, key: key, limit: limit, perPeer: perPeerLimit) { return Reservation(bytes: bytes) }
      guard bytes <= BodyBudget.smallBody, s.small.take(bytes, key: key, limit: smallLimit, perPeer: max(1, smallLimit / 2)) else { return nil }
      return Reservation(bytes: bytes, small: true)
    }
  }

  func release(_ reservation: Reservation, peer: String) {
    guard reservation.bytes > 0 else { return }
    let key = BodyBudget.host(of: peer)
    state.withLock { s in
      if reservation.small { s.small.give(reservation.bytes, key: key) } else { s.main.give(reservation.bytes, key: key) }
    }
  }

  /// The address without its port (`10.0.0.1:5555` → `10.0.0.1`, `[::1]:80` → `[::1]`).
  static func host(of peer: String) -> String {
    guard let colon = peer.lastIndex(of: ":"), !peer.hasSuffix("]") else { return peer }
    return String(peer[..<colon])
  }

  /// Bytes reserved now (tests, metrics).
  public var inUse: Int { state.withLock { $0.main.used + $0.small.used } }
}
