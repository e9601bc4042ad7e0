import KcdJSON
import KcdTestSupport
import Testing

/// `hooks/ci/kcd-callback.sh` (sh + openssl + curl) is what a CI without kcd's binary runs:
/// it must get a 202 from a real kcd and roll the Deployment out.
@Suite(.timeLimit(.minutes(3)))
struct CallbackScriptTests {
  @Test("the curl + openssl script gets a 202 and the rollout happens")
  func script() throws {
    let sim = try SpineEndToEndTests.cluster()
    let kcd = try KcdProcess(kubeconfig: sim.kubeconfig, directory: sim.directory)
    let digest = randomDigest()
    let script = TestEnvironment.packageRoot + "/hooks/ci/kcd-callback.sh"
    let r = try Subprocess.run(["sh", script, "registry.example/shop/web", "main", digest, "feed123"],
                               environment: ["KCD_URL": "http://127.0.0.1:\(kcd.hooksPort)", "KCD_SECRET_FILE": kcd.secretFile])
    #expect(r.status == 0, "\(r)")
    let answer = try JSON.parse(r.stdout)
    #expect(answer["accepted"][0]["kcd"] == "shop/web", "\(r)")
    #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currDigest"].stringValue == digest && SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" })
    #expect(SpineEndToEndTests.image(sim) == "registry.example/shop/web:feed123@\(digest)")

    // A wrong key: 401, exit 1, nothing recorded.
    let wrongKey = sim.directory + "/wrong.key"
    TestEnvironment.write("whsec_" + "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB", to: wrongKey)
    let bad = try Subprocess.run(["sh", script, "registry.example/shop/web", "main", randomDigest()],
                                 environment: ["KCD_URL": "http://127.0.0.1:\(kcd.hooksPort)", "KCD_SECRET_FILE": wrongKey])
    #expect(bad.status == 1 && bad.stderr.contains("401"), "\(bad)")
  }
}
