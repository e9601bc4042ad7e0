/// What `kcd hooks register` did to one object at the sender: one row of its table.
struct RegisterOutcome: Sendable, Equatable {
  enum Result: String, Sendable {
    case created, updated, unchanged
    /// Deleted and created again: the API has no update (Quay notifications).
    case replaced
  }

  /// `connection`, `webhook policy`, `variable` …
  let object: String
  let name: String
  let result: Result
  /// Why it changed, or what could not be compared.
  var note: String = ""

  /// Aligned columns with a header line.
  static func table(_ rows: [RegisterOutcome]) -> String {
    let header = ["OBJECT", "NAME", "RESULT", "NOTE"]
    let cells = [header] + rows.map { [$0.object, $0.name, $0.result.rawValue, $0.note] }
    let widths = (0..<3).map { column in cells.map { $0[column].count }.max() ?? 0 }
    return cells.map { row in
      (0..<3).map { row[$0].padding(widths[$0] + 1) }.joined(separator: " ") + row[3]
    }.map { line in String(line.reversed().drop { $0 == " " }.reversed()) }.joined(separator: "\n")
  }
}
