import KcdJSON
import Synchronization

/// Answers TokenReview and SubjectAccessReview from a table tests configure, so kcd's API
/// authorisation can be exercised without a real authenticator or RBAC. A token in the table is
/// also accepted on KubeSim's own API, as that user, and then every request is authorised by
/// the RBAC objects in the store (the admin token KubeSim prints may do anything).
public final class AccessTable: Sendable {
  public struct User: Sendable {
    public var username: String
    public var uid: String
    public var groups: [String]
    public init(username: String, uid: String = "", groups: [String] = []) { self.username = username; self.uid = uid; self.groups = groups }
  }

  /// Grants `verbs` on `resource` (plural; "*" for any) in `namespace` (nil = all) to a user or group.
  public struct Grant: Sendable {
    public var subject: String
    public var verbs: [String]
    public var group: String
    public var resource: String
    public var namespace: String?
    public init(subject: String, verbs: [String], group: String = "*", resource: String, namespace: String? = nil) {
      self.subject = subject; self.verbs = verbs; self.group = group; self.resource = resource; self.namespace = namespace
    }
  }

  struct State {
    var users: [String: User] = [:]
    var grants: [Grant] = []
  }
  let state = Mutex(State())

  public init() {}

  public func addUser(token: String, _ user: User) { state.withLock { $0.users[token] = user } }
  public func grant(_ g: Grant) { state.withLock { $0.grants.append(g) } }
  public func clear() { state.withLock { $0 = State() } }

  /// The user a bearer token stands for, if the table knows it.
  func user(token: String) -> User? { state.withLock { $0.users[token] } }

  func review(token: String) -> JSON {
    guard let user = state.withLock({ $0.users[token] }) else {
      return ["authenticated": false, "error": "token not recognised"]
    }
    return ["authenticated": true, "user": ["username": .string(user.username), "uid": .string(user.uid), "groups": .array(user.groups.map { .string($0) })]]
  }

  func allowed(user: String, groups: [String], verb: String, group: String, resource: String, namespace: String?) -> Bool {
    let subjects = Set([user] + groups)
    return state.withLock { s in
      s.grants.contains { g in
        subjects.contains(g.subject) && (g.verbs.contains(verb) || g.verbs.contains("*"))
          && (g.group == "*" || g.group == group) && (g.resource == "*" || g.resource == resource)
          && (g.namespace == nil || g.namespace == namespace)
      }
    }
  }

  func load(_ json: JSON) {
    for u in json["users"].arrayValue ?? [] {
      guard let token = u["token"].stringValue, let name = u["username"].stringValue else { continue }
      addUser(token: token, User(username: name, uid: u["uid"].stringValue ?? "", groups: u["groups"].arrayValue?.compactMap(\.stringValue) ?? []))
    }
    for g in json["grants"].arrayValue ?? [] {
      guard let subject = g["subject"].stringValue, let resource = g["resource"].stringValue else { continue }
      grant(Grant(subject: subject, verbs: g["verbs"].arrayValue?.compactMap(\.stringValue) ?? [], group: g["group"].stringValue ?? "*", resource: resource, namespace: g["namespace"].stringValue))
    }
  }
}
