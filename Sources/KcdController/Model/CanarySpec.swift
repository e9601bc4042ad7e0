import KcdJSON

/// `strategy.canary` (`strategy.kind: Canary`): the workloads whose labels match `selector`
/// are rolled out first; once they are available, `verify` runs; only then the rest.
public struct CanarySpec: Sendable, Equatable {
  public var selector: [String: String]
  public var verify: [VerifyStep]

  public func selects(_ labels: [String: String]) -> Bool { selector.allSatisfy { labels[$0.key] == $0.value } }

  static func parse(_ j: JSON, problems: inout [SpecProblem]) -> CanarySpec? {
    var selector: [String: String] = [:]
    for (k, v) in j["selector"].objectValue ?? [:] {
      guard let s = v.stringValue else {
        problems.append(SpecProblem(.invalid, "spec.strategy.canary.selector", "spec.strategy.canary.selector.\(k.prefix(63)) must be a string"))
        return nil
      }
      selector[k] = s
    }
    guard !selector.isEmpty else {
      problems.append(SpecProblem(.invalid, "spec.strategy.canary.selector", "spec.strategy.canary.selector must name at least one label (the canary workloads)"))
      return nil
    }
    let verify = VerifyStep.parseList(j["verify"], field: "spec.strategy.canary.verify", problems: &problems)
    return CanarySpec(selector: selector, verify: verify)
  }
}

extension VerifyStep {
  /// A list of checks (at most 16), each problem collected.
  static func parseList(_ list: JSON, field: String, problems: inout [SpecProblem]) -> [VerifyStep] {
    guard !list.isNull else { return [] }
    guard let items = list.arrayValue, items.count <= 16 else {
      problems.append(SpecProblem(.invalid, field, "\(field) must be a list of at most 16 checks"))
      return []
    }
    var steps: [VerifyStep] = []
    for (i, item) in items.enumerated() {
      let (step, found) = VerifyStep.parse(item, field: "\(field)[\(i)]")
      problems += found
      if let step { steps.append(step) }
    }
    return steps
  }
}
