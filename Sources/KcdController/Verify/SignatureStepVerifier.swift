import KcdCore
import KcdJSON
import KcdKube
import KcdSigning

/// Asks the registry of a repository whether a digest carries a signature a policy accepts,
/// with the credentials of the KCD's namespace (KcdServer plugs in kcd's registry clients).
public protocol SignatureChecking: Sendable {
  func check(repository: String, digest: String, namespace: String, policy: SignaturePolicy) -> SignatureVerdict
}

/// `kind: Signature`: reads the public key or the Sigstore trusted root from the Secret or
/// ConfigMap the check names (in the KCD's namespace), then verifies the candidate's exact
/// digest (for a multi-arch image, the index digest kcd pins). Registry trouble is a retry,
/// never a pass; material that is missing or unreadable fails with the reason.
public struct SignatureStepVerifier: Sendable {
  let client: KubeClient
  let signatures: any SignatureChecking

  public init(client: KubeClient, signatures: any SignatureChecking) {
    self.client = client
    self.signatures = signatures
  }

  public func verify(_ check: VerifyStep.SignatureCheck, candidate c: VerificationCandidate) -> VerifyOutcome {
    let started = monotonicSeconds()
    let policy: SignaturePolicy
    switch check.trust {
    case .publicKey(let ref):
      switch material(ref, namespace: c.kcd.namespace) {
      case .success(let pem): policy = .publicKey(pem: pem)
      case .failure(let unusable): return unusable.outcome
      }
    case .keyless(let ref, let issuer, let subject):
      switch material(ref, namespace: c.kcd.namespace) {
      case .success(let root): policy = .keyless(trustedRoot: root, issuer: issuer, subject: subject)
      case .failure(let unusable): return unusable.outcome
      }
    }
    let verdict = signatures.check(repository: c.repository, digest: c.digest, namespace: c.kcd.namespace, policy: policy)
    if monotonicSeconds() - started > Double(check.timeoutSeconds), !verdict.isVerified {
      return .failed("no verified signature within \(check.timeoutSeconds) s: \(verdict.message.prefix(300))")
    }
    switch verdict {
    case .verified(let m): return .passed(String(m.prefix(512)))
    case .rejected(let m): return .failed(String(m.prefix(1024)))
    case .unavailable(let m): return .retry(String(m.prefix(512)))
    }
  }

  struct Unusable: Error { let outcome: VerifyOutcome }

  /// The text under `ref.key` (a Secret's is base64 in `data`), or why not.
  func material(_ ref: VerifyStep.MaterialRef, namespace: String) -> Result<String, Unusable> {
    let resource: KubeResource = ref.kind == .secret ? .secrets : .configMaps
    let object: JSON
    do throws(KubeError) {
      object = try client.get(resource, namespace: namespace, name: ref.name, options: .background)
    } catch {
      let what = "\(ref.kind.rawValue) \(namespace)/\(ref.name)"
      if error.isNotFound { return .failure(Unusable(outcome: .failed("\(what) does not exist"))) }
      if error.status == 403 { return .failure(Unusable(outcome: .failed("kcd may not read \(what) (RBAC): \(error.description.prefix(200))"))) }
      return .failure(Unusable(outcome: .retry("cannot read \(what) now: \(error.description.prefix(200))")))
    }
    let text: String?
    if ref.kind == .secret {
      text = object["data"][ref.key].stringValue.flatMap { Base64.decode($0) }.map { String(decoding: $0, as: UTF8.self) }
    } else {
      text = object["data"][ref.key].stringValue
    }
    guard let text, !text.isEmpty else {
      return .failure(Unusable(outcome: .failed("\(ref.kind.rawValue) \(namespace)/\(ref.name) has no key \(ref.key)")))
    }
    return .success(text)
  }
}
