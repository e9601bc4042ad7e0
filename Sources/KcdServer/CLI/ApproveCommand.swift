import KcdController
import KcdCore
import KcdCrypto
import KcdJSON
import KcdKube

/// `kcd approve NAMESPACE/NAME --digest D`: approves the candidate a KCD waits with
/// (`spec.approval`), for that exact digest only. Who approves is who may `patch` the KCD
/// (RBAC); the identity recorded is what the API server says the caller's credentials are
/// (SelfSubjectReview, Kubernetes 1.28+).
enum ApproveCommand {
  static let command = Command(name: "approve", summary: "approve the candidate a KCD waits with", usage: """
    Usage: kcd approve NAMESPACE/NAME --digest sha256:… [--kubeconfig F] [--context C]

    The digest must be the one the KCD waits with (kcd get / the AwaitingApproval Event say it):
    an approval is for one exact image. The approver's identity comes from the API server
    (SelfSubjectReview) and is recorded in the KCD's history.
    """) { args in
    let a = try Arguments(args, valueFlags: KCDCommands.connectionFlags.union(["digest"]))
    let (ns, name) = try KCDCommands.target(a)
    guard let digest = a.value("digest"), digest.hasPrefix("sha256:"), digest.count == 71 else {
      throw UsageError("--digest sha256:<64 hex> is required: the digest the KCD waits with")
    }
    let client = try KCDCommands.client(a)
    let identity = whoAmI(client)
    return try KCDCommands.run(client, ns, name) { kcd in try KCDRequests.approve(kcd, digest: digest, by: identity) }
  }

  /// The caller's user name as the API server authenticates it.
  static func whoAmI(_ client: KubeClient) -> String {
    let review: JSON = ["apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"]
    guard let answer = try? client.request("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", body: review),
      let user = answer["status"]["userInfo"]["username"].stringValue, !user.isEmpty
    else { return "unverified (the API server did not answer a SelfSubjectReview)" }
    return user
  }
}
