import KcdJSON
@testable import KcdKube
import KcdPattern
import KcdYAML

enum DataHarnesses {
  /// YAML's `.inf` and `.nan` are numbers JSON cannot hold: the writer emits null for them.
  static func finite(_ value: JSON) -> JSON {
    switch value {
    case .double(let d) where !d.isFinite: return .null
    case .array(let items): return .array(items.map(finite))
    case .object(let fields): return .object(fields.mapValues(finite))
    default: return value
    }
  }

  static let all = [
    // What parses serialises back to the same value.
    Harness(name: "json") { bytes in
      guard let value = try? JSON.parse(bytes) else { return }
      let again = try? JSON.parse(value.serialized())
      expect(again == value, "JSON round trip changed \(value.text)")
    },
    // Documents parse without trapping, and what they hold survives the JSON round trip.
    Harness(name: "yaml") { bytes in
      guard let documents = try? YAML.parseDocuments(String(decoding: bytes, as: UTF8.self)) else { return }
      for d in documents { expect((try? JSON.parse(d.serialized())) == finite(d), "YAML value does not round-trip as JSON") }
    },
    // kubeconfig text as `kcd run --kubeconfig` reads it (nothing is executed or read here).
    Harness(name: "kubeconfig") { bytes in
      guard let config = try? YAML.parse(String(decoding: bytes, as: UTF8.self)) else { return }
      _ = try? KubeConfigLoader.resolve([(path: "/fuzz/kubeconfig", config: config)], context: nil)
    },
    // Patterns (versionSyntax, extract, claim rules): the first line compiles, the rest is
    // matched; libFuzzer's -timeout catches a match that runs away.
    Harness(name: "pattern") { bytes in
      let text = String(decoding: bytes, as: UTF8.self)
      let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
      guard let source = parts.first, let pattern = try? Pattern(String(source)) else { return }
      // Subjects are tags and claims (kcd refuses tags over 128 characters): 256 bytes is
      // plenty, and keeps each run short enough for millions of them.
      let subject = parts.count > 1 ? String(parts[1].utf8.prefix(256)) ?? "" : ""
      let whole = pattern.wholeMatch(subject)
      let first = pattern.firstMatch(subject)
      expect(!whole || first != nil, "a whole match without a first match")
    },
  ]
}
