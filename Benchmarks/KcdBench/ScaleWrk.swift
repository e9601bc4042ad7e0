import KcdCore

#if canImport(Glibc)
import Glibc
#endif

/// Part 4: verified CI callbacks per second for a repository no KCD follows, kcd against nginx
/// serving a static 200 on the same machine, both driven by the same `wrk -t2 -c32 -d10s` and
/// the same signed request (valid for kcd's 5-minute window, so it is signed once).
enum WrkComparison {
  static let arguments = ["-t2", "-c32", "-d10s"]

  struct Run {
    var requestsPerSecond: Double
    var codes: [Int: Int]
    /// wrk's "Socket errors" line, when it printed one.
    var socketErrors: String?
  }

  struct Outcome {
    /// kcd's answer to the request once, before wrk (must be 200: verified, nothing to do).
    var probe: Int
    var kcd: Run
    var nginx: Run
    var ratio: Double { nginx.requestsPerSecond > 0 ? kcd.requestsPerSecond / nginx.requestsPerSecond : 0 }
  }

  static func run(hooksPort: Int, signer: CallbackSigner, directory: String) throws -> Outcome {
    var random = SystemRandomNumberGenerator()
    let digest = "sha256:" + Push.hex(64, &random)
    let request = signer.request(repository: "registry.example/followed-by-no-kcd", digest: digest, version: "0000000", id: "msg_scale_nomatch")
    let probe = (try? LoopbackConnection(port: hooksPort).exchange(request).status) ?? -1
    let script = directory + "/nomatch.lua"
    try FileIO.write(luaScript(for: request), to: script)
    let kcd = try wrk(port: hooksPort, script: script, directory: directory, name: "wrk-kcd")
    let nginx = try NginxStatic(directory: directory + "/nginx")
    defer { nginx.stop() }
    let baseline = try wrk(port: nginx.port, script: script, directory: directory, name: "wrk-nginx")
    return Outcome(probe: probe, kcd: kcd, nginx: baseline)
  }

  static func wrk(port: Int, script: String, directory: String, name: String) throws -> Run {
    let child = try ScaleChild(["wrk"] + arguments + ["-s", script, "http://127.0.0.1:\(port)/hooks/ci"], outputPrefix: directory + "/" + name)
    guard child.wait(timeout: 60) else { child.stop(); throw ScaleError("wrk did not finish") }
    let out = child.standardOutput
    var run = Run(requestsPerSecond: 0, codes: [:], socketErrors: nil)
    for line in out.split(separator: "\n") {
      let words = line.split(separator: " ")
      if line.hasPrefix("Requests/sec:"), let v = words.last.flatMap({ Double($0) }) { run.requestsPerSecond = v }
      if words.first == "status", words.count == 3, let code = Int(words[1]), let n = Int(words[2]) { run.codes[code] = n }
      if line.contains("Socket errors") { run.socketErrors = line.trimmingLeadingSpaces }
    }
    guard run.requestsPerSecond > 0 else { throw ScaleError("wrk printed no rate: \(out) \(child.standardError)") }
    return run
  }

  /// POSTs the one signed request and counts answers by status across wrk's threads.
  static func luaScript(for request: [UInt8]) -> String {
    let text = String(decoding: request, as: UTF8.self)
    let parts = text.split(separator: "\r\n\r\n", maxSplits: 1, omittingEmptySubsequences: false)
    let headerLines = parts[0].split(separator: "\r\n").dropFirst()
    var headers = ""
    for line in headerLines {
      let kv = line.split(separator: ":", maxSplits: 1)
      guard kv.count == 2, !["host", "content-length", "connection"].contains(kv[0].lowercased()) else { continue }
      headers += "wrk.headers[\(lua(String(kv[0])))] = \(lua(kv[1].trimmingLeadingSpaces))\n"
    }
    return """
      wrk.method = "POST"
      wrk.body = \(lua(String(parts.count > 1 ? parts[1] : "")))
      \(headers)
      local threads = {}
      function setup(thread) table.insert(threads, thread) end
      function init(args) codes = {} end
      function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
      function done(summary, latency, requests)
        local total = {}
        for _, t in ipairs(threads) do
          for code, n in pairs(t:get("codes")) do total[code] = (total[code] or 0) + n end
        end
        for code, n in pairs(total) do io.write(string.format("status %d %d\\n", code, n)) end
      end

      """
  }

  /// A Lua string literal.
  static func lua(_ s: String) -> String {
    "\"" + s.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
  }
}

/// nginx with a minimal configuration in a temporary folder: every request answered
/// `200 ok` from memory, no access log, one worker per core.
final class NginxStatic {
  let child: ScaleChild
  let port: Int

  init(directory: String) throws {
    try FileIO.mkdir(directory)
    port = try NginxStatic.freePort()
    let conf = """
      daemon off;
      worker_processes auto;
      pid \(directory)/nginx.pid;
      error_log \(directory)/error.log;
      events { worker_connections 1024; }
      http {
        access_log off;
        client_body_temp_path \(directory)/body;
        proxy_temp_path \(directory)/proxy;
        fastcgi_temp_path \(directory)/fastcgi;
        uwsgi_temp_path \(directory)/uwsgi;
        scgi_temp_path \(directory)/scgi;
        server {
          listen 127.0.0.1:\(port);
          location / { return 200 "ok"; }
        }
      }

      """
    try FileIO.write(conf, to: directory + "/nginx.conf")
    child = try ScaleChild(["nginx", "-p", directory, "-c", directory + "/nginx.conf", "-e", directory + "/error.log"], outputPrefix: directory + "/nginx")
    let deadline = monotonicSeconds() + 10
    while LoopbackConnection.get(port: port, path: "/")?.status != 200 {
      if monotonicSeconds() > deadline || child.hasExited {
        child.stop()
        throw ScaleError("nginx did not start: \(child.standardError) \(ScaleFiles.text(directory + "/error.log"))")
      }
      usleep(10_000)
    }
  }

  func stop() { child.stop(grace: 5) }

  /// A port nothing listens on right now (bound to 0, read back, released).
  static func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var addr = sockaddr_in()
    addr.sin_family = sa_family_t(AF_INET)
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
    var len = socklen_t(MemoryLayout<sockaddr_in>.size)
    let ok = withUnsafeMutablePointer(to: &addr) { p in
      p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
    }
    guard ok else { throw ScaleError("cannot find a free port") }
    return Int(UInt16(bigEndian: addr.sin_port))
  }
}

extension StringProtocol {
  var trimmingLeadingSpaces: String { String(drop { $0 == " " || $0 == "\t" }) }
}
