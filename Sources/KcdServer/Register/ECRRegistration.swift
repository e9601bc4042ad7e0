import KcdJSON

/// ECR → EventBridge → kcd (hooks/ecr/README.md Option A), idempotent: each object is
/// described first, created when missing and written again only when it differs, so a second
/// run with the same inputs makes no write call.
struct ECRRegistration: HookRegistration {
  let events: EventBridge
  let setup: ECRHookSetup

  func shown() -> [ShownRequest] {
    let s = setup
    let connection = "<ConnectionArn from DescribeConnection or CreateConnection>"
    let destination = "<ApiDestinationArn from DescribeApiDestination or CreateApiDestination>"
    return [
      events.shown(s.describeConnection, when: "always"),
      events.shown(s.writeConnection("CreateConnection", .show), when: "when connection \(s.connectionName) is missing"),
      events.shown(s.writeConnection("UpdateConnection", .show), when: "when it differs (the key's fingerprint is kept in its Description)"),
      events.shown(s.describeDestination, when: "always"),
      events.shown(s.writeDestination("CreateApiDestination", connectionARN: connection), when: "when API destination \(s.destinationName) is missing"),
      events.shown(s.writeDestination("UpdateApiDestination", connectionARN: connection), when: "when it differs"),
      events.shown(s.describeRule, when: "always"),
      events.shown(s.putRule, when: "when rule \(s.ruleName) is missing or differs"),
      events.shown(s.listTargets(nextToken: nil), when: "always (again with NextToken while there is one)"),
      events.shown(s.putTargets(destinationARN: destination), when: "when target \(s.targetID) is missing or differs"),
    ]
  }

  func apply() throws -> [RegisterOutcome] {
    var rows: [RegisterOutcome] = []
    let connectionARN = try connection(&rows)
    let destinationARN = try destination(connectionARN: connectionARN, &rows)
    try rule(&rows)
    try target(destinationARN: destinationARN, &rows)
    return rows
  }

  func connection(_ rows: inout [RegisterOutcome]) throws -> String {
    let s = setup
    return try ensure("connection", s.connectionName, describe: s.describeConnection, matches: s.connectionMatches,
                      create: s.writeConnection("CreateConnection", .send), update: s.writeConnection("UpdateConnection", .send),
                      arnField: "ConnectionArn", note: "API key (by fingerprint) or settings differed", &rows)
  }

  func destination(connectionARN: String, _ rows: inout [RegisterOutcome]) throws -> String {
    let s = setup
    return try ensure("api destination", s.destinationName, describe: s.describeDestination, matches: { s.destinationMatches($0, connectionARN: connectionARN) },
                      create: s.writeDestination("CreateApiDestination", connectionARN: connectionARN),
                      update: s.writeDestination("UpdateApiDestination", connectionARN: connectionARN),
                      arnField: "ApiDestinationArn", note: "endpoint, connection or rate limit differed", &rows)
  }

  /// Describe; create when missing, update when it differs; the object's ARN.
  func ensure(_ object: String, _ name: String, describe: EventBridgeCall, matches: (JSON) -> Bool, create: EventBridgeCall, update: EventBridgeCall,
              arnField: String, note: String, _ rows: inout [RegisterOutcome]) throws -> String {
    let described = try events.call(describe)
    let answer: JSON
    if described.isNull {
      answer = try events.call(create)
      rows.append(RegisterOutcome(object: object, name: name, result: .created))
    } else if matches(described) {
      answer = described
      rows.append(RegisterOutcome(object: object, name: name, result: .unchanged))
    } else {
      answer = try events.call(update)
      rows.append(RegisterOutcome(object: object, name: name, result: .updated, note: note))
    }
    guard let arn = answer[arnField].stringValue ?? described[arnField].stringValue, !arn.isEmpty else {
      throw RegisterError("EventBridge answered without the \(arnField) of \(object) \(name)")
    }
    return arn
  }

  func rule(_ rows: inout [RegisterOutcome]) throws {
    let s = setup
    let described = try events.call(s.describeRule)
    if !described.isNull, s.ruleMatches(described) {
      rows.append(RegisterOutcome(object: "rule", name: s.ruleName, result: .unchanged))
      return
    }
    _ = try events.call(s.putRule)
    rows.append(described.isNull ? RegisterOutcome(object: "rule", name: s.ruleName, result: .created)
                : RegisterOutcome(object: "rule", name: s.ruleName, result: .updated, note: "event pattern, state or description differed"))
  }

  func target(destinationARN: String, _ rows: inout [RegisterOutcome]) throws {
    let s = setup
    var found: JSON?
    var token: String?
    var pages = 0
    repeat {
      let page = try events.call(s.listTargets(nextToken: token))
      found = found ?? (page["Targets"].arrayValue ?? []).first { $0["Id"].stringValue == s.targetID }
      token = page["NextToken"].stringValue.flatMap { $0.isEmpty ? nil : $0 }
      pages += 1
    } while found == nil && token != nil && pages < 100
    let name = "\(s.ruleName)/\(s.targetID)"
    if let found, s.targetMatches(found, destinationARN: destinationARN) {
      rows.append(RegisterOutcome(object: "target", name: name, result: .unchanged))
      return
    }
    let answer = try events.call(s.putTargets(destinationARN: destinationARN))
    if let failed = answer["FailedEntryCount"].intValue, failed > 0 {
      let entry = answer["FailedEntries"][0]
      throw RegisterError("EventBridge PutTargets failed for target \(s.targetID) of rule \(s.ruleName): "
                          + "\(entry["ErrorCode"].stringValue ?? "?"): \(entry["ErrorMessage"].stringValue ?? "")")
    }
    rows.append(found == nil ? RegisterOutcome(object: "target", name: name, result: .created)
                : RegisterOutcome(object: "target", name: name, result: .updated, note: "destination, role or retry policy differed"))
  }
}
