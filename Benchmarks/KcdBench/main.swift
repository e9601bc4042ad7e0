// kcd-bench: prints the numbers quoted in docs/benchmarks.md. Build in release mode:
//   swift build -c release --product kcd-bench && .build/release/kcd-bench [kubesim]
// `scale` runs the kcd binary next to it as a child process; build both as the Dockerfile does:
//   swift build -c release --static-swift-stdlib --scratch-path .build-bench && .build-bench/release/kcd-bench scale
import KcdHTTP
import KcdJSON
import KubeSim

#if canImport(Glibc)
import Glibc
#endif

func seconds(_ body: () throws -> Void) rethrows -> Double {
  let start = monotonicSeconds()
  try body()
  return monotonicSeconds() - start
}

func report(_ name: String, _ values: [Double], unit: String = "ms", scale: Double = 1000) {
  let sorted = values.sorted()
  let median = sorted[sorted.count / 2]
  func f(_ v: Double) -> String {
    let x = (v * scale * 100).rounded() / 100
    return String(x)
  }
  print("\(name): median \(f(median)) \(unit), min \(f(sorted.first!)) \(unit), max \(f(sorted.last!)) \(unit) (\(values.count) runs)")
}

func deployment(_ i: Int, namespace: String) -> JSON {
  ["apiVersion": "apps/v1", "kind": "Deployment",
   "metadata": ["name": .string("app-\(i)"), "namespace": .string(namespace), "labels": ["app": .string("app-\(i)"), "kcdapp": .string("app-\(i % 1000)")]],
   "spec": ["replicas": 1, "selector": ["matchLabels": ["app": .string("app-\(i)")]],
            "template": ["metadata": ["labels": ["app": .string("app-\(i)")]],
                         "spec": ["containers": [["name": "app", "image": .string("registry.example/app-\(i):1.0")]]]]]]
}

/// One GET on a fresh loopback connection to the HTTP server; returns the body size.
func fetch(port: Int, path: String, token: String) -> Int {
  let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
  defer { close(fd) }
  var addr = sockaddr_in()
  addr.sin_family = sa_family_t(AF_INET)
  addr.sin_port = UInt16(port).bigEndian
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
  _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
  let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer \(token)\r\nConnection: close\r\n\r\n".utf8)
  _ = request.withUnsafeBytes { send(fd, $0.baseAddress, request.count, 0) }
  var total = 0
  var buffer = [UInt8](repeating: 0, count: 1 << 16)
  while true {
    let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, 1 << 16, 0) }
    if n <= 0 { break }
    total += n
  }
  return total
}

func kubesim() throws {
  var options = KubeSim.Options(token: "bench")
  options.tls = false
  let sim = try KubeSim(options: options)
  sim.simulator.stop()  // measure the API alone
  let store = sim.store
  for ns in ["bench-a", "bench-b"] { _ = try store.create(BuiltinResources.namespaces, namespace: "", object: ["metadata": ["name": .string(ns)]]) }

  // 10,000 objects: 7,000 ConfigMaps and 3,000 Deployments.
  let load = try seconds {
    for i in 0..<7000 {
      _ = try store.create(BuiltinResources.configMaps, namespace: "bench-a", object: ["metadata": ["name": .string("cm-\(i)")], "data": ["version": .string("v\(i)")]])
    }
    for i in 0..<3000 { _ = try store.create(BuiltinResources.deployments, namespace: "bench-b", object: deployment(i, namespace: "bench-b")) }
  }
  print("load 10,000 objects (7,000 ConfigMaps + 3,000 Deployments) through the store: \((load * 1000).rounded()) ms")

  var inProcess: [Double] = []
  var size = 0
  for _ in 0..<7 {
    inProcess.append(seconds {
      let r = sim.api.handle(HTTPRequest(method: "GET", target: "/apis/apps/v1/namespaces/bench-b/deployments", headers: ["Authorization": "Bearer bench", "Host": "x"]))
      size = r.bodyBytes.count
    })
  }
  report("list 3,000 Deployments, handler only (\(size / 1024) KiB JSON)", inProcess)

  var overHTTP: [Double] = []
  for _ in 0..<7 { overHTTP.append(seconds { size = fetch(port: sim.port, path: "/apis/apps/v1/namespaces/bench-b/deployments", token: "bench") }) }
  report("list 3,000 Deployments over loopback HTTP (\(size / 1024) KiB)", overHTTP)

  var selected: [Double] = []
  for _ in 0..<7 { selected.append(seconds { size = fetch(port: sim.port, path: "/apis/apps/v1/deployments?labelSelector=kcdapp%3Dapp-7", token: "bench") }) }
  report("label-selected list across namespaces (3 of 3,000)", selected)

  var gets: [Double] = []
  for i in 0..<200 { gets.append(seconds { _ = fetch(port: sim.port, path: "/apis/apps/v1/namespaces/bench-b/deployments/app-\(i)", token: "bench") }) }
  report("GET one Deployment over loopback HTTP", gets)
  sim.stop()
}

let which = CommandLine.arguments.dropFirst().first ?? "kubesim"
switch which {
case "kubesim": try kubesim()
case "spine": try spine(kcds: 50, callbacks: 200)
case "writes": try writes()
case "scale":
  do { try scale(arguments: Array(CommandLine.arguments.dropFirst(2))) } catch {
    printError("kcd-bench scale: \(error)")
    exit(1)
  }
case "uploads":
  do { try uploads(arguments: Array(CommandLine.arguments.dropFirst(2))) } catch {
    printError("kcd-bench uploads: \(error)")
    exit(1)
  }
case "failover":
  do { try failover(arguments: Array(CommandLine.arguments.dropFirst(2))) } catch {
    printError("kcd-bench failover: \(error)")
    exit(1)
  }
default:
  print("usage: kcd-bench [kubesim | spine | writes | scale [--kcds 100,1000,10000] [--skip-wrk] [--kubesim-simulator] | failover [--kcds 100] | uploads [--connections 1000]]")
  exit(2)
}
