import KcdCore
import KcdJSON
import KcdKube

extension WorkloadResources {
  /// What discovery decided, or why it could not: then every kind keeps its preferred version.
  public struct Discovery: Sendable {
    public var resources: WorkloadResources
    /// Set when a discovery document could not be read.
    public var failure: String?
  }

  /// Reads the resource list of each group/version a kind could be served by
  /// (`GET /apis/batch/v1`, `/apis/batch/v1beta1`); a 404 means "not served". Any other error
  /// stops discovery and keeps the preferred versions, so a start never hangs on it.
  public static func discover(_ client: KubeClient, within seconds: Double = 10) -> Discovery {
    let options = KubeCallOptions(priority: .critical, deadline: monotonicSeconds() + seconds)
    var lists: [String: Set<String>?] = [:]
    var failure: String?
    for kind in WorkloadKind.allCases where kind.candidates.count > 1 {
      for r in kind.candidates where lists[r.apiVersion] == nil && failure == nil {
        do throws(KubeError) {
          let doc = try client.request("GET", "/apis/\(r.apiVersion)", options: options)
          lists[r.apiVersion] = Set((doc["resources"].arrayValue ?? []).compactMap { $0["name"].stringValue })
        } catch {
          if error.isNotFound { lists[r.apiVersion] = .some(nil) } else { failure = "GET /apis/\(r.apiVersion): \(error.description)" }
        }
      }
    }
    if failure != nil { return Discovery(resources: .preferred, failure: failure) }
    return Discovery(resources: choose { lists[$0] ?? nil }, failure: nil)
  }
}
