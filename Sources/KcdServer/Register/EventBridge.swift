import KcdHTTP
import KcdJSON
import KcdRegistry

/// EventBridge's JSON 1.1 API in one region (`POST /`, `X-Amz-Target: AWSEvents.<Operation>`,
/// SigV4 name `events`) through kcd's AWS client and credential chain.
struct EventBridge: Sendable {
  let aws: AWSJSONClient
  let endpoint: String
  let region: String

  /// `AWS_ENDPOINT_URL_EVENTS`, else `AWS_ENDPOINT_URL`, else the regional endpoint.
  init(region: String, environment: [String: String]) {
    let http = HTTPClient(userAgent: "kcd-hooks-register")
    aws = AWSJSONClient(service: .eventBridge, credentials: AWSCredentialChain(environment: environment, http: http), http: http)
    self.region = region
    endpoint = AWSJSONClient.Service.eventBridge.endpoint(environment: environment, regional: EventBridge.regionalEndpoint(region))
  }

  static func regionalEndpoint(_ region: String) -> String {
    "https://events.\(region).amazonaws.com" + (region.hasPrefix("cn-") ? ".cn" : "")
  }

  /// The answer's JSON object; `.null` when the call names a missing object and `missingIsNull`.
  func call(_ call: EventBridgeCall) throws -> JSON {
    try aws.call(call.operation, endpoint: endpoint, region: region, body: call.body, what: call.subject,
                 tolerated: call.missingIsNull ? ["ResourceNotFoundException"] : [])
  }

  func shown(_ call: EventBridgeCall, when: String) -> ShownRequest {
    let target = try? AWSJSONClient.split(endpoint, service: "EventBridge")
    let headers = aws.headers(call.operation, host: target?.host ?? endpoint)
      + [("X-Amz-Date", "<time of sending>"), ("Authorization", "<AWS SigV4 signature by the credentials of the AWS credential chain>")]
    return ShownRequest(when: when, method: "POST", url: target?.url ?? endpoint, headers: headers, body: call.body)
  }
}

/// One EventBridge operation with its request body.
struct EventBridgeCall: Sendable {
  let operation: String
  let body: JSON
  /// What errors name: `connection kcd-ecr`.
  let subject: String
  var missingIsNull = false
}
