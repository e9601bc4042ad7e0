import KcdJSON

/// What hooks/ecr/README.md Option A creates, as EventBridge calls: a Connection holding the
/// `ecr` API key (sent as `Authorization: Bearer <key>`), an API destination posting to
/// `<url>/hooks/ecr`, a rule on the default bus for successful ECR pushes, and its target.
/// The builders take the ARNs they need, so a dry run can pass placeholders.
struct ECRHookSetup: Sendable {
  let prefix: String
  /// `<url>/hooks/ecr` and the API key.
  let endpoint: HookEndpoint
  let roleARN: String
  let rateLimit: Int
  let repositoryPrefixes: [String]

  var connectionName: String { prefix + "-ecr" }
  var destinationName: String { prefix + "-ecr" }
  var ruleName: String { prefix + "-ecr-push" }
  var targetID: String { prefix }
  static let bus = "default"
  /// EventBridge retries 429 and 5xx for up to a day (the CloudFormation template's values).
  static let retryPolicy: JSON = ["MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400]

  var connectionDescription: String { "kcd hooks: API key fingerprint \(KeyFingerprint.of(endpoint.secret.value)) (kcd hooks register)" }
  var destinationDescription: String { "kcd hooks: ECR pushes to \(endpoint.url) (kcd hooks register)" }
  var ruleDescription: String { "kcd hooks: successful ECR pushes (kcd hooks register)" }

  var eventPattern: JSON {
    var detail: JSON = ["action-type": ["PUSH"], "result": ["SUCCESS"]]
    if !repositoryPrefixes.isEmpty { detail["repository-name"] = .array(repositoryPrefixes.map { ["prefix": .string($0)] }) }
    return ["source": ["aws.ecr"], "detail-type": ["ECR Image Action"], "detail": detail]
  }

  // MARK: calls

  var describeConnection: EventBridgeCall {
    EventBridgeCall(operation: "DescribeConnection", body: ["Name": .string(connectionName)], subject: "connection \(connectionName)", missingIsNull: true)
  }
  func writeConnection(_ operation: String, _ rendering: Rendering) -> EventBridgeCall {
    EventBridgeCall(operation: operation, body: [
      "Name": .string(connectionName), "Description": .string(connectionDescription), "AuthorizationType": "API_KEY",
      "AuthParameters": ["ApiKeyAuthParameters": ["ApiKeyName": "Authorization", "ApiKeyValue": .string("Bearer " + endpoint.secret.text(rendering))]],
    ], subject: "connection \(connectionName)")
  }

  var describeDestination: EventBridgeCall {
    EventBridgeCall(operation: "DescribeApiDestination", body: ["Name": .string(destinationName)], subject: "API destination \(destinationName)", missingIsNull: true)
  }
  func writeDestination(_ operation: String, connectionARN: String) -> EventBridgeCall {
    EventBridgeCall(operation: operation, body: [
      "Name": .string(destinationName), "Description": .string(destinationDescription), "ConnectionArn": .string(connectionARN),
      "InvocationEndpoint": .string(endpoint.url), "HttpMethod": "POST", "InvocationRateLimitPerSecond": .int(Int64(rateLimit)),
    ], subject: "API destination \(destinationName)")
  }

  var describeRule: EventBridgeCall {
    EventBridgeCall(operation: "DescribeRule", body: ["Name": .string(ruleName), "EventBusName": .string(Self.bus)], subject: "rule \(ruleName)", missingIsNull: true)
  }
  var putRule: EventBridgeCall {
    EventBridgeCall(operation: "PutRule", body: [
      "Name": .string(ruleName), "EventBusName": .string(Self.bus), "EventPattern": .string(eventPattern.text), "State": "ENABLED",
      "Description": .string(ruleDescription),
    ], subject: "rule \(ruleName)")
  }

  func listTargets(nextToken: String?) -> EventBridgeCall {
    var body: JSON = ["Rule": .string(ruleName), "EventBusName": .string(Self.bus)]
    if let nextToken { body["NextToken"] = .string(nextToken) }
    return EventBridgeCall(operation: "ListTargetsByRule", body: body, subject: "rule \(ruleName)")
  }
  func putTargets(destinationARN: String) -> EventBridgeCall {
    EventBridgeCall(operation: "PutTargets", body: [
      "Rule": .string(ruleName), "EventBusName": .string(Self.bus),
      "Targets": [["Id": .string(targetID), "Arn": .string(destinationARN), "RoleArn": .string(roleARN), "RetryPolicy": Self.retryPolicy]],
    ], subject: "target \(targetID) of rule \(ruleName)")
  }

  // MARK: comparisons (of what Describe/List return)

  /// The key itself is never returned: its fingerprint in the description stands for it.
  func connectionMatches(_ d: JSON) -> Bool {
    d["AuthorizationType"].stringValue == "API_KEY" && d["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"].stringValue == "Authorization"
      && d["Description"].stringValue == connectionDescription
  }

  func destinationMatches(_ d: JSON, connectionARN: String) -> Bool {
    d["ConnectionArn"].stringValue == connectionARN && d["InvocationEndpoint"].stringValue == endpoint.url && d["HttpMethod"].stringValue == "POST"
      && d["InvocationRateLimitPerSecond"].intValue == Int64(rateLimit) && d["Description"].stringValue == destinationDescription
  }

  /// The pattern is compared as JSON: AWS may give it back formatted differently.
  func ruleMatches(_ d: JSON) -> Bool {
    d["EventPattern"].stringValue.flatMap { try? JSON.parse(Array($0.utf8)) } == eventPattern && d["State"].stringValue == "ENABLED"
      && d["Description"].stringValue == ruleDescription
  }

  /// An input transformer or fixed input would change what kcd receives.
  func targetMatches(_ t: JSON, destinationARN: String) -> Bool {
    t["Arn"].stringValue == destinationARN && t["RoleArn"].stringValue == roleARN && t["RetryPolicy"] == Self.retryPolicy
      && t["Input"].isNull && t["InputPath"].isNull && t["InputTransformer"].isNull
  }
}
