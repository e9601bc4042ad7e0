import KcdJSON

/// Building selectors from `metav1.LabelSelector` objects (`spec.selector` of Deployments and
/// ReplicaSets), with apimachinery's `LabelSelectorAsSelector` semantics.
extension LabelSelector {
  /// Never fails: a malformed selector matches nothing, the safe outcome for ownership lookups.
  /// Use `fromJSON` where the error should reach the user.
  public init(matchLabels: [String: String], matchExpressions: [JSON]) {
    do {
      self = try Self.build(matchLabels: matchLabels, matchExpressions: matchExpressions)
    } catch {
      self = .nothing
    }
  }

  /// Reads `{matchLabels: {...}, matchExpressions: [...]}`; `null` selects nothing, `{}` everything.
  public static func fromJSON(_ selector: JSON) throws(SelectorError) -> LabelSelector {
    if selector.isNull { return .nothing }
    guard selector.objectValue != nil else { throw SelectorError("label selector must be an object") }
    var matchLabels: [String: String] = [:]
    switch selector["matchLabels"] {
    case .null: break
    case .object(let members):
      for (key, value) in members {
        guard let text = value.stringValue else {
          throw SelectorError("matchLabels[\(key)]: value must be a string")
        }
        matchLabels[key] = text
      }
    default:
      throw SelectorError("matchLabels must be an object")
    }
    var expressions: [JSON] = []
    switch selector["matchExpressions"] {
    case .null: break
    case .array(let items): expressions = items
    default: throw SelectorError("matchExpressions must be an array")
    }
    return try build(matchLabels: matchLabels, matchExpressions: expressions)
  }

  static func build(matchLabels: [String: String], matchExpressions: [JSON]) throws(SelectorError) -> LabelSelector {
    var requirements: [Requirement] = []
    for key in matchLabels.keys.sorted() {
      requirements.append(try Requirement(key: key, op: .equals, values: [matchLabels[key] ?? ""]))
    }
    for expression in matchExpressions {
      requirements.append(try requirement(from: expression))
    }
    return LabelSelector(requirements: requirements)
  }

  static func requirement(from expression: JSON) throws(SelectorError) -> Requirement {
    guard expression.objectValue != nil else { throw SelectorError("matchExpressions entries must be objects") }
    guard let key = expression["key"].stringValue else { throw SelectorError("matchExpressions key must be a string") }
    let operatorName = expression["operator"].stringValue ?? ""
    let op: Requirement.Operator
    switch operatorName {
    case "In": op = .in
    case "NotIn": op = .notIn
    case "Exists": op = .exists
    case "DoesNotExist": op = .doesNotExist
    default: throw SelectorError("\(GoStringQuoting.quote(operatorName)) is not a valid label selector operator")
    }
    var values: [String] = []
    switch expression["values"] {
    case .null: break
    case .array(let items):
      for item in items {
        guard let text = item.stringValue else { throw SelectorError("matchExpressions values must be strings") }
        values.append(text)
      }
    default:
      throw SelectorError("matchExpressions values must be an array")
    }
    return try Requirement(key: key, op: op, values: values)
  }
}
