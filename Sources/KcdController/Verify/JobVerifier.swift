import KcdCore
import KcdCrypto
import KcdJSON
import KcdKube

#if canImport(Glibc)
import Glibc
#endif

/// `kind: Image`: runs the check image as a Job in the KCD's namespace with `KCD_IMAGE`,
/// `KCD_DIGEST`, `KCD_VERSION` and `KCD_REPOSITORY` in its environment; exit 0 passes. The
/// Job's name comes from the candidate, so after a restart the same Job is found again instead
/// of a second one started. `timeoutSeconds` is enforced twice: as the Job's
/// `activeDeadlineSeconds` and by kcd, which gives up and deletes the Job. The Job is deleted
/// once decided (its pods with it); on failure the tail of the pod's log goes in the result.
/// The pod gets no service account token unless the check names a service account.
public struct JobVerifier: Sendable {
  let client: KubeClient
  let pollSeconds: Double
  /// The images and service accounts kcd's config lets checks use (`checks.images`,
  /// `checks.serviceAccounts`).
  let allow: CheckAllowList

  public init(client: KubeClient, allow: CheckAllowList = .any, pollSeconds: Double = 1) {
    self.client = client
    self.allow = allow
    self.pollSeconds = pollSeconds
  }

  static let label = "kcd.dev/verification"

  public static func jobName(_ c: VerificationCandidate, index: Int, check: VerifyStep.ImageCheck? = nil) -> String {
    let seed = c.checkSeed(index: index, step: check.map { "\($0)" } ?? "")
    let hash = Digest.hex(Digest.sha256(Array(seed.utf8))).prefix(10)
    var prefix = String(c.kcd.name.prefix(40))
    while let last = prefix.last, !(last.isLetter || last.isNumber) { prefix.removeLast() }
    return "\(prefix.isEmpty ? "kcd" : prefix)-verify-\(hash)"
  }

  static func job(_ check: VerifyStep.ImageCheck, image: String, name: String, candidate c: VerificationCandidate) -> JSON {
    var container: JSON = ["name": "verify", "image": .string(image),
                           "env": [["name": "KCD_IMAGE", "value": .string(c.image)], ["name": "KCD_DIGEST", "value": .string(c.digest)],
                                   ["name": "KCD_VERSION", "value": .string(c.version)], ["name": "KCD_REPOSITORY", "value": .string(c.repository)]]]
    if let command = check.command { container["command"] = .array(command.map { .string($0) }) }
    if let args = check.args { container["args"] = .array(args.map { .string($0) }) }
    var pod: JSON = ["restartPolicy": "Never", "containers": [container], "automountServiceAccountToken": .bool(check.serviceAccountName != nil)]
    if let sa = check.serviceAccountName { pod["serviceAccountName"] = .string(sa) }
    var metadata: JSON = ["name": .string(name), "namespace": .string(c.kcd.namespace),
                          "labels": [.init(stringLiteral: label): .string(name), "app.kubernetes.io/managed-by": "kcd"],
                          "annotations": ["kcd.dev/kcd": .string(c.kcd.name), "kcd.dev/image": .string(c.image)]]
    if !c.kcd.uid.isEmpty {
      metadata["ownerReferences"] = [["apiVersion": "kcd.dev/v1", "kind": "KCD", "name": .string(c.kcd.name), "uid": .string(c.kcd.uid)]]
    }
    return ["apiVersion": "batch/v1", "kind": "Job", "metadata": metadata,
            "spec": ["backoffLimit": 0, "activeDeadlineSeconds": .int(Int64(check.timeoutSeconds)), "ttlSecondsAfterFinished": 600,
                     "template": ["metadata": ["labels": [.init(stringLiteral: label): .string(name)]], "spec": pod]]]
  }

  public func verify(_ check: VerifyStep.ImageCheck, index: Int, candidate c: VerificationCandidate) -> VerifyOutcome {
    if let refusal = allow.refusal(image: check) { return .failed("no Job created: \(refusal)") }
    let name = JobVerifier.jobName(c, index: index, check: check)
    let ns = c.kcd.namespace
    let options = KubeCallOptions.background
    do throws(KubeError) {
      _ = try client.create(.jobs, namespace: ns, JobVerifier.job(check, image: allow.jobImage(check), name: name, candidate: c), options: options)
    } catch {
      // Already there: this check was started before (a restart); it is followed, not repeated.
      if error.status != 409 { return JobVerifier.unanswered("create the Job \(ns)/\(name)", error) }
    }
    let deadline = monotonicSeconds() + Double(check.timeoutSeconds)
    while true {
      let job: JSON
      do throws(KubeError) { job = try client.get(.jobs, namespace: ns, name: name, options: options) } catch {
        if error.isNotFound { return .retry("the Job \(ns)/\(name) was deleted before it finished; running it again") }
        if monotonicSeconds() > deadline { return .failed("\(check.reference) did not finish within \(check.timeoutSeconds) s (\(error.description.prefix(200)))") }
        usleep(UInt32(pollSeconds * 1_000_000))
        continue
      }
      let conditions = job["status"]["conditions"].arrayValue ?? []
      func holds(_ type: String) -> JSON? { conditions.first { $0["type"].stringValue == type && $0["status"] == "True" } }
      if holds("Complete") != nil {
        remove(ns, name)
        return .passed("\(check.reference) exited 0 (Job \(name))")
      }
      if let failed = holds("Failed") {
        let log = tail(ns, name)
        remove(ns, name)
        let reason = failed["reason"].stringValue ?? "Failed"
        return .failed("\(check.reference) failed (Job \(name): \(reason))" + (log.isEmpty ? "" : "; log: \(log)"))
      }
      if monotonicSeconds() > deadline {
        let log = tail(ns, name)
        remove(ns, name)
        return .failed("\(check.reference) did not finish within \(check.timeoutSeconds) s (Job \(name) deleted)" + (log.isEmpty ? "" : "; log: \(log)"))
      }
      usleep(UInt32(pollSeconds * 1_000_000))
    }
  }

  static func unanswered(_ what: String, _ error: KubeError) -> VerifyOutcome {
    if error.status == 403 || error.status == 422 || error.status == 400 {
      return .failed("cannot \(what): \(error.description.prefix(300))")
    }
    return .retry("cannot \(what) now: \(error.description.prefix(200))")
  }

  /// The last lines of the Job's pod's log, printable and short ("" when there is none).
  func tail(_ ns: String, _ name: String) -> String {
    guard let pods = try? client.list(.pods, namespace: ns, labelSelector: "\(JobVerifier.label)=\(name)", options: .background).items,
      let pod = pods.first?["metadata"]["name"].stringValue,
      let bytes = try? client.raw("GET", KubeResource.pods.path(namespace: ns, name: pod, subresource: "log"),
                                  query: [("tailLines", "10"), ("limitBytes", "4096")], options: .background)
    else { return "" }
    let text = String(decoding: bytes.map { $0 == 10 ? 0x7C : $0 }.filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
    return String(text.trimmingSpaces().suffix(600))
  }

  func remove(_ ns: String, _ name: String) {
    try? client.delete(.jobs, namespace: ns, name: name, options: .background)
  }
}
