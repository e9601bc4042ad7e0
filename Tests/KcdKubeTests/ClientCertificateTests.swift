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

/// Client-certificate authentication through Debian's nginx as a TLS proxy that requires a
/// client certificate signed by its CA, in front of a plain-HTTP KubeSim.
@Suite(.timeLimit(.minutes(2)))
struct ClientCertificateTests {
  static func freePort() -> Int {
    let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(s) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) } }
    return Int(UInt16(bigEndian: addr.sin_port))
  }

  @Test("a client certificate from the kubeconfig gets through; no certificate does not")
  func clientCertificate() throws {
    var options = KubeSim.Options()
    options.tls = false
    let sim = try KubeSim(options: options)
    defer { sim.stop() }
    let dir = TestEnvironment.makeTemporaryDirectory("nginx")
    chmod(dir, 0o755)
    let ca = try TLSIdentity.certificateAuthority(commonName: "proxy-ca")
    let server = try TLSIdentity.leaf(commonName: "proxy", subjectAltNames: ["IP:127.0.0.1"], issuer: ca)
    let client = try TLSIdentity.leaf(commonName: "kcd", subjectAltNames: ["DNS:kcd"], issuer: ca)
    for (name, text) in [("ca.pem", ca.certificateChainPEM), ("server.pem", server.certificateChainPEM), ("server.key", server.privateKeyPEM)] {
      TestEnvironment.write(text, to: "\(dir)/\(name)")
      chmod("\(dir)/\(name)", 0o644)
    }
    let port = Self.freePort()
    TestEnvironment.write("""
      error_log \(dir)/error.log;
      pid \(dir)/nginx.pid;
      events {}
      http {
        access_log off;
        client_body_temp_path \(dir); proxy_temp_path \(dir); fastcgi_temp_path \(dir); uwsgi_temp_path \(dir); scgi_temp_path \(dir);
        server {
          listen 127.0.0.1:\(port) ssl;
          ssl_certificate \(dir)/server.pem;
          ssl_certificate_key \(dir)/server.key;
          ssl_client_certificate \(dir)/ca.pem;
          ssl_verify_client on;
          location / {
            proxy_pass http://127.0.0.1:\(sim.port);
            proxy_http_version 1.1;
            proxy_buffering off;
            proxy_set_header Authorization "Bearer \(sim.token)";
          }
        }
      }
      """, to: "\(dir)/nginx.conf")
    let nginx = try Child(["nginx", "-p", dir, "-c", "\(dir)/nginx.conf", "-g", "daemon off;"])
    defer { nginx.kill(signal: SIGTERM); _ = nginx.wait(timeout: 5) }
    #expect(eventually(timeout: 10) { (try? RawConnection(port: port)) != nil }, "\(nginx.errorOutput) \(TestEnvironment.read(dir + "/error.log") ?? "")")

    let config = """
      apiVersion: v1
      kind: Config
      clusters: [{name: p, cluster: {server: "https://127.0.0.1:\(port)", certificate-authority-data: \(Base64.encode(Array(ca.certificateChainPEM.utf8)))}}]
      users: [{name: k, user: {client-certificate-data: \(Base64.encode(Array(client.certificateChainPEM.utf8))), client-key-data: \(Base64.encode(Array(client.privateKeyPEM.utf8)))}}]
      contexts: [{name: x, context: {cluster: p, user: k}}]
      current-context: x
      """
    TestEnvironment.write(config, to: dir + "/kubeconfig")
    let withCert = KubeClient(connection: try KubeConfigLoader.load(kubeconfig: dir + "/kubeconfig", context: nil))
    #expect(try withCert.list(.namespaces).items.contains { $0["metadata"]["name"] == "default" })

    var noCert = withCert.connection
    noCert.tls.clientCertificatePEM = nil
    noCert.tls.clientKeyPEM = nil
    do {
      _ = try KubeClient(connection: noCert).list(.namespaces)
      Issue.record("nginx must refuse a client without a certificate")
    } catch {
      #expect(error.status == 400, "\(error)")
    }
  }
}
