import KcdHTTP
import KcdJSON

/// TokenReview and SubjectAccessReview: answered from the access table tests configure and,
/// for access, from the RBAC objects in the store, as kube-apiserver's RBAC authorizer would.
extension ResourceHandler {
  func reviewToken(_ body: JSON) -> HTTPResponse {
    var review = body
    review["apiVersion"] = .string(type.groupVersion)
    review["kind"] = "TokenReview"
    review["status"] = api.access.review(token: body["spec"]["token"].stringValue ?? "")
    return .json(201, review)
  }

  /// The caller as the authenticator sees it: an access-table user, or KubeSim's admin (a
  /// member of system:masters, as a kind cluster's admin certificate is).
  func reviewSelf(_ body: JSON) -> HTTPResponse {
    var review = body
    review["apiVersion"] = .string(type.groupVersion)
    review["kind"] = "SelfSubjectReview"
    switch api.caller(request) {
    case .user(let user)?:
      review["status"] = ["userInfo": ["username": .string(user.username), "uid": .string(user.uid),
                                       "groups": .array((user.groups + ["system:authenticated"]).map { .string($0) })]]
    default:
      review["status"] = ["userInfo": ["username": "kubesim-admin", "groups": ["system:masters", "system:authenticated"]]]
    }
    return .json(201, review)
  }

  func reviewAccess(_ body: JSON) -> HTTPResponse {
    let spec = body["spec"]
    let attributes = spec["resourceAttributes"]
    let groups = spec["groups"].arrayValue?.compactMap(\.stringValue) ?? []
    let user = spec["user"].stringValue ?? ""
    var review = body
    review["apiVersion"] = .string(type.groupVersion)
    review["kind"] = "SubjectAccessReview"
    if api.access.allowed(user: user, groups: groups, verb: attributes["verb"].stringValue ?? "", group: attributes["group"].stringValue ?? "",
                          resource: attributes["resource"].stringValue ?? "", namespace: attributes["namespace"].stringValue) {
      review["status"] = ["allowed": true, "reason": "granted by the KubeSim access table"]
    } else if let reason = RBACAuthorizer(store: store).allows(RBACAuthorizer.Request(spec: spec, user: user, groups: groups)) {
      review["status"] = ["allowed": true, "reason": .string(reason)]
    } else {
      review["status"] = ["allowed": false]
    }
    return .json(201, review)
  }
}
