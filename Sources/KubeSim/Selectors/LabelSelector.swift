/// A parsed label selector (`-l app=web,tier in (a,b)` or a `metav1.LabelSelector`), kept as
/// requirements that must all hold, so list/watch filtering and ownership lookups share one matcher.
public struct LabelSelector: Sendable, Equatable {
  /// One clause of a selector.
  struct Requirement: Sendable, Equatable {
    enum Operator: Sendable, Equatable {
      case equals, notEquals, `in`, notIn, exists, doesNotExist, greaterThan, lessThan
    }

    let key: String
    let op: Operator
    /// Sorted and without duplicates: the set semantics of apimachinery, and stable equality.
    let values: [String]

    /// Validates like apimachinery's `labels.NewRequirement`.
    init(key: String, op: Operator, values: [String]) throws(SelectorError) {
      let keyProblems = LabelSyntax.keyProblems(key)
      if !keyProblems.isEmpty {
        throw SelectorError("invalid label key \(GoStringQuoting.quote(key)): \(keyProblems.joined(separator: "; "))")
      }
      switch op {
      case .in, .notIn:
        if values.isEmpty { throw SelectorError("for 'in', 'notin' operators, values set can't be empty") }
      case .equals, .notEquals:
        if values.count != 1 { throw SelectorError("exact-match compatibility requires one single value") }
      case .exists, .doesNotExist:
        if !values.isEmpty { throw SelectorError("values set must be empty for exists and does not exist") }
      case .greaterThan, .lessThan:
        if values.count != 1 { throw SelectorError("for 'Gt', 'Lt' operators, exactly one value is required") }
        if Int64(values[0]) == nil {
          throw SelectorError("for 'Gt', 'Lt' operators, the value must be an integer")
        }
      }
      for value in values {
        let problems = LabelSyntax.valueProblems(value)
        if !problems.isEmpty {
          throw SelectorError(
            "invalid label value: \(GoStringQuoting.quote(value)): at key: \(GoStringQuoting.quote(key)): "
              + problems.joined(separator: "; "))
        }
      }
      self.key = key
      self.op = op
      self.values = Array(Set(values)).sorted()
    }

    func matches(_ labels: [String: String]) -> Bool {
      let actual = labels[key]
      switch op {
      case .equals, .in:
        guard let actual else { return false }
        return values.contains(actual)
      case .notEquals, .notIn:
        guard let actual else { return true }
        return !values.contains(actual)
      case .exists:
        return actual != nil
      case .doesNotExist:
        return actual == nil
      case .greaterThan, .lessThan:
        guard let actual, let have = Int64(actual), let want = values.first.flatMap({ Int64($0) }) else { return false }
        return op == .greaterThan ? have > want : have < want
      }
    }
  }

  var requirements: [Requirement]
  /// Set for a missing or malformed `metav1.LabelSelector`, which apimachinery treats as
  /// "select nothing" so a broken selector never adopts every pod.
  var matchesNothing: Bool

  init(requirements: [Requirement], matchesNothing: Bool = false) {
    // apimachinery sorts by key; it also makes `a=1,b=2` equal to `b=2,a=1`.
    self.requirements = requirements.enumerated()
      .sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }
      .map(\.element)
    self.matchesNothing = matchesNothing
  }

  /// The selector that matches every object.
  public static let everything = LabelSelector(requirements: [])

  /// The selector that matches no object (a nil `metav1.LabelSelector`).
  public static let nothing = LabelSelector(requirements: [], matchesNothing: true)

  /// True when the selector places no restriction, so callers can skip filtering.
  public var isEverything: Bool { requirements.isEmpty && !matchesNothing }

  public func matches(_ labels: [String: String]) -> Bool {
    if matchesNothing { return false }
    return requirements.allSatisfy { $0.matches(labels) }
  }
}

extension LabelSelector: CustomStringConvertible {
  /// The canonical text form (apimachinery's `Selector.String()`), parseable again; the
  /// match-nothing selector prints `<none>`, which does not parse, so it cannot turn into "everything".
  public var description: String {
    if matchesNothing { return "<none>" }
    return requirements.map { requirement in
      let key = requirement.key
      let values = requirement.values
      switch requirement.op {
      case .equals: return key + "=" + (values.first ?? "")
      case .notEquals: return key + "!=" + (values.first ?? "")
      case .in: return key + " in (" + values.joined(separator: ",") + ")"
      case .notIn: return key + " notin (" + values.joined(separator: ",") + ")"
      case .exists: return key
      case .doesNotExist: return "!" + key
      case .greaterThan: return key + ">" + (values.first ?? "")
      case .lessThan: return key + "<" + (values.first ?? "")
      }
    }.joined(separator: ",")
  }
}
