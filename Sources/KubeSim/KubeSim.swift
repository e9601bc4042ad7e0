import KcdCore
import KcdHTTP
import KcdJSON

/// A running simulated cluster: object store, API, workload simulator and HTTP listener.
/// `kcd sim`, `kcd demo` and the tests all start one of these.
public final class KubeSim: Sendable {
  public struct Options: Sendable {
    /// `host:port`; port 0 picks a free one.
    public var listen = "127.0.0.1:0"
    /// The bearer token clients must present.
    public var token: String
    public var serverMinorVersion = "30"
    public var historyLimit = 10_000
    public var serveV1beta1CronJobs = false
    public var simulator = WorkloadSimulator.Options()
    /// Serve HTTPS with a certificate from a CA made at start (kubectl sends tokens only over TLS).
    public var tls = true
    /// Accept requests that carry no credentials (wrong credentials still get 401).
    public var allowAnonymous = false
    public init(token: String = KubeSim.randomToken()) { self.token = token }
  }

  public let store: ObjectStore
  public let api: KubeSimAPI
  public let simulator: WorkloadSimulator
  public let server: HTTPServer
  public let token: String
  /// The CA that signed the serving certificate (nil for plain HTTP).
  public let certificateAuthority: TLSIdentity?

  public init(options: Options = Options()) throws(KubeSimError) {
    var config = HTTPServerConfiguration(address: options.listen)
    config.maximumBodyBytes = 3 << 20
    config.idleTimeout = 600
    config.maximumConnections = 4096
    do throws(TLSError) {
      if options.tls {
        let ca = try TLSIdentity.certificateAuthority(commonName: "kubesim-ca")
        let leaf = try TLSIdentity.leaf(commonName: "kubesim", subjectAltNames: ["IP:127.0.0.1", "IP:::1", "DNS:localhost"], issuer: ca)
        config.tls = try TLSServerContext(identity: leaf)
        certificateAuthority = ca
      } else {
        certificateAuthority = nil
      }
    } catch {
      throw KubeSimError(message: error.message)
    }
    let version = EmulatedVersion(minor: Int(options.serverMinorVersion) ?? 30, forceBatchV1beta1: options.serveV1beta1CronJobs)
    store = ObjectStore(historyLimit: options.historyLimit, version: version)
    let caPEM = certificateAuthority?.certificateChainPEM ?? ""
    store.addAuthenticationConfigMap(clientCAPEM: caPEM)
    api = KubeSimAPI(store: store, token: options.token, serverMinorVersion: options.serverMinorVersion)
    var simulatorOptions = options.simulator
    if simulatorOptions.rootCAPEM.isEmpty { simulatorOptions.rootCAPEM = caPEM }
    simulator = WorkloadSimulator(store: store, options: simulatorOptions)
    token = options.token
    api.allowAnonymous = options.allowAnonymous
    do {
      server = try HTTPServer(configuration: config, handler: api)
    } catch {
      throw KubeSimError(message: "cannot listen on \(options.listen): \(error)")
    }
    registerSimulatorControls()
    simulator.start()
  }

  public var port: Int { server.port }

  /// `https://127.0.0.1:PORT` (or http when TLS is off)
  public var url: String { "\(certificateAuthority == nil ? "http" : "https")://127.0.0.1:\(port)" }

  public func stop() {
    simulator.stop()
    server.shutdown(grace: 1)
  }

  /// A kubeconfig that kubectl, the Python client and `kcd run` use as is.
  public func kubeconfig(context: String = "kubesim", namespace: String = "default") -> String {
    """
    apiVersion: v1
    kind: Config
    clusters:
    - name: \(context)
      cluster:
        server: \(url)\(certificateAuthority.map { "\n    certificate-authority-data: " + Base64.encode(Array($0.certificateChainPEM.utf8)) } ?? "")
    users:
    - name: \(context)
      user:
        token: \(token)
    contexts:
    - name: \(context)
      context:
        cluster: \(context)
        user: \(context)
        namespace: \(namespace)
    current-context: \(context)
    preferences: {}

    """
  }

  public static func randomToken() -> String { "kubesim-" + Identifiers.suffix(24) }

  func registerSimulatorControls() {
    let simulator = self.simulator
    api.addControlRoute("PUT /_sim/time-scale") { request in
      guard let body = try? JSON.parse(request.body), let scale = body["scale"].doubleValue, scale > 0 else {
        return KubeSimAPI.failure(.badRequest("scale must be a positive number"))
      }
      simulator.timeScale = scale
      return .json(200, ["ok": true])
    }
    api.addControlRoute("POST /_sim/advance") { request in
      guard let body = try? JSON.parse(request.body), let seconds = body["seconds"].doubleValue, seconds >= 0 else {
        return KubeSimAPI.failure(.badRequest("seconds must be a non-negative number"))
      }
      simulator.advance(seconds: seconds)
      return .json(200, ["ok": true, "simulatedNow": .double(simulator.simulatedNow)])
    }
    api.addControlRoute("POST /_sim/cronjobs/trigger") { request in
      guard let body = try? JSON.parse(request.body), let ns = body["namespace"].stringValue, let name = body["name"].stringValue else {
        return KubeSimAPI.failure(.badRequest("give namespace and name"))
      }
      do throws(StatusError) { return .json(201, try simulator.triggerCronJob(namespace: ns, name: name)) } catch { return KubeSimAPI.failure(error) }
    }
  }
}

/// KubeSim could not start (port taken, certificate generation failed).
public struct KubeSimError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public var description: String { message }
}
