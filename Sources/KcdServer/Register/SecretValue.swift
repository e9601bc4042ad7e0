import KcdCore

/// A secret a request carries and printed output never shows: the value, and what stands in
/// for it (`<secret from /etc/kcd/hooks/ecr>`), so a dry run can print every request whole.
struct SecretValue: Sendable {
  let value: String
  let placeholder: String

  func text(_ rendering: Rendering) -> String { rendering == .send ? value : placeholder }

  /// The first usable line of `file` for `source`, read the way kcd reads the hooks folder
  /// (`HookSecrets`), so sender and receiver never disagree.
  static func hookSecret(source: String, file: String) throws -> SecretValue {
    let lines = HookSecrets.lines(try FileIO.read(file, limit: HookSecrets.maximumFileBytes))
    guard let first = HookSecrets.senderSecrets(source: source, lines: lines).first else {
      throw RegisterError("\(file) holds no usable \(source) secret (see hooks/README.md)")
    }
    return SecretValue(value: first, placeholder: "<secret from \(file)>")
  }

  /// An API token or password: the first non-blank line of `file` (named by `flag` in errors).
  static func credential(file: String?, flag: String, what: String) throws -> SecretValue {
    guard let file else { throw UsageError("--\(flag) is required (a file holding the \(what))") }
    guard let first = HookSecrets.lines(try FileIO.read(file, limit: HookSecrets.maximumFileBytes)).first else {
      throw RegisterError("\(file) (--\(flag)) is empty")
    }
    return SecretValue(value: first, placeholder: "<\(what) from \(file)>")
  }
}

/// Where a sender delivers and the secret kcd checks there: what a registration makes the
/// sender and kcd agree on.
struct HookEndpoint: Sendable {
  /// `https://kcd.example.com/hooks/harbor` (for path-token sources, without the token).
  let url: String
  let secret: SecretValue
}

/// Whether a request is built to be sent or to be shown.
enum Rendering: Sendable {
  case send
  case show
}

/// Removes every secret of a run from text about to be printed: AWS and forge error messages
/// may quote what they were sent.
struct Redactor: Sendable {
  private(set) var secrets: [String] = []

  mutating func add(_ secret: SecretValue) {
    for value in [secret.value, secret.value.trimmingSpaces()] where !value.isEmpty && !secrets.contains(value) { secrets.append(value) }
    secrets.sort { $0.count > $1.count }
  }

  func scrub(_ text: String) -> String {
    var out = text
    for secret in secrets { out = out.replacing(secret, with: "<redacted>") }
    return out
  }
}

/// A registration step failed; the message names the call and never a secret.
struct RegisterError: Error, Sendable, CustomStringConvertible {
  let message: String
  init(_ message: String) { self.message = message }
  var description: String { message }
}
