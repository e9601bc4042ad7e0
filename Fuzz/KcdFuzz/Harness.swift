import KcdCore

/// One fuzz harness: a name and what it does with one input. A harness must never trap on any
/// input; where a property holds for every input (a round trip, two ways of feeding the same
/// bytes), it checks it with `expect`, which traps, so libFuzzer reports the input.
struct Harness: Sendable {
  let name: String
  let run: @Sendable ([UInt8]) -> Void
}

/// A property that must hold for every input: traps (a finding) when it does not.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) {
  if !condition { fatalError("property violated: \(message())") }
}

enum Harnesses {
  static let all: [Harness] = HTTPHarnesses.all + DataHarnesses.all + SourceHarnesses.all + CryptoHarnesses.all
    + PolicyHarnesses.all + SigningHarnesses.all + OIDCHarness.all
}

/// Splits an input at its first blank line: `Name: value` header lines, then the body. Sources'
/// harnesses read requests this way so the fuzzer can vary headers and body together.
struct HeadAndBody {
  var headers: [(name: String, value: String)] = []
  var body: [UInt8]

  init(_ bytes: [UInt8]) {
    var split: Int?
    if bytes.count >= 2 {
      for i in 0..<(bytes.count - 1) where bytes[i] == 10 && bytes[i + 1] == 10 { split = i; break }
    }
    guard let at = split else { body = bytes; return }
    body = Array(bytes[(at + 2)...])
    // Lines and the colon found by byte (a character split runs grapheme breaking on every input).
    for line in bytes[..<at].split(separator: 10) {
      guard let colon = line.firstIndex(of: 58) else { continue }
      let value = line[line.index(after: colon)...].drop { $0 == 32 }
      // ASCII lower-casing: Unicode's rules would dominate a run, and a source under test lower-cases its own way.
      headers.append((ASCII.lowercased(line[..<colon]), String(decoding: value, as: UTF8.self)))
    }
  }

  /// `name` is given lower-case.
  func header(_ name: String) -> String? {
    headers.first { $0.name == name }?.value
  }
}
