import KcdCore
import KcdHTTP
import KcdHooks
import KcdJSON
import KcdKube
import KcdTestSupport
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The real `kcd` binary: help, exit codes (0 success, 1 failure, 2 usage), `kcd version`, and
/// `kcd hooks sign|send` against a scripted local HTTP server.
@Suite(.timeLimit(.minutes(3)))
struct CLITests {
  static let keyA = "whsec_" + Base64.encode(Array("first key of 24 bytes!!!".utf8))
  static let keyB = "whsec_" + Base64.encode(Array("second key, 24 bytes too".utf8))
  static let digest = "sha256:" + String(repeating: "e", count: 64)
  /// libcurl honours proxy variables; the test servers are local.
  static let environment = ["NO_PROXY": "*", "no_proxy": "*", "http_proxy": "", "HTTP_PROXY": ""]

  static func kcd(_ args: [String], input: String? = nil, timeout: Double = 60) throws -> ProcessResult {
    try Subprocess.run([TestEnvironment.kcdBinary] + args, environment: environment, input: input, timeout: timeout)
  }

  /// A secret file holding `keys`, one per line, in a fresh folder.
  static func secretFile(_ keys: [String]) -> String {
    let path = TestEnvironment.makeTemporaryDirectory("kcd-cli") + "/ci"
    TestEnvironment.write(keys.joined(separator: "\n") + "\n", to: path)
    return path
  }

  @Test("kcd --help lists every command and exits 0")
  func help() throws {
    for flag in ["--help", "-h", "help"] {
      let r = try Self.kcd([flag])
      #expect(r.status == 0, "\(r)")
      let commands = r.stdout.split(separator: "\n").compactMap { line in
        line.hasPrefix("  ") ? line.split(separator: " ").first.map(String.init) : nil
      }
      #expect(commands == ["run", "demo", "sim", "hooks", "registry", "get", "history", "wait", "rollback", "approve", "migrate", "version"], "\(r.stdout)")
    }
  }

  @Test("kcd without a command prints the usage and exits 2")
  func noCommand() throws {
    let r = try Self.kcd([])
    #expect(r.status == 2)
    #expect(r.stdout.contains("Usage: kcd <command> [flags]"))
  }

  @Test("an unknown command exits 2 and says so")
  func unknownCommand() throws {
    let r = try Self.kcd(["deploy"])
    #expect(r.status == 2)
    #expect(r.stderr.contains("kcd: unknown command \"deploy\""), "\(r)")
    #expect(r.stdout.contains("Usage: kcd <command> [flags]"))
  }

  @Test("an unknown flag exits 2 with the command's usage", arguments: [
    (["hooks", "sign", "--bogus"], "bogus", "Usage: kcd hooks sign"), (["run", "--hooks-adr", ":8080"], "hooks-adr", "Usage: kcd run"),
    (["sim", "--no-such-flag=1"], "no-such-flag", "Usage: kcd sim"),
  ])
  func unknownFlag(_ args: [String], _ flag: String, _ usage: String) throws {
    let r = try Self.kcd(args)
    #expect(r.status == 2, "\(r)")
    #expect(r.stderr.contains("kcd: unknown flag --\(flag)\n"), "\(r)")
    #expect((r.stdout + r.stderr).contains(usage), "\(r)")
  }

  @Test("every command answers --help with its usage and exit 0", arguments: ["run", "demo", "sim", "hooks", "registry", "get", "history", "wait", "version"])
  func commandHelp(_ command: String) throws {
    let r = try Self.kcd([command, "--help"])
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("kcd \(command)"), "\(r)")
  }

  @Test("kcd version prints the version the API and User-Agent report")
  func version() throws {
    let r = try Self.kcd(["version"])
    #expect(r.status == 0)
    #expect(r.stdout == "kcd \(KcdVersion.current)\n")
  }

  /// Parses `name: value` header lines.
  static func headers(_ text: String) -> [String: String] {
    var out: [String: String] = [:]
    for line in text.split(separator: "\n") {
      guard let colon = line.firstIndex(of: ":") else { continue }
      out[String(line[..<colon])] = String(line[line.index(after: colon)...].dropFirst())
    }
    return out
  }

  @Test("hooks sign prints three headers whose signature verifies")
  func sign() throws {
    let body = #"{"repository":"registry.example/shop/web","tag":"main"}"#
    let r = try Self.kcd(["hooks", "sign", "--secret-file", Self.secretFile([Self.keyA]), "--id", "msg_cli_1"], input: body)
    #expect(r.status == 0, "\(r)")
    let lines = r.stdout.split(separator: "\n")
    #expect(lines.count == 3)
    #expect(lines.map { $0.prefix { $0 != ":" } } == ["webhook-id", "webhook-timestamp", "webhook-signature"])
    let h = Self.headers(r.stdout)
    #expect(h["webhook-id"] == "msg_cli_1")
    let ts = try #require(h["webhook-timestamp"].flatMap { Double($0) })
    #expect(abs(ts - Timestamps.now()) < 10)
    let key = try StandardWebhooks.Key(secret: Self.keyA)
    #expect(h["webhook-signature"] == StandardWebhooks.signature(key: key, id: "msg_cli_1", timestamp: h["webhook-timestamp"]!, body: Array(body.utf8)))
    try StandardWebhooks.verify(keys: [key], id: h["webhook-id"], timestamp: h["webhook-timestamp"], signatures: h["webhook-signature"],
                                body: Array(body.utf8), now: Timestamps.now())
    #expect(throws: HookRejection.self, "the body is covered") {
      try StandardWebhooks.verify(keys: [key], id: h["webhook-id"], timestamp: h["webhook-timestamp"], signatures: h["webhook-signature"],
                                  body: Array((body + " ").utf8), now: Timestamps.now())
    }
  }

  @Test("without --id, hooks sign makes a fresh msg_ id each time")
  func signFreshID() throws {
    let file = Self.secretFile([Self.keyA])
    let a = Self.headers(try Self.kcd(["hooks", "sign", "--secret-file", file], input: "{}").stdout)["webhook-id"] ?? ""
    let b = Self.headers(try Self.kcd(["hooks", "sign", "--secret-file", file], input: "{}").stdout)["webhook-id"] ?? ""
    #expect(a.hasPrefix("msg_") && a.count > 10, "\(a)")
    #expect(a != b)
    #expect(!a.contains("/") && !a.contains("+") && !a.contains("="))
  }

  @Test("a secret file with two keys prints two v1 signatures, one per key")
  func signTwoKeys() throws {
    let body = "{}"
    let r = try Self.kcd(["hooks", "sign", "--secret-file", Self.secretFile(["", Self.keyA, "  ", Self.keyB]), "--id", "msg_rot"], input: body)
    #expect(r.status == 0, "\(r)")
    let h = Self.headers(r.stdout)
    let signatures = (h["webhook-signature"] ?? "").split(separator: " ")
    #expect(signatures.count == 2)
    #expect(signatures.allSatisfy { $0.hasPrefix("v1,") })
    for key in [Self.keyA, Self.keyB] {
      try StandardWebhooks.verify(keys: [try StandardWebhooks.Key(secret: key)], id: h["webhook-id"], timestamp: h["webhook-timestamp"],
                                  signatures: h["webhook-signature"], body: Array(body.utf8), now: Timestamps.now())
    }
    let other = try StandardWebhooks.Key(secret: "whsec_" + Base64.encode(Array("a third key that signs no".utf8)))
    #expect(throws: HookRejection.self) {
      try StandardWebhooks.verify(keys: [other], id: h["webhook-id"], timestamp: h["webhook-timestamp"], signatures: h["webhook-signature"],
                                  body: Array(body.utf8), now: Timestamps.now())
    }
  }

  @Test("sign and send refuse bad command lines with exit 2", arguments: [
    (["hooks"], "hooks needs a sub-command"),
    (["hooks", "rotate"], "unknown hooks sub-command rotate"),
    (["hooks", "sign"], "--secret-file is required"),
    (["hooks", "send", "--url", "http://127.0.0.1:9/hooks/ci", "--secret-file", "SECRET", "--repository", "r", "--tag", "t", "--digest", "sha256:abc"],
     "--digest must be sha256: followed by 64 hex digits"),
    (["hooks", "send", "--url", "http://127.0.0.1:9/hooks/ci", "--secret-file", "SECRET", "--repository", "r", "--tag", "t",
      "--digest", "sha256:" + String(repeating: "E", count: 64)], "--digest must be sha256: followed by 64 hex digits"),
    (["hooks", "send", "--url", "ftp://x/hooks/ci", "--secret-file", "SECRET", "--repository", "r", "--tag", "t"], "--url must be an http(s) URL"),
    (["hooks", "send", "--url", "http://127.0.0.1:9/hooks/ci", "--secret-file", "SECRET", "--tag", "t"], "--repository is required"),
    (["hooks", "send", "--url", "http://127.0.0.1:9/hooks/ci", "--secret-file", "SECRET", "--repository", "r"], "--tag is required"),
    (["hooks", "send", "--url", "http://127.0.0.1:9/hooks/ci", "--secret-file", "SECRET", "--repository", "r", "--tag", "t", "--retries", "many"],
     "--retries must be a whole number"),
  ])
  func usageErrors(_ args: [String], _ message: String) throws {
    let file = Self.secretFile([Self.keyA])
    let r = try Self.kcd(args.map { $0 == "SECRET" ? file : $0 }, input: "")
    #expect(r.status == 2, "\(r)")
    #expect(r.stderr.contains(message), "\(r)")
  }
}

/// A scripted HTTP endpoint standing in for kcd's hooks listener; it keeps every request.
final class ScriptedServer: Sendable {
  final class Log: Sendable {
    let requests = Mutex<[HTTPRequest]>([])
  }

  let log: Log
  let server: HTTPServer

  /// `answer` gets the 1-based number of the request.
  init(_ answer: @escaping @Sendable (Int) -> HTTPResponse) throws {
    let log = Log()
    self.log = log
    server = try HTTPServer(configuration: HTTPServerConfiguration(address: "127.0.0.1:0"), handler: HTTPClosureHandler { request in
      let n = log.requests.withLock { $0.append(request); return $0.count }
      return answer(n)
    })
  }

  var url: String { "http://127.0.0.1:\(server.port)/hooks/ci" }
  var seen: [HTTPRequest] { log.requests.withLock { $0 } }
  func stop() { server.shutdown(grace: 1) }
}

@Suite(.timeLimit(.minutes(3)))
struct HooksSendTests {
  static func send(_ url: String, _ secretFile: String, extra: [String] = []) throws -> ProcessResult {
    try CLITests.kcd(["hooks", "send", "--url", url, "--secret-file", secretFile, "--repository", "registry.example/shop/web", "--tag", "main",
                      "--digest", CLITests.digest, "--version", "3ae8d1b", "--kcd", "shop/web"] + extra, timeout: 60)
  }

  static func verify(_ request: HTTPRequest, keys: [String]) throws {
    try StandardWebhooks.verify(keys: keys.map { try StandardWebhooks.Key(secret: $0) }, id: request.headers["webhook-id"],
                                timestamp: request.headers["webhook-timestamp"], signatures: request.headers["webhook-signature"],
                                body: request.body, now: Timestamps.now())
  }

  @Test("503 with Retry-After twice, then 202: exit 0, one delivery id, valid signatures, status URL printed")
  func retriesUntilAccepted() throws {
    let server = try ScriptedServer { n in
      if n <= 2 { return .json(503, ["error": "cannot record the event right now; retry"], headers: ["Retry-After": "1"]) }
      return .json(202, ["accepted": [["kcd": "ns/name", "status": "http://x/status"]], "duplicates": []])
    }
    defer { server.stop() }
    let file = CLITests.secretFile([CLITests.keyA, CLITests.keyB])
    let r = try Self.send(server.url, file)
    #expect(r.status == 0, "\(r)")
    let seen = server.seen
    #expect(seen.count == 3)
    #expect(Set(seen.map { $0.headers["webhook-id"] ?? "" }).count == 1, "retries keep the delivery id so kcd can refuse doubles")
    #expect(seen.allSatisfy { $0.method == "POST" && $0.path == "/hooks/ci" && $0.headers["Content-Type"] == "application/json" })
    for request in seen {
      try Self.verify(request, keys: [CLITests.keyA])
      try Self.verify(request, keys: [CLITests.keyB])
    }
    #expect(seen.allSatisfy { $0.body == seen[0].body })
    let body = try JSON.parse(seen[0].body)
    #expect(body == ["repository": "registry.example/shop/web", "tag": "main", "digest": .string(CLITests.digest), "version": "3ae8d1b",
                     "kcd": "shop/web"])
    #expect(r.stdout.contains("kcd answered 202: 1 KCD(s) will roll out"), "\(r)")
    #expect(r.stdout.contains("ns/name  http://x/status"), "\(r)")
    #expect(r.stderr.contains("attempt 1 failed (503 cannot record the event right now; retry)"), "\(r)")
  }

  @Test("a 200 with nothing to do is success and says why")
  func nothingToDo() throws {
    let server = try ScriptedServer { _ in
      .json(200, ["accepted": [], "duplicates": [["kcd": "shop/web", "reason": "digest is already deployed"]], "message": "nothing new for the matching KCDs"])
    }
    defer { server.stop() }
    let r = try Self.send(server.url, CLITests.secretFile([CLITests.keyA]))
    #expect(r.status == 0, "\(r)")
    #expect(r.stdout.contains("kcd answered 200: nothing new for the matching KCDs"), "\(r)")
    #expect(r.stdout.contains("shop/web: digest is already deployed"), "\(r)")
    #expect(server.seen.count == 1)
  }

  @Test("a refusal (401, 400, 404, 413) is final: exit 1 after one request", arguments: [401, 400, 404, 413])
  func refused(_ code: Int) throws {
    let server = try ScriptedServer { _ in .json(code, ["error": "no valid webhook-signature"]) }
    defer { server.stop() }
    let r = try Self.send(server.url, CLITests.secretFile([CLITests.keyA]))
    #expect(r.status == 1, "\(r)")
    #expect(server.seen.count == 1)
    #expect(r.stderr.contains("answered \(code): no valid webhook-signature"), "\(r)")
  }

  @Test("connection refused: retries, then exit 1")
  func connectionRefused() throws {
    // A socket bound but not listening holds its port and refuses every connection.
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    addr.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &addr) { p in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    try #require(bound)
    let url = "http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))/hooks/ci"
    let started = now()
    let r = try Self.send(url, CLITests.secretFile([CLITests.keyA]), extra: ["--retries", "2", "--timeout", "10"])
    #expect(r.status == 1, "\(r)")
    #expect(r.stderr.contains("giving up after 3 attempt(s)"), "\(r)")
    #expect(r.stderr.components("retrying in") == 2, "\(r)")
    #expect(now() - started < 10)
  }
}

extension String {
  func components(_ needle: String) -> Int {
    var count = 0
    var rest = self[...]
    while let r = rest.firstRange(of: needle) { count += 1; rest = rest[r.upperBound...] }
    return count
  }
}
