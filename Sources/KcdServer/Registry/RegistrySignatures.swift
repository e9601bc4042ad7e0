import KcdController
import KcdCore
import KcdRegistry
import KcdSigning

/// Signature checks through kcd's registry clients, with the namespace's credentials (the
/// same as digest look-ups). ECR repositories, whose digests come from ECR's own API, have
/// their signatures read from ECR's registry endpoint with an ECR authorization token
/// (`ECRArtifactFetcher`).
struct RegistrySignatures: SignatureChecking {
  let resolver: RegistryResolver

  func check(repository: String, digest: String, namespace: String, policy: SignaturePolicy) -> SignatureVerdict {
    let client: any RegistryClient
    do { client = try resolver.factory(for: repository, namespace: namespace).client(for: repository) } catch {
      return .rejected("cannot read signatures of \(repository): \(error)")
    }
    let fetcher: any ArtifactFetcher
    if let oci = client as? any ArtifactFetcher {
      fetcher = oci
    } else if let ecr = client as? ECRClient {
      fetcher = ECRArtifactFetcher(ecr: ecr, base: resolver.base)
    } else {
      return .rejected("signature verification is not available for \(repository)")
    }
    return SignatureVerifier(fetcher: fetcher).verify(repository: repository, digest: digest, policy: policy, now: Timestamps.now())
  }
}
