import KcdJSON

/// An OCI descriptor as the verifier needs it (image-spec `descriptor.md`).
struct OCIDescriptor: Sendable, Equatable {
  let mediaType: String
  let digest: String
  let size: Int64
  let artifactType: String?
  let annotations: [String: String]

  /// Nil when the digest is not `sha256:<hex>` or the size is missing or negative.
  init?(_ json: JSON) {
    guard let digest = json["digest"].stringValue, SHA256Digest.isValid(digest),
          case .int(let size) = json["size"], size >= 0 else { return nil }
    self.mediaType = json["mediaType"].stringValue ?? ""
    self.digest = digest
    self.size = size
    self.artifactType = json["artifactType"].stringValue
    var annotations: [String: String] = [:]
    for (key, value) in json["annotations"].objectValue ?? [:] {
      if let text = value.stringValue { annotations[key] = text }
    }
    self.annotations = annotations
  }
}

/// An image manifest or index: the fields signature discovery reads, nothing else. Entries
/// with an unusable digest or size are left out.
struct OCIDocument: Sendable {
  let artifactType: String?
  let configMediaType: String?
  let layers: [OCIDescriptor]
  let manifests: [OCIDescriptor]
  let subject: OCIDescriptor?

  /// Parses `bytes` as a JSON object; `what` names the document in the error.
  init(_ bytes: [UInt8], what: String) throws(CandidateFailure) {
    guard let json = try? JSON.parse(bytes), json.objectValue != nil else {
      throw .rejected("\(what) is not a JSON object")
    }
    artifactType = json["artifactType"].stringValue
    configMediaType = json["config"]["mediaType"].stringValue
    subject = json["subject"].isNull ? nil : OCIDescriptor(json["subject"])
    layers = (json["layers"].arrayValue ?? []).compactMap(OCIDescriptor.init)
    manifests = (json["manifests"].arrayValue ?? []).compactMap(OCIDescriptor.init)
  }
}
