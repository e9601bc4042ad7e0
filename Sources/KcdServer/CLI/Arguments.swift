/// A usage error: the command line was wrong (exit code 2).
public struct UsageError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Parsed `--flag value`, `--flag=value` and bare `--switch` arguments plus positionals, with
/// the set of known flags so typos are refused instead of ignored.
public struct Arguments: Sendable {
  public private(set) var values: [String: [String]] = [:]
  public private(set) var switches: Set<String> = []
  public private(set) var positionals: [String] = []

  /// `valueFlags` take a value; `switchFlags` do not.
  public init(_ args: [String], valueFlags: Set<String>, switchFlags: Set<String> = []) throws(UsageError) {
    var i = 0
    while i < args.count {
      let a = args[i]
      i += 1
      if a == "--" { positionals.append(contentsOf: args[i...]); break }
      guard a.hasPrefix("--"), a.count > 2 else { positionals.append(a); continue }
      var name = String(a.dropFirst(2))
      var inline: String?
      if let eq = name.firstIndex(of: "=") {
        inline = String(name[name.index(after: eq)...])
        name = String(name[..<eq])
      }
      if switchFlags.contains(name) {
        if let v = inline {
          guard v == "true" || v == "false" else { throw UsageError("--\(name) takes no value") }
          if v == "true" { switches.insert(name) } else { switches.remove(name) }
        } else {
          switches.insert(name)
        }
      } else if valueFlags.contains(name) {
        if let v = inline { values[name, default: []].append(v); continue }
        guard i < args.count else { throw UsageError("--\(name) needs a value") }
        values[name, default: []].append(args[i])
        i += 1
      } else {
        throw UsageError("unknown flag --\(name)")
      }
    }
  }

  public func value(_ name: String) -> String? { values[name]?.last }
  public func all(_ name: String) -> [String] { values[name] ?? [] }
  public func has(_ name: String) -> Bool { switches.contains(name) }

  public func double(_ name: String) throws(UsageError) -> Double? {
    guard let v = value(name) else { return nil }
    guard let d = Double(v) else { throw UsageError("--\(name) must be a number, got \"\(v)\"") }
    return d
  }

  public func int(_ name: String) throws(UsageError) -> Int? {
    guard let v = value(name) else { return nil }
    guard let d = Int(v) else { throw UsageError("--\(name) must be a whole number, got \"\(v)\"") }
    return d
  }
}
