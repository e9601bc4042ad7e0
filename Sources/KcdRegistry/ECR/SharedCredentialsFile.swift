import KcdCore
import KcdCrypto
import KcdHTTP

/// A profile of the shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else
/// `~/.aws/credentials`), chosen by `AWS_PROFILE` (else `AWS_DEFAULT_PROFILE`, else `default`).
/// The file is read on every call, so keys rotated on disk are picked up without a restart.
public struct SharedCredentialsFile: AWSCredentialSource {
  public let path: String
  public let profile: String
  /// True when the profile was named in the environment: then a missing profile is an error.
  let profileChosen: Bool

  /// Nil when no file is configured or present (the chain moves on).
  public init?(environment: [String: String]) {
    func set(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
    if let explicit = set("AWS_SHARED_CREDENTIALS_FILE") {
      path = SharedCredentialsFile.expandingHome(explicit, environment: environment)
    } else if let home = set("HOME") {
      path = home + "/.aws/credentials"
    } else {
      return nil
    }
    guard FileIO.exists(path) else { return nil }
    let chosen = set("AWS_PROFILE") ?? set("AWS_DEFAULT_PROFILE")
    profile = chosen ?? "default"
    profileChosen = chosen != nil
  }

  public init(path: String, profile: String) {
    self.path = path
    self.profile = profile
    self.profileChosen = true
  }

  public func credentials() throws(RegistryError) -> AWSSigningCredentials {
    let bytes: [UInt8]
    do { bytes = try FileIO.read(path, limit: 1 << 20) } catch {
      throw RegistryError(.invalidCredentials, "cannot read AWS credentials file \(path): \(error)")
    }
    let sections = IniFile.parse(String(decoding: bytes, as: UTF8.self))
    guard let values = sections[profile] else {
      throw RegistryError(.invalidCredentials, "AWS credentials file \(path) has no profile [\(profile)]\(profileChosen ? " (from AWS_PROFILE)" : "")")
    }
    guard let id = values["aws_access_key_id"], !id.isEmpty else {
      throw RegistryError(.invalidCredentials, "profile [\(profile)] in \(path) has no aws_access_key_id (only static keys are read from this file)")
    }
    guard let secret = values["aws_secret_access_key"], !secret.isEmpty else {
      throw RegistryError(.invalidCredentials, "profile [\(profile)] in \(path) has aws_access_key_id but no aws_secret_access_key")
    }
    return AWSSigningCredentials(accessKeyID: id, secretAccessKey: secret, sessionToken: values["aws_session_token"] ?? values["aws_security_token"])
  }

  static func expandingHome(_ path: String, environment: [String: String]) -> String {
    guard path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] else { return path }
    return home + path.dropFirst()
  }
}

/// The INI dialect of the AWS CLI files: `[section]` headers (`[profile name]`, the config
/// file's spelling, is accepted as `name`), `key = value` lines, `#` and `;` comment lines,
/// keys case-insensitive.
/// Indented lines continue the previous key's nested block; they are ignored here (they only
/// hold per-service settings such as `s3 =` sub-keys, never credentials).
public enum IniFile {
  public static func parse(_ text: String) -> [String: [String: String]] {
    var sections: [String: [String: String]] = [:]
    var current: String?
    for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
      if let first = rawLine.first, first == " " || first == "\t" { continue }
      let line = rawLine.trimmingSpaces()
      if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
      if line.hasPrefix("[") {
        guard let close = line.firstIndex(of: "]") else { current = nil; continue }
        var name = String(line[line.index(after: line.startIndex)..<close]).trimmingSpaces()
        if name.hasPrefix("profile ") { name = String(name.dropFirst("profile ".count)).trimmingSpaces() }
        current = name
        if sections[name] == nil { sections[name] = [:] }
        continue
      }
      guard let section = current, let eq = line.firstIndex(of: "=") else { continue }
      let key = String(line[..<eq]).trimmingSpaces().lowercased()
      // No inline comments: like botocore's parser, everything after `=` is the value.
      sections[section]?[key] = String(line[line.index(after: eq)...]).trimmingSpaces()
    }
    return sections
  }
}
