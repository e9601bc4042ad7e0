/// Why one signature did not pass: its content was refused, or reading it failed for now.
enum CandidateFailure: Error, Equatable {
  case rejected(String)
  case unavailable(String)

  /// From a registry read: an invalid answer rejects the signature, an unreachable registry
  /// leaves it undecided.
  init(_ error: ArtifactFetchError, reading what: String) {
    let text = "cannot read \(what): \(Excerpt.of(error.message, limit: 240))"
    self = error.kind == .unavailable ? .unavailable(text) : .rejected(text)
  }
}

/// Short printable excerpts of untrusted text for reasons and Events: never a whole document,
/// never control characters.
enum Excerpt {
  static func of(_ text: String, limit: Int = 120) -> String {
    var out = ""
    var count = 0
    for scalar in text.unicodeScalars {
      if count == limit { return out + "…" }
      out.unicodeScalars.append(scalar.value >= 0x20 && scalar.value != 0x7F ? scalar : "?")
      count += 1
    }
    return out
  }

  /// `sha256:0123456789ab…` — enough of a digest to tell two apart in a message.
  static func digest(_ digest: String) -> String {
    digest.count > 19 ? String(digest.prefix(19)) + "…" : digest
  }
}
