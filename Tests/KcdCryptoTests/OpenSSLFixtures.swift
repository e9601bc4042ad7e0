import KcdCore
import KcdCrypto
import KcdTestSupport

struct FixtureError: Error, CustomStringConvertible { let description: String }

/// Keys, certificates and signatures made with the `openssl` CLI when the tests start, so
/// verification is checked against an independent implementation: a root CA, an intermediate,
/// a leaf for `sns.amazonaws.com` (with an AIA issuer URL), an EC key and a 1024-bit RSA key.
final class OpenSSLFixtures: Sendable {
  static let shared: OpenSSLFixtures = {
    do { return try OpenSSLFixtures() } catch { fatalError("cannot make openssl fixtures: \(error)") }
  }()

  let dir: String

  init() throws {
    dir = TestEnvironment.makeTemporaryDirectory("kcd-crypto")
    try run(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "root.key", "-out", "root.pem", "-subj", "/CN=kcd test root", "-days", "30"])
    try FileIO.write("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n", to: dir + "/ca.ext")
    try FileIO.write("subjectAltName=DNS:sns.amazonaws.com\nauthorityInfoAccess=caIssuers;URI:http://crt.test.amazontrust.com/int.der\nbasicConstraints=CA:FALSE\n", to: dir + "/leaf.ext")
    try issue("int", subject: "/CN=kcd test intermediate", by: "root", extensions: "ca.ext", serial: "2")
    try issue("leaf", subject: "/CN=sns.amazonaws.com", by: "int", extensions: "leaf.ext", serial: "3")
    try run(["x509", "-in", "int.pem", "-outform", "DER", "-out", "int.der"])
    try run(["rsa", "-in", "leaf.key", "-pubout", "-out", "leaf.pub"])
    try run(["genrsa", "-out", "small.key", "1024"])
    try run(["rsa", "-in", "small.key", "-pubout", "-out", "small.pub"])
    try run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec.key"])
    try run(["ec", "-in", "ec.key", "-pubout", "-out", "ec.pub"])
  }

  func issue(_ name: String, subject: String, by issuer: String, extensions: String, serial: String) throws {
    try run(["req", "-newkey", "rsa:2048", "-nodes", "-keyout", "\(name).key", "-out", "\(name).csr", "-subj", subject])
    try run(["x509", "-req", "-in", "\(name).csr", "-CA", "\(issuer).pem", "-CAkey", "\(issuer).key", "-set_serial", serial,
             "-out", "\(name).pem", "-days", "30", "-extfile", extensions])
  }

  @discardableResult
  func run(_ args: [String]) throws -> String {
    let result = try Subprocess.run(["openssl"] + args, directory: dir)
    guard result.status == 0 else { throw FixtureError(description: "openssl \(args.first ?? ""): \(result)") }
    return result.stdout
  }

  func text(_ name: String) -> String { String(decoding: bytes(name), as: UTF8.self) }
  func bytes(_ name: String) -> [UInt8] { (try? FileIO.read(dir + "/" + name)) ?? [] }

  /// `openssl dgst -<hash> -sign <key>` over the message.
  func sign(_ message: String, key: String = "leaf.key", hash: String = "sha256") throws -> [UInt8] {
    let name = "msg-" + Digest.hex(SecureRandom.bytes(8))
    try FileIO.write(message, to: dir + "/" + name)
    try run(["dgst", "-\(hash)", "-sign", key, "-out", name + ".sig", name])
    return bytes(name + ".sig")
  }

  /// The big-endian modulus of an RSA key (`openssl rsa -modulus`).
  func modulus(_ key: String) throws -> [UInt8] {
    let out = try run(["rsa", "-in", key, "-noout", "-modulus"])
    guard let eq = out.firstIndex(of: "="), let n = Digest.fromHex(String(out[out.index(after: eq)...].filter { !$0.isWhitespace })) else {
      throw FixtureError(description: "no modulus")
    }
    return n
  }
}
