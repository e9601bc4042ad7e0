import KcdCore
import KcdHooks
import KcdJSON
import KcdServer
import KcdTestSupport
import Testing

/// `kcd hooks register --source ecr` against moto's EventBridge: the objects of
/// hooks/ecr/README.md Option A, read back with boto3; a second run writes nothing (by the
/// command's table and by moto's own request recording); a rotated key updates the Connection only.
@Suite(.timeLimit(.minutes(4)))
struct HooksRegisterECRTests {
  static let role = "arn:aws:iam::123456789012:role/kcd-invoke"
  static let writes: Set<String> = ["CreateConnection", "UpdateConnection", "CreateApiDestination", "UpdateApiDestination", "PutRule", "PutTargets"]

  static func register(_ moto: MotoServer, hooks: String, extra: [String] = []) throws -> ProcessResult {
    let environment = HooksRegisterTests.environment.merging([
      "AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": "AKIDREGISTERTEST", "AWS_SECRET_ACCESS_KEY": "register-test-secret", "AWS_REGION": "us-east-1",
    ]) { $1 }
    return try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "register", "--source", "ecr", "--url", "https://kcd.example.com",
                               "--hooks-secret-dir", hooks, "--role-arn", role, "--repository-prefix", "team/", "--repository-prefix", "shop/"] + extra,
                              environment: environment, timeout: 120)
  }

  /// The table's RESULT column by object.
  static func results(_ stdout: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in stdout.split(separator: "\n").dropFirst() {
      let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      // "api destination" is two words.
      if cells.first == "api", cells.count >= 4 { out["api destination"] = cells[3] } else if cells.count >= 3 { out[cells[0]] = cells[2] }
    }
    return out
  }

  /// What moto holds, through boto3; `apiKey` is the Connection's key from moto's raw
  /// DescribeConnection answer (boto3 drops it: AWS never returns it, moto does).
  static func readBack(_ moto: MotoServer) throws -> JSON {
    let script = """
      import json, sys, urllib.request, boto3
      ev = boto3.client("events", endpoint_url=sys.argv[1], region_name="us-east-1", aws_access_key_id="a", aws_secret_access_key="b")
      out = {"connection": ev.describe_connection(Name="kcd-ecr"), "destination": ev.describe_api_destination(Name="kcd-ecr"),
             "rule": ev.describe_rule(Name="kcd-ecr-push"), "targets": ev.list_targets_by_rule(Rule="kcd-ecr-push")["Targets"]}
      for v in out.values():
          if isinstance(v, dict): v.pop("ResponseMetadata", None)
      raw = urllib.request.Request(sys.argv[1] + "/", data=b'{"Name":"kcd-ecr"}', method="POST",
                                   headers={"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "AWSEvents.DescribeConnection",
                                            "Authorization": "AWS4-HMAC-SHA256 Credential=a/20260101/us-east-1/events/aws4_request, SignedHeaders=host, Signature=0"})
      out["apiKey"] = json.load(urllib.request.urlopen(raw))["AuthParameters"]["ApiKeyAuthParameters"].get("ApiKeyValue")
      print(json.dumps(out, default=str))
      """
    let r = try Subprocess.run(["python3", "-c", script, moto.url], environment: HooksRegisterTests.environment, timeout: 60)
    guard r.status == 0, let json = try? JSON.parse(Array(r.stdout.utf8)) else { throw MotoError("boto3 read-back failed: \(r)") }
    return json
  }

  @Test("creates Connection, ApiDestination, Rule and Target; a second run writes nothing; a rotated key updates only the Connection")
  func createThenIdempotentThenRotate() throws {
    let moto = try MotoServer(recording: true)
    let hooks = TestEnvironment.makeTemporaryDirectory("kcd-register-ecr")
    let key = "ecr-key-" + String(repeating: "7", count: 40)
    // kcd skips `topic=` lines (SNS settings): the key is the first other line.
    TestEnvironment.write("topic=arn:aws:sns:us-east-1:123456789012:ecr-pushes\n\n\(key)\nsecond-accepted-key\n", to: hooks + "/ecr")

    let first = try Self.register(moto, hooks: hooks)
    #expect(first.status == 0, "\(first)")
    #expect(Self.results(first.stdout) == ["connection": "created", "api destination": "created", "rule": "created", "target": "created"], "\(first.stdout)")
    #expect(!first.stdout.contains(key) && !first.stderr.contains(key))

    let state = try Self.readBack(moto)
    let connection = state["connection"], destination = state["destination"], rule = state["rule"], target = state["targets"][0]
    #expect(connection["AuthorizationType"] == "API_KEY")
    #expect(connection["AuthParameters"]["ApiKeyAuthParameters"]["ApiKeyName"] == "Authorization")
    // moto (unlike AWS) gives the key back: the one kcd's own reading of the file picks.
    #expect(state["apiKey"] == .string("Bearer " + key))
    #expect(connection["Description"].stringValue?.contains(KeyFingerprintProbe.of(key)) == true, "\(connection)")
    #expect(destination["InvocationEndpoint"] == "https://kcd.example.com/hooks/ecr")
    #expect(destination["HttpMethod"] == "POST")
    #expect(destination["InvocationRateLimitPerSecond"] == 20)
    #expect(destination["ConnectionArn"] == connection["ConnectionArn"])
    let pattern = try JSON.parse(Array((rule["EventPattern"].stringValue ?? "").utf8))
    #expect(pattern == [
      "source": ["aws.ecr"], "detail-type": ["ECR Image Action"],
      "detail": ["action-type": ["PUSH"], "result": ["SUCCESS"], "repository-name": [["prefix": "team/"], ["prefix": "shop/"]]],
    ])
    #expect(rule["State"] == "ENABLED")
    #expect(state["targets"].arrayValue?.count == 1)
    #expect(target["Id"] == "kcd")
    #expect(target["Arn"] == destination["ApiDestinationArn"])
    #expect(target["RoleArn"] == .string(Self.role))
    #expect(target["RetryPolicy"] == ["MaximumRetryAttempts": 185, "MaximumEventAgeInSeconds": 86400])
    let writesAfterFirst = moto.recordedTargets().filter { Self.writes.contains(String($0.dropFirst("AWSEvents.".count))) }
    #expect(writesAfterFirst == ["AWSEvents.CreateConnection", "AWSEvents.CreateApiDestination", "AWSEvents.PutRule", "AWSEvents.PutTargets"])

    let second = try Self.register(moto, hooks: hooks)
    #expect(second.status == 0, "\(second)")
    #expect(Self.results(second.stdout) == ["connection": "unchanged", "api destination": "unchanged", "rule": "unchanged", "target": "unchanged"], "\(second.stdout)")
    let writesAfterSecond = moto.recordedTargets().filter { Self.writes.contains(String($0.dropFirst("AWSEvents.".count))) }
    #expect(writesAfterSecond == writesAfterFirst, "the second run made write calls: \(writesAfterSecond)")
    #expect(try Self.readBack(moto) == state, "moto's objects are exactly as after the first run")

    let rotated = "ecr-key-" + String(repeating: "9", count: 40)
    TestEnvironment.write("topic=arn:aws:sns:us-east-1:123456789012:ecr-pushes\n\(rotated)\n\(key)\n", to: hooks + "/ecr")
    let third = try Self.register(moto, hooks: hooks)
    #expect(third.status == 0, "\(third)")
    #expect(Self.results(third.stdout) == ["connection": "updated", "api destination": "unchanged", "rule": "unchanged", "target": "unchanged"], "\(third.stdout)")
    let writesAfterThird = moto.recordedTargets().filter { Self.writes.contains(String($0.dropFirst("AWSEvents.".count))) }
    #expect(writesAfterThird == writesAfterFirst + ["AWSEvents.UpdateConnection"])
    let after = try Self.readBack(moto)
    #expect(after["apiKey"] == .string("Bearer " + rotated))
    #expect(after["connection"]["Description"].stringValue?.contains(KeyFingerprintProbe.of(rotated)) == true)
    #expect(!(third.stdout + third.stderr).contains(rotated))
  }

  @Test("every EventBridge request of a dry run validates against AWS's own service model (botocore's events-2015-10-07)")
  func requestsMatchTheServiceModel() throws {
    let hooks = TestEnvironment.makeTemporaryDirectory("kcd-register-ecr")
    TestEnvironment.write("key-" + String(repeating: "c", count: 40) + "\n", to: hooks + "/ecr")
    let closed = "http://127.0.0.1:\(try Tools.freePort())"
    let r = try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "register", "--source", "ecr", "--url", "https://kcd.example.com", "--hooks-secret-dir", hooks,
                                "--role-arn", Self.role, "--region", "eu-west-1", "--repository-prefix", "team/", "--dry-run"],
                               environment: HooksRegisterTests.environment.merging(["AWS_ENDPOINT_URL": closed]) { $1 }, timeout: 60)
    #expect(r.status == 0, "\(r)")
    let script = """
      import json, sys, botocore.session
      from botocore.validate import ParamValidator
      model = botocore.session.get_session().get_service_model("events")
      operation, checked = None, []
      for line in sys.stdin.read().split("\\n"):
          if line.startswith("X-Amz-Target: AWSEvents."): operation = line.split(".", 1)[1]
          if line.startswith("{"):
              report = ParamValidator().validate(json.loads(line), model.operation_model(operation).input_shape)
              if report.has_errors(): sys.exit(operation + ": " + report.generate_report())
              checked.append(operation)
      print(" ".join(checked))
      """
    let check = try Subprocess.run(["python3", "-c", script], input: r.stdout, timeout: 60)
    #expect(check.status == 0, "\(check)")
    #expect(check.stdout == "DescribeConnection CreateConnection UpdateConnection DescribeApiDestination CreateApiDestination UpdateApiDestination "
            + "DescribeRule PutRule ListTargetsByRule PutTargets\n", "\(check)")
  }

  @Test("the key EventBridge is given is one kcd run accepts from the same ecr file")
  func registeredKeyIsAccepted() throws {
    let moto = try MotoServer()
    let hooks = TestEnvironment.makeTemporaryDirectory("kcd-register-ecr")
    let key = "accepted-" + String(repeating: "a", count: 40)
    TestEnvironment.write("topic=arn:aws:sns:us-east-1:123456789012:t\n\(key)\n", to: hooks + "/ecr")
    let r = try Self.register(moto, hooks: hooks)
    #expect(r.status == 0, "\(r)")
    let header = try #require(try Self.readBack(moto)["apiKey"].stringValue)

    // What `kcd run` reads from the same folder, and the ECR source it builds from it.
    let lines = try #require(HookSecrets(directory: hooks).secrets(for: "ecr"))
    let source = try #require(try HookSourceFactory(fetch: { _ in [] }).make("ecr", lines))
    let event = """
      {"version":"0","id":"0b3c4d5e-1111-2222-3333-444455556666","detail-type":"ECR Image Action","source":"aws.ecr","account":"123456789012",
       "time":"2026-01-01T00:00:00Z","region":"us-east-1","resources":[],
       "detail":{"result":"SUCCESS","repository-name":"team/app","image-digest":"sha256:\(String(repeating: "b", count: 64))","action-type":"PUSH","image-tag":"v1"}}
      """
    func request(_ authorization: String) -> HookRequest {
      HookRequest(header: { $0.lowercased() == "authorization" ? authorization : nil }, body: Array(event.utf8), now: Timestamps.now())
    }
    guard case .events(let events) = try source.handle(request(header)) else { Issue.record("not accepted"); return }
    #expect(events.first?.tag == "v1")
    #expect(throws: HookRejection.self) { try source.handle(request("Bearer topic=arn:aws:sns:us-east-1:123456789012:t")) }
  }
}

/// The fingerprint as the command records it, computed independently of the command's code.
enum KeyFingerprintProbe {
  static func of(_ key: String) -> String {
    let r = try? Subprocess.run(["sh", "-c", "printf 'kcd hooks register: EventBridge API key fingerprint v1\\n%s' \"$0\" | sha256sum", key], timeout: 10)
    return String((r?.stdout ?? "").prefix(16))
  }
}
