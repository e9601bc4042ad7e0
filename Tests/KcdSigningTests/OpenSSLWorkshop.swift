import KcdCore
import KcdTestSupport

/// Keys, certificates and signatures made by the `openssl` command line in a scratch folder,
/// so test material never comes from the code under test.
final class OpenSSLWorkshop: @unchecked Sendable {
  let directory: String
  private var counter = 0

  init() throws {
    guard Tools.path("openssl") != nil else { throw TestFailure("openssl is not installed") }
    directory = TestEnvironment.makeTemporaryDirectory("kcd-signing")
  }

  deinit { _ = try? Subprocess.run(["rm", "-rf", directory]) }

  /// A key pair: `key` is the private key file, `publicPEM` the PEM `PUBLIC KEY`.
  struct Key {
    let file: String
    let publicPEM: String
    let isEd25519: Bool
    var publicDER: [UInt8] { PEM.der(publicPEM) }
  }

  struct CertificateFile {
    let file: String
    let pem: String
    var der: [UInt8] { PEM.der(pem) }
  }

  @discardableResult
  func openssl(_ args: [String]) throws -> ProcessResult {
    let r = try Subprocess.run(["openssl"] + args, timeout: 60, directory: directory)
    guard r.status == 0 else { throw TestFailure("openssl \(args.joined(separator: " ")) failed: \(r)") }
    return r
  }

  func next(_ prefix: String) -> String {
    counter += 1
    return "\(prefix)-\(counter)"
  }

  /// `kind`: "ec" (P-256), "rsa" (2048 bits), "ed25519", or "ec384" (a curve kcd refuses).
  func key(_ kind: String = "ec") throws -> Key {
    let name = next("key")
    switch kind {
    case "ec": try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", "\(name).pem"])
    case "ec384": try openssl(["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384", "-out", "\(name).pem"])
    case "rsa": try openssl(["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", "\(name).pem"])
    default: try openssl(["genpkey", "-algorithm", "ED25519", "-out", "\(name).pem"])
    }
    let pub = try openssl(["pkey", "-in", "\(name).pem", "-pubout"]).stdout
    return Key(file: "\(name).pem", publicPEM: pub, isEd25519: kind == "ed25519")
  }

  /// The DER signature of `message`: ECDSA/RSA over SHA-256, Ed25519 over the message.
  func sign(_ message: [UInt8], with key: Key) throws -> [UInt8] {
    let name = next("msg")
    guard TestEnvironment.writeBytes(message, to: "\(directory)/\(name)") else { throw TestFailure("cannot write \(name)") }
    if key.isEd25519 {
      try openssl(["pkeyutl", "-sign", "-rawin", "-inkey", key.file, "-in", name, "-out", "\(name).sig"])
    } else {
      try openssl(["dgst", "-sha256", "-sign", key.file, "-out", "\(name).sig", name])
    }
    guard let signature = TestEnvironment.readBytes("\(directory)/\(name).sig") else { throw TestFailure("cannot read \(name).sig") }
    return signature
  }

  /// A self-signed CA certificate valid from now for `days`.
  func rootCA(_ key: Key, name: String, days: Int = 3650) throws -> CertificateFile {
    let file = next("root") + ".pem"
    try openssl(["req", "-x509", "-new", "-key", key.file, "-subj", "/O=kcd-test/CN=\(name)", "-days", String(days), "-sha256",
                 "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", file])
    return CertificateFile(file: file, pem: try read(file))
  }

  /// A certificate for `key` signed by `issuer`, with extension lines (x509v3_config syntax).
  func issue(_ key: Key, subject: String, issuer: CertificateFile, issuerKey: Key, extensions: [String], days: Int = 1) throws -> CertificateFile {
    let name = next("cert")
    try openssl(["req", "-new", "-key", key.file, "-subj", subject, "-out", "\(name).csr"])
    TestEnvironment.write(extensions.joined(separator: "\n") + "\n", to: "\(directory)/\(name).ext")
    try openssl(["x509", "-req", "-in", "\(name).csr", "-CA", issuer.file, "-CAkey", issuerKey.file, "-CAcreateserial",
                 "-days", String(days), "-sha256", "-extfile", "\(name).ext", "-out", "\(name).pem"])
    return CertificateFile(file: "\(name).pem", pem: try read("\(name).pem"))
  }

  /// An intermediate CA (path length 0) under `issuer`.
  func intermediateCA(_ key: Key, name: String, issuer: CertificateFile, issuerKey: Key) throws -> CertificateFile {
    try issue(key, subject: "/O=kcd-test/CN=\(name)", issuer: issuer, issuerKey: issuerKey, extensions: [
      "basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign", "extendedKeyUsage=codeSigning",
    ], days: 3650)
  }

  func read(_ file: String) throws -> String {
    guard let text = TestEnvironment.read("\(directory)/\(file)") else { throw TestFailure("cannot read \(file)") }
    return text
  }
}

/// PEM bodies decoded to DER (a PEM block is base64 of the DER between its armour lines).
enum PEM {
  static func der(_ pem: String) -> [UInt8] {
    let body = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
    return Base64.decode(body) ?? []
  }
}
