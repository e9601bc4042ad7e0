@testable import KcdController
import KcdJSON
import Testing

/// `ImagePlan`: which containers take the new image (by name, or by canonical repository), when
/// a plan is already applied, and the exact strategic merge patch kcd sends.
@Suite struct ImagePlanTests {
  static func spec(_ imageRepo: String, container: String? = nil) throws -> KCDSpec {
    var s: JSON = ["imageRepo": .string(imageRepo), "tag": "main", "selector": ["app": "web"]]
    if let container { s["container"] = ["name": .string(container)] }
    return try #require(KCDSpec.parse(s).spec)
  }

  /// A Deployment whose pod template runs these containers, as kcd's cache keeps it.
  static func template(_ containers: [(String, String)]) -> Workload {
    Workload(json: ["metadata": ["name": "web", "namespace": "shop", "labels": ["app": "web"]],
                    "spec": ["template": ["metadata": ["labels": ["app": "web"]],
                                          "spec": ["containers": .array(containers.map { ["name": .string($0.0), "image": .string($0.1)] })]]]],
             kind: .deployment)
  }

  static let shop = template([("web", "registry.example/shop/web:1.0"), ("proxy", "registry.example/shop/proxy:2.0")])

  @Test("without a container name, every container running the repository is planned")
  func byRepository() throws {
    #expect(ImagePlan.containers(in: Self.shop, spec: try Self.spec("registry.example/shop/web")) == ["web"])
    let two = Self.template([("a", "registry.example/shop/web:1"), ("b", "registry.example/shop/other:1"),
                             ("c", "registry.example/shop/web@sha256:" + String(repeating: "0", count: 64))])
    #expect(ImagePlan.containers(in: two, spec: try Self.spec("registry.example/shop/web")) == ["a", "c"])
  }

  @Test("repositories compare in canonical form", arguments: [
    ("nginx", "docker.io/library/nginx:1", true), ("nginx", "nginx", true), ("docker.io/library/nginx", "nginx:1.25", true),
    ("nginx", "index.docker.io/library/nginx:1", true), ("library/nginx", "nginx@sha256:" + String(repeating: "1", count: 64), true),
    ("nginx", "nginx-extra:1", false), ("nginx", "docker.io/bitnami/nginx:1", false), ("nginx", "registry.example/nginx:1", false),
    ("Registry.Example:5000/team/app", "registry.example:5000/team/app:2", true), ("registry.example/team/app", "registry.example:5000/team/app:2", false),
  ])
  func canonical(_ imageRepo: String, _ image: String, _ matches: Bool) throws {
    let planned = ImagePlan.containers(in: Self.template([("main", image)]), spec: try Self.spec(imageRepo))
    #expect(planned == (matches ? ["main"] : []))
  }

  @Test("a named container is planned whatever it runs; a missing name plans nothing")
  func byName() throws {
    #expect(ImagePlan.containers(in: Self.shop, spec: try Self.spec("registry.example/shop/web", container: "proxy")) == ["proxy"])
    #expect(ImagePlan.containers(in: Self.shop, spec: try Self.spec("registry.example/shop/web", container: "sidecar")) == [])
  }

  @Test("no container running the repository plans nothing")
  func none() throws {
    #expect(ImagePlan.containers(in: Self.shop, spec: try Self.spec("registry.example/shop/api")) == [])
    #expect(ImagePlan.containers(in: Workload(json: ["spec": [:]], kind: .deployment), spec: try Self.spec("registry.example/shop/web")) == [])
  }

  @Test("images reads the planned containers only")
  func images() {
    #expect(Self.shop.images(of: ["web"]) == ["web": "registry.example/shop/web:1.0"])
    #expect(Self.shop.images(of: ["web", "proxy", "gone"]).count == 2)
  }

  @Test("isApplied holds only when every planned container runs the image")
  func isApplied() {
    let image = "registry.example/shop/web:3ae8d1b@sha256:" + String(repeating: "b", count: 64)
    let plan = ImagePlan(containers: ["web", "worker"], image: image)
    let both = Self.template([("web", image), ("worker", image), ("proxy", "registry.example/shop/proxy:2.0")])
    let one = Self.template([("web", image), ("worker", "registry.example/shop/web:1.0")])
    let missing = Self.template([("web", image)])
    #expect(plan.isApplied(to: both))
    #expect(!plan.isApplied(to: one))
    #expect(!plan.isApplied(to: missing), "a planned container that is gone is not applied")
    #expect(!ImagePlan(containers: ["web"], image: image).isApplied(to: Self.shop))
  }

  @Test("the patch is a strategic merge of the named containers plus the change cause")
  func patch() {
    let image = "registry.example/shop/web:3ae8d1b@sha256:" + String(repeating: "c", count: 64)
    let plan = ImagePlan(containers: ["web", "worker"], image: image)
    let text = plan.patch(changeCause: "kcd: shop/web rolled out \(image)").text
    #expect(text == #"{"metadata":{"annotations":{"kubernetes.io/change-cause":"kcd: shop/web rolled out \#(image)"}},"#
      + #""spec":{"template":{"spec":{"containers":[{"image":"\#(image)","name":"web"},{"image":"\#(image)","name":"worker"}]}}}}"#)
  }

  @Test("pinnedImage is repository:version@digest")
  func pinned() {
    let digest = "sha256:" + String(repeating: "d", count: 64)
    #expect(ImagePlan.pinnedImage(repository: "registry.example/shop/web", version: "3ae8d1b", digest: digest)
      == "registry.example/shop/web:3ae8d1b@\(digest)")
    #expect(ImagePlan.pinnedImage(repository: "registry.example:5000/web", version: "v1.2.3", digest: digest)
      == "registry.example:5000/web:v1.2.3@\(digest)")
  }
}
