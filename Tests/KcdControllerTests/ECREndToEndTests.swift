import KcdCore
import KcdJSON
import KcdRegistry
import KcdTestSupport
import Testing

/// ECR through moto: an EventBridge "ECR Image Action" to `/hooks/ecr` ends in a rollout
/// whose version is the image's SHA-like tag, found with DescribeImages.
@Suite(.timeLimit(.minutes(4)))
struct ECREndToEndTests {
  static let repository = "123456789012.dkr.ecr.us-east-1.amazonaws.com/team/app"

  @Test("an EventBridge push event rolls out repo:<sha tag>@digest")
  func eventBridgePush() throws {
    let moto = try MotoServer()
    let aws = try moto.setUp(repositories: ["team/app"])
    let environment = ["AWS_ENDPOINT_URL": moto.url, "AWS_ACCESS_KEY_ID": aws.accessKeyID, "AWS_SECRET_ACCESS_KEY": aws.secretAccessKey,
                       "AWS_REGION": "us-east-1"]
    let ecr = ECRClient(options: ECRClient.Options(environment: environment))
    let manifest = ECRTestManifest.oci("ecr-e2e")
    let repository = try ECRRepository(try ImageName(Self.repository))
    for tag in ["abc1234", "prod"] {
      try ecr.putImage(repository, manifest: manifest.text, mediaType: manifest.mediaType, tag: tag, digest: manifest.digest)
    }

    let sim = try SimProcess()
    var r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: SpineEndToEndTests.crd)
    #expect(r.status == 0, "\(r)")
    r = try sim.kubectl(Kubectl.machine, ["apply", "-f", "-"], input: """
      apiVersion: v1
      kind: Namespace
      metadata: {name: shop}
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop, labels: {app: web}}
      spec:
        replicas: 2
        selector: {matchLabels: {app: web}}
        template:
          metadata: {labels: {app: web}}
          spec: {containers: [{name: web, image: "\(Self.repository):old"}]}
      ---
      apiVersion: kcd.dev/v1
      kind: KCD
      metadata: {name: web, namespace: shop}
      spec: {imageRepo: "\(Self.repository)", tag: prod, selector: {app: web}, pollIntervalSeconds: 0}
      """)
    #expect(r.status == 0, "\(r)")
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory, environment: environment)
    let apiKey = "eventbridge-key-\(Int.random(in: 0..<1_000_000))"
    TestEnvironment.write(apiKey + "\n", to: sim.directory + "/hooks/ecr")

    let event = """
      {"version":"0","id":"13cde686-328b-6117-af20-\(Int.random(in: 100_000_000_000...999_999_999_999))","detail-type":"ECR Image Action","source":"aws.ecr",
       "account":"123456789012","time":"2026-11-22T01:00:00Z","region":"us-east-1","resources":[],
       "detail":{"result":"SUCCESS","repository-name":"team/app","image-digest":"\(manifest.digest)","action-type":"PUSH","image-tag":"prod"}}
      """
    #expect(kcd.waitReady(), "hooks answer 503 until the caches have synced")
    let wrong = try httpRequest(port: kcd.hooksPort, method: "POST", path: "/hooks/ecr", headers: ["Authorization": "Bearer nope", "Content-Type": "application/json"], body: event)
    #expect(wrong.status == 401)
    let sent = try httpRequest(port: kcd.hooksPort, method: "POST", path: "/hooks/ecr", headers: ["Authorization": "Bearer \(apiKey)", "Content-Type": "application/json"], body: event)
    #expect(sent.status == 202, "\(sent.text)")
    #expect(eventually(timeout: 60) { SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" }, "\(SpineEndToEndTests.kcdStatus(sim)) \(kcd.child.errorOutput.suffix(3000))")
    #expect(SpineEndToEndTests.image(sim) == "\(Self.repository):abc1234@\(manifest.digest)")
    #expect(SpineEndToEndTests.kcdStatus(sim)["lastEvent"]["source"] == "ecr")
  }
}
