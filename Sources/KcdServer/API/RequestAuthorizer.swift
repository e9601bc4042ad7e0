import KcdCore
import KcdJSON
import KcdKube

/// Who may act through the API: the bearer token is checked with TokenReview, the user it
/// names with a SubjectAccessReview for `update` on the KCD. Every decision is logged, never the
/// token.
struct RequestAuthorizer: Sendable {
  let client: KubeClient
  let log: Logger

  enum Decision: Equatable {
    case allowed(user: String)
    /// 401: no token, or one the API server does not accept.
    case unauthenticated(String)
    /// 403: a known user without the right.
    case forbidden(user: String)
    /// 503: the API server could not be asked.
    case unavailable(String)
  }

  func decide(authorization: String?, namespace: String, name: String, action: String) -> Decision {
    let decision = check(authorization: authorization, namespace: namespace, name: name)
    let who: String
    switch decision {
    case .allowed(let u), .forbidden(let u): who = u
    default: who = "-"
    }
    log.info("api action", [("action", action), ("kcd", "\(namespace)/\(name)"), ("user", who), ("decision", "\(decision)")])
    return decision
  }

  func check(authorization: String?, namespace: String, name: String) -> Decision {
    guard let header = authorization, header.hasPrefix("Bearer ") else { return .unauthenticated("a bearer token is required") }
    let token = String(header.dropFirst(7)).trimmingSpaces()
    guard !token.isEmpty, token.utf8.count <= 16 * 1024 else { return .unauthenticated("a bearer token is required") }
    let review: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview", "spec": ["token": .string(token)]]
    let reviewed: JSON
    do { reviewed = try client.request("POST", "/apis/authentication.k8s.io/v1/tokenreviews", body: review, options: .critical) } catch {
      return .unavailable("TokenReview failed: \(error.description.prefix(200))")
    }
    guard reviewed["status"]["authenticated"].boolValue == true, let user = reviewed["status"]["user"]["username"].stringValue else {
      return .unauthenticated("the token is not accepted")
    }
    let groups = reviewed["status"]["user"]["groups"].arrayValue ?? []
    let access: JSON = [
      "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
      "spec": ["user": .string(user), "groups": .array(groups), "uid": reviewed["status"]["user"]["uid"], "extra": reviewed["status"]["user"]["extra"],
               "resourceAttributes": ["namespace": .string(namespace), "verb": "update", "group": "kcd.dev", "resource": "kcds", "name": .string(name)]],
    ]
    let allowed: JSON
    do { allowed = try client.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", body: access, options: .critical) } catch {
      return .unavailable("SubjectAccessReview failed: \(error.description.prefix(200))")
    }
    return allowed["status"]["allowed"].boolValue == true ? .allowed(user: user) : .forbidden(user: user)
  }
}
