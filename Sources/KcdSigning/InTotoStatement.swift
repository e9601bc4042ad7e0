import KcdJSON

/// The in-toto Statement cosign v3 signs for an image (`cosign sign` with the bundle format):
/// predicate type `https://sigstore.dev/cosign/sign/v1`, and a subject whose sha256 is the
/// image digest. Other predicate types are attestations (provenance, scans), not signatures.
enum InTotoStatement {
  static let types: Set<String> = ["https://in-toto.io/Statement/v0.1", "https://in-toto.io/Statement/v1"]
  static let signPredicate = "https://sigstore.dev/cosign/sign/v1"
  static let maximumSubjects = 1024

  static func check(_ statement: [UInt8], digest: String) throws(CandidateFailure) {
    guard let json = try? JSON.parse(statement), json.objectValue != nil else { throw .rejected("the DSSE payload is not a JSON in-toto Statement") }
    guard let type = json["_type"].stringValue, types.contains(type) else { throw .rejected("the DSSE payload is not an in-toto Statement (_type)") }
    let predicate = json["predicateType"].stringValue ?? ""
    guard predicate == signPredicate else {
      throw .rejected("the statement's predicateType is \"\(Excerpt.of(predicate))\", not \(signPredicate) (an attestation, not a signature)")
    }
    guard let subjects = json["subject"].arrayValue, !subjects.isEmpty, subjects.count <= maximumSubjects else {
      throw .rejected("the statement has no subject (or more than \(maximumSubjects))")
    }
    let wanted = SHA256Digest.hex(digest)
    let named = subjects.compactMap { $0["digest"]["sha256"].stringValue?.lowercased() }
    guard named.contains(wanted) else {
      let first = named.first.map { "sha256:" + Excerpt.of($0, limit: 64) } ?? "no sha256"
      throw .rejected("signed another digest: the statement's subject names \(Excerpt.digest(first)), not \(Excerpt.digest(digest))")
    }
  }
}
