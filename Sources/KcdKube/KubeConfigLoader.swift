import KcdCore
import KcdHTTP
import KcdJSON
import KcdYAML

/// A kubeconfig or in-cluster configuration that cannot be used; the message says which file
/// and field, and what to change.
public struct KubeConfigError: Error, Sendable, CustomStringConvertible {
  public let message: String
  public init(_ message: String) { self.message = message }
  public var description: String { message }
}

/// Resolves how to reach the API server, as clientcmd does: `--kubeconfig`, else `$KUBECONFIG`
/// (several files separated by `:`, merged, the first file that defines a name wins), else
/// `~/.kube/config`, else the in-cluster service account.
public enum KubeConfigLoader {
  public static let serviceAccountDirectory = "/var/run/secrets/kubernetes.io/serviceaccount"

  /// The pod's own namespace: `POD_NAMESPACE`, else the service account's namespace file; nil
  /// outside a cluster.
  public static func podNamespace(environment: [String: String] = ProcessRunner.currentEnvironment()) -> String? {
    if let ns = environment["POD_NAMESPACE"], !ns.isEmpty { return ns }
    return serviceAccountNamespace(directory: serviceAccountDirectory)
  }

  /// The namespace file of a service account folder, if there is one.
  static func serviceAccountNamespace(directory: String) -> String? {
    guard let bytes = try? FileIO.read(directory + "/namespace", limit: 1024) else { return nil }
    let ns = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
    return ns.isEmpty ? nil : ns
  }

  public static func load(kubeconfig: String?, context: String?, environment: [String: String] = ProcessRunner.currentEnvironment()) throws(KubeConfigError) -> KubeConnection {
    var paths: [String] = []
    if let k = kubeconfig, !k.isEmpty {
      paths = [k]
    } else if let list = environment["KUBECONFIG"], !list.isEmpty {
      paths = list.split(separator: ":").map(String.init).filter { FileIO.exists($0) }
    } else if let home = environment["HOME"], FileIO.exists(home + "/.kube/config") {
      paths = [home + "/.kube/config"]
    }
    if paths.isEmpty {
      if environment["KUBERNETES_SERVICE_HOST"] != nil { return try inCluster(environment: environment) }
      throw KubeConfigError("no kubeconfig found: pass --kubeconfig, set KUBECONFIG, or run in a cluster")
    }
    var documents: [(path: String, config: JSON)] = []
    for path in paths {
      let bytes: [UInt8]
      do { bytes = try FileIO.read(path, limit: 4 << 20) } catch { throw KubeConfigError("cannot read kubeconfig \(path): \(error)") }
      do {
        documents.append((path, try YAML.parse(String(decoding: bytes, as: UTF8.self))))
      } catch {
        throw KubeConfigError("kubeconfig \(path): \(error)")
      }
    }
    return try resolve(documents, context: context)
  }

  /// Merged view of several kubeconfig documents.
  struct Merged {
    var clusters: [String: (JSON, String)] = [:]
    var users: [String: (JSON, String)] = [:]
    var contexts: [String: (JSON, String)] = [:]
    var currentContext: String?
  }

  static func merge(_ documents: [(path: String, config: JSON)]) -> Merged {
    var m = Merged()
    for (path, config) in documents {
      let dir = FileIO.directory(of: path)
      for (list, field) in [("clusters", "cluster"), ("users", "user"), ("contexts", "context")] {
        for entry in config[list].arrayValue ?? [] {
          guard let name = entry["name"].stringValue else { continue }
          switch list {
          case "clusters": if m.clusters[name] == nil { m.clusters[name] = (entry[field], dir) }
          case "users": if m.users[name] == nil { m.users[name] = (entry[field], dir) }
          default: if m.contexts[name] == nil { m.contexts[name] = (entry[field], dir) }
          }
        }
      }
      if m.currentContext == nil, let c = config["current-context"].stringValue, !c.isEmpty { m.currentContext = c }
    }
    return m
  }

  static func resolve(_ documents: [(path: String, config: JSON)], context override: String?) throws(KubeConfigError) -> KubeConnection {
    let merged = merge(documents)
    guard let contextName = (override?.isEmpty == false ? override : nil) ?? merged.currentContext else {
      throw KubeConfigError("kubeconfig has no current-context; pass --context")
    }
    guard let (context, _) = merged.contexts[contextName] else { throw KubeConfigError("context \"\(contextName)\" is not in the kubeconfig") }
    guard let clusterName = context["cluster"].stringValue, let (cluster, clusterDir) = merged.clusters[clusterName] else {
      throw KubeConfigError("context \"\(contextName)\" names a cluster that is not in the kubeconfig")
    }
    guard let server = cluster["server"].stringValue, server.hasPrefix("https://") || server.hasPrefix("http://") else {
      throw KubeConfigError("cluster \"\(clusterName)\" has no https:// or http:// server")
    }
    var tls = TLSClientOptions()
    let insecure = cluster["insecure-skip-tls-verify"].boolValue == true
    if let data = cluster["certificate-authority-data"].stringValue {
      guard let pem = Base64.decode(data) else { throw KubeConfigError("cluster \"\(clusterName)\": certificate-authority-data is not base64") }
      tls.caPEM = pem
    } else if let file = cluster["certificate-authority"].stringValue {
      tls.caFile = FileIO.resolve(file, relativeTo: clusterDir)
    }
    if insecure && (tls.caPEM != nil || tls.caFile != nil) {
      throw KubeConfigError("cluster \"\(clusterName)\": certificate-authority and insecure-skip-tls-verify cannot both be set")
    }
    tls.insecureSkipVerify = insecure
    if cluster["tls-server-name"].stringValue != nil { throw KubeConfigError("cluster \"\(clusterName)\": tls-server-name is not supported") }
    if cluster["proxy-url"].stringValue != nil { throw KubeConfigError("cluster \"\(clusterName)\": proxy-url is not supported") }

    var credentials = Credentials(.none)
    if let userName = context["user"].stringValue, !userName.isEmpty {
      guard let (user, userDir) = merged.users[userName] else { throw KubeConfigError("context \"\(contextName)\" names a user that is not in the kubeconfig") }
      for unsupported in ["auth-provider", "username", "password", "as", "as-groups", "as-uid"] where !user[unsupported].isNull {
        throw KubeConfigError("user \"\(userName)\": \(unsupported) is not supported; use a token, tokenFile, client certificate or an exec plugin")
      }
      if let data = user["client-certificate-data"].stringValue {
        guard let pem = Base64.decode(data) else { throw KubeConfigError("user \"\(userName)\": client-certificate-data is not base64") }
        tls.clientCertificatePEM = pem
      } else if let file = user["client-certificate"].stringValue {
        tls.clientCertificateFile = FileIO.resolve(file, relativeTo: userDir)
      }
      if let data = user["client-key-data"].stringValue {
        guard let pem = Base64.decode(data) else { throw KubeConfigError("user \"\(userName)\": client-key-data is not base64") }
        tls.clientKeyPEM = pem
      } else if let file = user["client-key"].stringValue {
        tls.clientKeyFile = FileIO.resolve(file, relativeTo: userDir)
      }
      if let token = user["token"].stringValue, !token.isEmpty {
        credentials = Credentials(.token(token))
      } else if let file = user["tokenFile"].stringValue, !file.isEmpty {
        credentials = Credentials(.tokenFile(FileIO.resolve(file, relativeTo: userDir)))
      } else if case .object = user["exec"] {
        credentials = Credentials(.exec(try execPlugin(user["exec"], user: userName, server: server, directory: userDir)))
      }
    }
    let namespace = context["namespace"].stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "default"
    return KubeConnection(server: server, tls: tls, credentials: credentials, namespace: namespace)
  }

  static func execPlugin(_ exec: JSON, user: String, server: String, directory: String) throws(KubeConfigError) -> Credentials.ExecPlugin {
    guard let apiVersion = exec["apiVersion"].stringValue,
      ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"].contains(apiVersion)
    else { throw KubeConfigError("user \"\(user)\": exec apiVersion must be client.authentication.k8s.io/v1 or v1beta1") }
    guard var command = exec["command"].stringValue, !command.isEmpty else { throw KubeConfigError("user \"\(user)\": exec has no command") }
    if command.contains("/") { command = FileIO.resolve(command, relativeTo: directory) }
    if apiVersion.hasSuffix("/v1"), exec["interactiveMode"].isNull {
      throw KubeConfigError("user \"\(user)\": exec interactiveMode is required for client.authentication.k8s.io/v1")
    }
    if exec["interactiveMode"].stringValue == "Always" {
      throw KubeConfigError("user \"\(user)\": exec interactiveMode Always needs a terminal, which kcd does not have")
    }
    var env: [String: String] = [:]
    for e in exec["env"].arrayValue ?? [] {
      if let n = e["name"].stringValue { env[n] = e["value"].stringValue ?? "" }
    }
    return Credentials.ExecPlugin(apiVersion: apiVersion, command: command, args: exec["args"].arrayValue?.compactMap(\.stringValue) ?? [], env: env,
                                  provideClusterInfo: exec["provideClusterInfo"].boolValue == true, clusterServer: server)
  }

  /// In a pod: `KUBERNETES_SERVICE_HOST/PORT`, the service-account token (re-read every
  /// minute) and CA. A missing CA fails closed.
  public static func inCluster(environment: [String: String], directory: String = serviceAccountDirectory) throws(KubeConfigError) -> KubeConnection {
    guard let host = environment["KUBERNETES_SERVICE_HOST"], let port = environment["KUBERNETES_SERVICE_PORT"] else {
      throw KubeConfigError("not running in a cluster: KUBERNETES_SERVICE_HOST/PORT are not set")
    }
    let hostPart = host.contains(":") ? "[\(host)]" : host
    guard FileIO.exists(directory + "/token") else { throw KubeConfigError("no service account token at \(directory)/token") }
    guard let ca = try? FileIO.read(directory + "/ca.crt") else { throw KubeConfigError("no service account CA at \(directory)/ca.crt") }
    var tls = TLSClientOptions()
    tls.caPEM = ca
    let namespace = serviceAccountNamespace(directory: directory) ?? "default"
    return KubeConnection(server: "https://\(hostPart):\(port)", tls: tls, credentials: Credentials(.tokenFile(directory + "/token")), namespace: namespace)
  }
}
