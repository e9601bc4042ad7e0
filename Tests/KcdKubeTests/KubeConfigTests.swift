import KcdCore
import KcdHTTP
import KcdJSON
import KcdKube
import KcdTestSupport
import KubeSim
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Kubeconfig variants against KubeSim: token, token file with rotation, exec plugins, client
/// certificates through an nginx TLS proxy that requires them, and TLS verification on by default.
@Suite(.timeLimit(.minutes(3)))
struct KubeConfigTests {
  static func write(_ text: String, _ path: String, mode: mode_t = 0o644) {
    TestEnvironment.write(text, to: path)
    chmod(path, mode)
  }

  static func kubeconfig(server: String, cluster: String, user: String) -> String {
    """
    apiVersion: v1
    kind: Config
    clusters:
    - name: c
      cluster:
        server: \(server)
    \(cluster)
    users:
    - name: u
      user:
    \(user)
    contexts:
    - name: ctx
      context: {cluster: c, user: u, namespace: team}
    current-context: ctx
    """
  }

  static func caData(_ sim: KubeSim) -> String {
    "    certificate-authority-data: " + Base64.encode(Array(sim.certificateAuthority!.certificateChainPEM.utf8))
  }

  @Test("token from the kubeconfig, context namespace, CA data")
  func token() throws {
    let sim = try KubeSim()
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write(Self.kubeconfig(server: sim.url, cluster: Self.caData(sim), user: "    token: \(sim.token)"), dir + "/config")
    let connection = try KubeConfigLoader.load(kubeconfig: dir + "/config", context: nil)
    #expect(connection.namespace == "team")
    #expect(try KubeClient(connection: connection).list(.namespaces).items.count >= 4)
  }

  @Test("a token file is re-read after the server rotates the token")
  func tokenFileRotation() throws {
    let sim = try KubeSim()
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write(sim.token, dir + "/token")
    Self.write(Self.kubeconfig(server: sim.url, cluster: Self.caData(sim), user: "    tokenFile: token"), dir + "/config")
    let client = KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/config", context: nil))
    _ = try client.list(.namespaces)
    sim.api.setTokens(["rotated-token"])
    Self.write("rotated-token", dir + "/token")
    // The cached token gets a 401; the client re-reads the file once and succeeds.
    _ = try client.list(.namespaces)
    sim.api.setTokens(["another"])
    #expect(throws: KubeError.self) { _ = try client.list(.namespaces) }
    do { _ = try client.list(.namespaces) } catch { #expect(error.status == 401) }
  }

  @Test("an exec credential plugin is run, cached, and re-run after a 401", arguments: ["client.authentication.k8s.io/v1beta1", "client.authentication.k8s.io/v1"])
  func execPlugin(apiVersion: String) throws {
    let sim = try KubeSim()
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write(sim.token, dir + "/current")
    Self.write("""
      #!/bin/sh
      echo run >> "$(dirname "$0")/runs"
      test -n "$KUBERNETES_EXEC_INFO" || exit 3
      printf '{"kind":"ExecCredential","apiVersion":"%s","status":{"token":"%s"}}' "$PLUGIN_API" "$(cat "$(dirname "$0")/current")"
      """, dir + "/plugin.sh", mode: 0o755)
    let interactive = apiVersion.hasSuffix("/v1") ? "\n      interactiveMode: Never" : ""
    Self.write(Self.kubeconfig(server: sim.url, cluster: Self.caData(sim), user: """
          exec:
            apiVersion: \(apiVersion)
            command: ./plugin.sh
            env: [{name: PLUGIN_API, value: "\(apiVersion)"}]\(interactive)
      """), dir + "/config")
    let client = KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/config", context: nil))
    _ = try client.list(.namespaces)
    _ = try client.list(.namespaces)
    #expect(TestEnvironment.read(dir + "/runs")?.split(separator: "\n").count == 1, "cached without expiry")
    sim.api.setTokens(["fresh"])
    Self.write("fresh", dir + "/current")
    _ = try client.list(.namespaces)
    #expect(TestEnvironment.read(dir + "/runs")?.split(separator: "\n").count == 2, "re-run after the 401")
  }

  @Test("an exec plugin answering another apiVersion is a clear error")
  func execPluginWrongVersion() throws {
    let sim = try KubeSim()
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write("#!/bin/sh\necho '{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1alpha1\",\"status\":{\"token\":\"x\"}}'\n", dir + "/p.sh", mode: 0o755)
    Self.write(Self.kubeconfig(server: sim.url, cluster: Self.caData(sim), user: "    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: ./p.sh}"), dir + "/config")
    let client = KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/config", context: nil))
    do {
      _ = try client.list(.namespaces)
      Issue.record("expected an error")
    } catch {
      #expect(error.message.contains("answered apiVersion client.authentication.k8s.io/v1alpha1"), "\(error)")
    }
  }

  @Test("TLS verification is on unless the kubeconfig turns it off")
  func verification() throws {
    let sim = try KubeSim()
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory()
    let otherCA = try TLSIdentity.certificateAuthority(commonName: "someone-else")
    let wrong = "    certificate-authority-data: " + Base64.encode(Array(otherCA.certificateChainPEM.utf8))
    Self.write(Self.kubeconfig(server: sim.url, cluster: wrong, user: "    token: \(sim.token)"), dir + "/wrong")
    let wrongClient = KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/wrong", context: nil))
    do {
      _ = try wrongClient.list(.namespaces)
      Issue.record("a server signed by another CA must be refused")
    } catch {
      #expect(error.status == 0 && error.message.contains("certificate"), "\(error)")
    }
    Self.write(Self.kubeconfig(server: sim.url, cluster: "", user: "    token: \(sim.token)"), dir + "/none")
    #expect(throws: KubeError.self) { _ = try KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/none", context: nil)).list(.namespaces) }
    Self.write(Self.kubeconfig(server: sim.url, cluster: "    insecure-skip-tls-verify: true", user: "    token: \(sim.token)"), dir + "/insecure")
    _ = try KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/insecure", context: nil)).list(.namespaces)
    Self.write(Self.kubeconfig(server: sim.url, cluster: Self.caData(sim) + "\n    insecure-skip-tls-verify: true", user: "    token: x"), dir + "/both")
    #expect(throws: KubeConfigError.self) { _ = try KubeConfigLoader.load(kubeconfig: dir + "/both", context: nil) }
  }

  @Test("KUBECONFIG merges files: the first to define a name wins; --context overrides")
  func merge() throws {
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write("""
      apiVersion: v1
      kind: Config
      current-context: a
      contexts:
      - {name: a, context: {cluster: one, user: me, namespace: first}}
      clusters:
      - {name: one, cluster: {server: "https://one.example:6443", certificate-authority: ca.pem}}
      users:
      - {name: me, user: {token: from-first}}
      """, dir + "/1")
    Self.write("""
      apiVersion: v1
      kind: Config
      current-context: b
      contexts:
      - {name: b, context: {cluster: two, user: me}}
      clusters:
      - {name: two, cluster: {server: "https://two.example"}}
      - {name: one, cluster: {server: "https://ignored.example"}}
      users:
      - {name: me, user: {token: from-second}}
      """, dir + "/2")
    let env = ["KUBECONFIG": "\(dir)/1:\(dir)/2:\(dir)/missing"]
    let a = try KubeConfigLoader.load(kubeconfig: nil, context: nil, environment: env)
    #expect(a.server == "https://one.example:6443")
    #expect(a.namespace == "first")
    #expect(a.tls.caFile == "\(dir)/ca.pem", "relative paths resolve against their file's folder")
    let b = try KubeConfigLoader.load(kubeconfig: nil, context: "b", environment: env)
    #expect(b.server == "https://two.example")
    #expect(b.namespace == "default")
    #expect(throws: KubeConfigError.self) { _ = try KubeConfigLoader.load(kubeconfig: nil, context: "nope", environment: env) }
  }

  @Test("unsupported or broken kubeconfigs fail with the file and reason")
  func errors() throws {
    let dir = TestEnvironment.makeTemporaryDirectory()
    Self.write("apiVersion: v1\nclusters:\n\t- bad\n", dir + "/tabs")
    do { _ = try KubeConfigLoader.load(kubeconfig: dir + "/tabs", context: nil); Issue.record("expected an error") } catch {
      #expect(error.message.contains(dir + "/tabs") && error.message.contains("line"), "\(error)")
    }
    Self.write(Self.kubeconfig(server: "https://x", cluster: "", user: "    auth-provider: {name: gcp}"), dir + "/legacy")
    #expect(throws: KubeConfigError.self) { _ = try KubeConfigLoader.load(kubeconfig: dir + "/legacy", context: nil) }
    #expect(throws: KubeConfigError.self) { _ = try KubeConfigLoader.load(kubeconfig: dir + "/absent", context: nil) }
  }
}
