import Synchronization

/// Open connections per peer address (the host, without its port), so one peer cannot take
/// every connection a listener allows: past `limit` a new connection from that peer is
/// answered 503 at once while other peers are still served.
final class PeerConnections: Sendable {
  let limit: Int
  private let counts = Mutex<[String: Int]>([:])

  init(limit: Int) { self.limit = max(1, limit) }

  /// Counts a connection from `peer`; false (nothing counted) when the peer is at its limit.
  func open(_ peer: String) -> Bool {
    let key = BodyBudget.host(of: peer)
    return counts.withLock { map in
      let now = map[key, default: 0]
      guard now < limit else { return false }
      map[key] = now + 1
      return true
    }
  }

  func close(_ peer: String) {
    let key = BodyBudget.host(of: peer)
    counts.withLock { map in
      let left = map[key, default: 0] - 1
      map[key] = left > 0 ? left : nil
    }
  }

  /// Connections open from `peer` now (tests).
  func count(_ peer: String) -> Int { counts.withLock { $0[BodyBudget.host(of: peer), default: 0] } }
}
