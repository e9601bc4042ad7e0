import KcdController
import KcdCore
import KcdRegistry
import KcdSigning

/// Signature checks through kcd's registry clients, with the namespace's credentials (the
/// same as digest look-ups). ECR repositories are read through ECR's own API, which does not
/// serve signature artifacts to kcd yet: a check there fails, saying so (never passes).
struct RegistrySignatures: SignatureChecking {
  let resolver: RegistryResolver

  func check(repository: String, digest: String, namespace: String, policy: SignaturePolicy) -> SignatureVerdict {
    let client: any RegistryClient
    do { client = try resolver.factory(for: repository, namespace: namespace).client(for: repository) } catch {
      return .rejected("cannot read signatures of \(repository): \(error)")
    }
    guard let fetcher = client as? any ArtifactFetcher else {
      return .rejected("signature verification is not available for \(repository) (ECR repositories are not supported yet)")
    }
    return SignatureVerifier(fetcher: fetcher).verify(repository: repository, digest: digest, policy: policy, now: Timestamps.now())
  }
}
