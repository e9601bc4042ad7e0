import KcdJSON
import KcdTestSupport
import Testing

/// `kcd migrate` against `kcd sim` holding the original kcd's CRD and three of its example
/// KCDs: the dry run writes nothing, the real run creates three kcd.dev/v1 KCDs that `kcd run`
/// follows, a second run changes nothing, and a differing object is reported, not overwritten.
@Suite(.timeLimit(.minutes(4)))
struct MigrateEndToEndTests {
  static func fixture(_ name: String) -> String { SpineEndToEndTests.fixture("original-kcd/" + name) }

  static func migrate(_ sim: SimProcess, _ extra: [String] = []) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary, "migrate", "--kubeconfig", sim.kubeconfig] + extra, timeout: 60)
  }

  /// The table's rows as NAMESPACE, NAME → ACTION column.
  static func actions(_ out: String) -> [String: String] {
    var rows: [String: String] = [:]
    for line in out.split(separator: "\n") where !line.hasPrefix("NAMESPACE") && !line.hasPrefix("Dry run") {
      let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
      guard cells.count >= 3 else { continue }
      rows["\(cells[0])/\(cells[1])"] = cells[2] == "would" ? "would " + cells[3] : cells[2]
    }
    return rows
  }

  /// Writes to KCDs of either group seen by the sim so far.
  static func kcdWrites(_ sim: SimProcess) throws -> [String] {
    try sim.requestLog().filter { $0["method"] != "GET" && ($0["path"].stringValue ?? "").contains("/kcds") }
      .map { "\($0["method"].stringValue ?? "") \($0["path"].stringValue ?? "")" }
  }

  static func migrated(_ sim: SimProcess) -> [String: JSON] {
    var out: [String: JSON] = [:]
    for item in sim.json(["kcds.kcd.dev", "-A"])["items"].arrayValue ?? [] {
      out["\(item["metadata"]["namespace"].stringValue ?? "")/\(item["metadata"]["name"].stringValue ?? "")"] = item
    }
    return out
  }

  /// kcd follows what was migrated: a push rolls myapp out, and the KCD that names a version
  /// ConfigMap (kcd upgrading itself) is accepted too. kcd stops when this returns.
  static func follow(_ sim: SimProcess) throws {
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = try kcd.push(repository: "123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/cvm-example", tag: "demo", version: "8f3e21c")
    func image() -> String {
      (try? sim.kubectl(Kubectl.machine, ["get", "deploy", "myapp", "-o", "jsonpath={.spec.template.spec.containers[0].image}"]).stdout) ?? ""
    }
    #expect(eventually(timeout: 60) { image() == "123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/cvm-example:8f3e21c@\(digest)" },
            "\(image()) \(kcd.child.errorOutput.suffix(2000))")
    #expect(eventually(timeout: 30) { migrated(sim)["default/myappcv"]?["status"]["currStatus"] == "Success" })
    #expect(eventually(timeout: 30) {
      let ready = (migrated(sim)["kube-system/kcdkcd"]?["status"]["conditions"].arrayValue ?? []).first { $0["type"] == "Ready" }
      return ready?["reason"] == "NoRolloutYet"
    })
  }

  static let names = ["default/myappcv", "photos/photos-cv", "kube-system/kcdkcd"]

  @Test("dry run, migration, a second run, kcd following the result, and a differing object left alone")
  func migrates() throws {
    let sim = try SimProcess()
    try sim.apply([SpineEndToEndTests.crd, Self.fixture("crd.yaml"), Self.fixture("workloads.yaml"), Self.fixture("kcds.yaml")])
    let original = try sim.kubectl(Kubectl.machine, ["get", "kcds.custom.k8s.io", "myappcv", "-o", "jsonpath={.status.successVersion}"])
    #expect(original.stdout == "55d19ef4b0f2c05a1e86f89f551baa695bfe16e4", "the original's status is part of its object: \(original)")
    let before = try Self.kcdWrites(sim)

    // The dry run prints the plan and writes nothing.
    var r = try Self.migrate(sim, ["--dry-run"])
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.hasPrefix("Dry run: nothing was written."), "\(r)")
    #expect(Self.actions(r.stdout) == Dictionary(uniqueKeysWithValues: Self.names.map { ($0, "would create") }), "\(r)")
    #expect(r.stdout.contains("unknown field spec.checkFrequency not copied"), "\(r)")
    #expect(try Self.kcdWrites(sim) == before)
    #expect(Self.migrated(sim).isEmpty)

    // The real run creates all three, with the status the original recorded.
    r = try Self.migrate(sim)
    #expect(r.status == 0, "\(r)")
    #expect(Self.actions(r.stdout) == Dictionary(uniqueKeysWithValues: Self.names.map { ($0, "created") }), "\(r)")
    #expect(!r.stdout.contains("will not roll this out"), "every original field is implemented: \(r)")
    let created = Self.migrated(sim)
    #expect(Set(created.keys) == Set(Self.names))
    let myapp = created["default/myappcv"] ?? .null
    #expect(myapp["metadata"]["labels"]["app"] == "myapp")
    #expect(myapp["spec"]["imageRepo"] == "123456789012.dkr.ecr.us-east-1.amazonaws.com/nearmap/cvm-example")
    #expect(myapp["spec"]["selector"] == ["kcdapp": "myapp"] && myapp["spec"]["container"]["name"] == "myapp")
    #expect(myapp["spec"]["pollIntervalSeconds"] == 300 && myapp["spec"]["rollback"]["enabled"] == false)
    #expect(myapp["status"]["currVersion"] == "55d19ef4b0f2c05a1e86f89f551baa695bfe16e4", "\(myapp)")
    #expect(myapp["status"]["successVersion"] == "55d19ef4b0f2c05a1e86f89f551baa695bfe16e4")
    #expect(created["photos/photos-cv"]?["spec"]["checkFrequency"] == .null)
    #expect(created["kube-system/kcdkcd"]?["spec"]["config"] == ["name": "kcd", "key": "version"])
    let afterFirst = try Self.kcdWrites(sim)
    #expect(afterFirst.count == before.count + 4, "three creates and one status write: \(afterFirst.dropFirst(before.count))")

    // A second run changes nothing.
    r = try Self.migrate(sim)
    #expect(r.status == 0, "\(r)")
    #expect(Self.actions(r.stdout) == Dictionary(uniqueKeysWithValues: Self.names.map { ($0, "unchanged") }), "\(r)")
    #expect(try Self.kcdWrites(sim) == afterFirst)

    try Self.follow(sim)

    // An existing kcd.dev/v1 object that differs is reported and left as it is.
    let patched = try sim.kubectl(Kubectl.machine, ["patch", "kcds.kcd.dev", "photos-cv", "-n", "photos", "--type", "merge", "-p", #"{"spec":{"tag":"env-prod"}}"#])
    #expect(patched.status == 0, "\(patched)")
    let beforeDiff = try Self.kcdWrites(sim).filter { $0.contains("photos-cv") }
    r = try Self.migrate(sim, ["--namespace", "photos"])
    #expect(r.status == 1, "\(r)")
    #expect(Self.actions(r.stdout) == ["photos/photos-cv": "differs"], "\(r)")
    #expect(r.stdout.contains("differs in spec.tag; left unchanged"), "\(r)")
    #expect(r.stderr.contains("1 of 1 KCDs not migrated"), "\(r)")
    #expect(Self.migrated(sim)["photos/photos-cv"]?["spec"]["tag"] == "env-prod")
    #expect(try Self.kcdWrites(sim).filter { $0.contains("photos-cv") } == beforeDiff)
  }

  @Test("a cluster without the original CRD has nothing to migrate")
  func nothingToMigrate() throws {
    let sim = try SimProcess()
    let r = try Self.migrate(sim, ["--dry-run"])
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("Nothing to migrate"), "\(r)")
  }
}
