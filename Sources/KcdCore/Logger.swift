#if canImport(Glibc)
import Glibc
#endif

/// Structured logs: one JSON object per line (default) or `key=value` text. Callers pass only
/// safe values; nothing here ever formats a request body, header or secret.
public struct Logger: Sendable {
  public enum Format: String, Sendable { case json, text }
  public let format: Format
  public let component: String
  let sink: @Sendable (String) -> Void

  public init(format: Format = .json, component: String = "kcd", sink: @escaping @Sendable (String) -> Void = Logger.stderr) {
    self.format = format
    self.component = component
    self.sink = sink
  }

  public static let stderr: @Sendable (String) -> Void = { line in
    var s = line + "\n"
    s.withUTF8 { b in _ = write(2, b.baseAddress, b.count) }
  }

  public func info(_ message: String, _ fields: [(String, String)] = []) { emit("info", message, fields) }
  public func warn(_ message: String, _ fields: [(String, String)] = []) { emit("warn", message, fields) }
  public func error(_ message: String, _ fields: [(String, String)] = []) { emit("error", message, fields) }

  func emit(_ level: String, _ message: String, _ fields: [(String, String)]) {
    let time = Timestamps.microTime(Timestamps.now())
    switch format {
    case .json:
      var line = "{\"time\":\(Logger.quote(time)),\"level\":\(Logger.quote(level)),\"component\":\(Logger.quote(component)),\"msg\":\(Logger.quote(message))"
      for (k, v) in fields { line += ",\(Logger.quote(k)):\(Logger.quote(v))" }
      sink(line + "}")
    case .text:
      var line = "\(time) \(level.uppercased()) \(Logger.escapingControls(message))"
      for (k, v) in fields { line += " \(k)=\(Logger.needsQuotes(v) ? Logger.quote(v) : v)" }
      sink(line)
    }
  }

  /// Text values are quoted when a reader could not tell where they end (spaces, quotes) or
  /// when they hold control characters: a newline in an error must not start a forged line.
  static func needsQuotes(_ v: String) -> Bool {
    v.unicodeScalars.contains { $0.value <= 0x20 || $0 == "\"" }
  }

  /// The text message with control characters escaped as in JSON, so an entry stays one line.
  static func escapingControls(_ s: String) -> String {
    guard s.unicodeScalars.contains(where: { $0.value < 0x20 }) else { return s }
    var out = ""
    for u in s.unicodeScalars {
      if u.value < 0x20 { out += quote(String(u)).dropFirst().dropLast() } else { out.unicodeScalars.append(u) }
    }
    return out
  }

  static func quote(_ s: String) -> String {
    var out = "\""
    for u in s.unicodeScalars {
      switch u {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      default:
        if u.value < 0x20 {
          let hex = String(u.value, radix: 16)
          out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        } else {
          out.unicodeScalars.append(u)
        }
      }
    }
    return out + "\""
  }
}
