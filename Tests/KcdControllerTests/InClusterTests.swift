import KcdCore
import KcdJSON
import KcdTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `kcd run` as a pod runs it: no kubeconfig, `KUBERNETES_SERVICE_HOST/PORT`, and the service
/// account's token, CA and namespace at /var/run/secrets/kubernetes.io/serviceaccount (here a
/// private mount namespace puts a test folder there, so the machine's own /run is untouched).
@Suite(.timeLimit(.minutes(3)))
struct InClusterTests {
  @Test("in-cluster mode: the service host and port, the CA file, the namespace file (the Lease lives there), and a rotated token file re-read after a 401")
  func inCluster() throws {
    let sim = try SpineEndToEndTests.cluster()
    let account = sim.directory + "/serviceaccount"
    _ = try Subprocess.run(["mkdir", "-p", account])
    TestEnvironment.write(sim.token, to: account + "/token")
    let kubeconfig = TestEnvironment.read(sim.kubeconfig) ?? ""
    let caData = kubeconfig.split(separator: "\n").first { $0.contains("certificate-authority-data:") }.map { String($0.split(separator: ":").last ?? "").filter { $0 != " " } }
    let ca = try #require(caData.flatMap { Base64.decode($0) })
    TestEnvironment.write(String(decoding: ca, as: UTF8.self), to: account + "/ca.crt")
    TestEnvironment.write("shop", to: account + "/namespace")
    let hooks = sim.directory + "/hooks"
    _ = try Subprocess.run(["mkdir", "-p", hooks])
    let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    TestEnvironment.write(secret + "\n", to: hooks + "/ci")
    let home = sim.directory + "/home"
    _ = try Subprocess.run(["mkdir", "-p", home])

    // A private mount namespace with its own /run holding the service account folder.
    let script = """
      mount -t tmpfs tmpfs /run && mkdir -p /run/secrets/kubernetes.io && ln -s "$0" /run/secrets/kubernetes.io/serviceaccount && exec "$@"
      """
    let kcd = try Child(["unshare", "--mount", "/bin/sh", "-c", script, account, TestEnvironment.kcdBinary, "run", "--hooks-addr", "127.0.0.1:0",
                         "--api-addr", "127.0.0.1:0", "--hooks-secret-dir", hooks, "--log-format", "json", "--leader-elect"],
                        environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(sim.port), "KUBECONFIG": "", "HOME": home,
                                      "HOSTNAME": "kcd-pod-0"])
    defer {
      kcd.kill(signal: SIGTERM)
      _ = kcd.wait(timeout: 10)
    }
    #expect(kcd.waitForOutput(containing: "kcd listening", timeout: 30), "\(kcd.output) \(kcd.errorOutput)")
    let line = kcd.output.split(separator: "\n").first { $0.contains("kcd listening") } ?? ""
    let ports = line.split(separator: ":").compactMap { Int($0.prefix { $0.isNumber }) }
    let hooksPort = ports.first ?? 0
    let apiPort = ports.dropFirst().first ?? 0
    #expect(eventually(timeout: 30) { (try? Subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "http://127.0.0.1:\(apiPort)/readyz"]).stdout) == "200" },
            "\(kcd.errorOutput.suffix(2000))")
    #expect(eventually(timeout: 10) {
      (try? sim.kubectl(Kubectl.machine, ["get", "lease", "kcd", "-n", "shop", "-o", "jsonpath={.spec.holderIdentity}"]).stdout.hasPrefix("kcd-pod-0_")) == true
    }, "the Lease is in the namespace the service account names, held by the pod")

    func push(_ version: String) throws -> String {
      let digest = randomDigest()
      let sent = try Subprocess.run([TestEnvironment.kcdBinary, "hooks", "send", "--url", "http://127.0.0.1:\(hooksPort)/hooks/ci", "--secret-file", hooks + "/ci",
                                     "--repository", "registry.example/shop/web", "--tag", "main", "--digest", digest, "--version", version], timeout: 60)
      #expect(sent.status == 0 && sent.stdout.contains("202"), "\(sent)")
      #expect(eventually { SpineEndToEndTests.kcdStatus(sim)["currDigest"].stringValue == digest && SpineEndToEndTests.kcdStatus(sim)["currStatus"] == "Success" },
              "\(SpineEndToEndTests.kcdStatus(sim)) \(kcd.errorOutput.suffix(2000))")
      return digest
    }
    _ = try push("1111111")

    // The projected token rotates: the server takes only the new one, the kubelet rewrites the file.
    // (The test's own kubectl moves to a token of its own, so kcd's old one is refused.)
    let old = sim.token
    _ = try sim.control("PUT", "/_sim/token", #"{"tokens":["rotated-service-account-token","test-admin-token"]}"#)
    TestEnvironment.write(kubeconfig.split(separator: "\n", omittingEmptySubsequences: false).map { $0.contains(old) ? "    token: test-admin-token" : String($0) }
      .joined(separator: "\n"), to: sim.kubeconfig)
    TestEnvironment.write("rotated-service-account-token", to: account + "/token")
    let digest = try push("2222222")
    #expect(SpineEndToEndTests.image(sim).hasSuffix("@\(digest)"))
  }
}
