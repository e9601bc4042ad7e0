import KcdController
import KcdCore
import KcdJSON
import KcdKube

#if canImport(Glibc)
import Glibc
#endif

/// `kcd get`, `kcd history` and `kcd wait`: what a person or a CI job asks about KCDs, read
/// straight from Kubernetes with the user's own kubeconfig.
enum KCDCommands {
  static let connectionFlags: Set<String> = ["kubeconfig", "context"]

  static func client(_ a: Arguments) throws -> KubeClient {
    KubeClient(connection: try KubeConfigLoader.load(kubeconfig: a.value("kubeconfig"), context: a.value("context")), qps: 20, burst: 20)
  }

  static func target(_ a: Arguments) throws -> (String, String) {
    guard a.positionals.count == 1 else { throw UsageError("name one KCD as NAMESPACE/NAME") }
    let parts = a.positionals[0].split(separator: "/").map(String.init)
    guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw UsageError("name one KCD as NAMESPACE/NAME, got \(a.positionals[0])") }
    return (parts[0], parts[1])
  }

  /// Reads the KCD, lets `decide` make the annotation to write, writes it with the
  /// resourceVersion read as precondition, and reads again on a conflict. Returns what was
  /// said.
  static func annotate(_ client: KubeClient, _ ns: String, _ name: String, _ decide: (KCD) throws -> KCDRequests.Annotation) throws -> String {
    for _ in 0..<5 {
      let kcd = KCD(json: try client.get(.kcds, namespace: ns, name: name))
      let a = try decide(kcd)
      let patch: JSON = ["metadata": ["resourceVersion": .string(kcd.resourceVersion), "annotations": [.init(stringLiteral: a.key): .string(a.value)]]]
      do throws(KubeError) {
        _ = try client.patch(.kcds, namespace: ns, name: name, patch, type: .merge)
        return a.said
      } catch {
        if !error.isConflict { throw error }
      }
    }
    throw KCDRequests.Refusal("KCD \(ns)/\(name) kept changing; try again")
  }

  /// Runs an annotating command: its message on success (exit 0), the refusal on failure (exit 1).
  static func run(_ client: KubeClient, _ ns: String, _ name: String, _ decide: (KCD) throws -> KCDRequests.Annotation) throws -> Int32 {
    do {
      Console.out(try annotate(client, ns, name, decide))
      return 0
    } catch let refusal as KCDRequests.Refusal {
      Console.err("kcd: \(refusal.description)")
      return 1
    }
  }

  /// Left-aligned columns, like kubectl.
  static func table(_ rows: [[String]]) -> String {
    guard let first = rows.first else { return "" }
    let widths = (0..<first.count).map { c in rows.map { $0[c].count }.max() ?? 0 }
    return rows.map { row in
      row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell + String(repeating: " ", count: widths[c] - cell.count + 3) }.joined()
    }.joined(separator: "\n")
  }

  static let get = Command(name: "get", summary: "list KCDs with their version and status", usage: """
    Usage: kcd get [--namespace N] [--kubeconfig F] [--context C]

    Lists KCDs (every namespace unless --namespace) with the repository and tag they follow, the
    version deployed and the rollout status.
    """) { args in
    let a = try Arguments(args, valueFlags: connectionFlags.union(["namespace"]))
    guard a.positionals.isEmpty else { throw UsageError("unexpected argument \(a.positionals[0])") }
    let items = try client(a).list(.kcds, namespace: a.value("namespace")).items
    var rows = [["NAMESPACE", "NAME", "REPO", "TAG", "VERSION", "STATUS", "AGE"]]
    for k in items.sorted(by: { Informer.key($0) < Informer.key($1) }) {
      let age = k["metadata"]["creationTimestamp"].stringValue.flatMap(Timestamps.parse).map { duration(Timestamps.now() - $0) } ?? ""
      rows.append([k["metadata"]["namespace"].stringValue ?? "", k["metadata"]["name"].stringValue ?? "", k["spec"]["imageRepo"].stringValue ?? "",
                   k["spec"]["tag"].stringValue ?? "", k["status"]["currVersion"].stringValue ?? "-", k["status"]["currStatus"].stringValue ?? "-", age])
    }
    Console.out(items.isEmpty ? "No KCDs found." : table(rows))
    return 0
  }

  static let history = Command(name: "history", summary: "show the recent rollouts of a KCD", usage: """
    Usage: kcd history NAMESPACE/NAME [--kubeconfig F] [--context C]

    The last rollouts kcd made for the KCD, newest first: version, digest, result, times and
    the event that triggered each.
    """) { args in
    let a = try Arguments(args, valueFlags: connectionFlags)
    let (ns, name) = try target(a)
    let kcd = try client(a).get(.kcds, namespace: ns, name: name)
    let entries = kcd["status"]["history"].arrayValue ?? []
    var rows = [["VERSION", "DIGEST", "RESULT", "STARTED", "FINISHED", "TRIGGER"]]
    for e in entries {
      rows.append([e["version"].stringValue ?? "", String((e["digest"].stringValue ?? "").prefix(19)), e["result"].stringValue ?? "",
                   e["startedAt"].stringValue ?? "", e["finishedAt"].stringValue ?? "-", e["trigger"].stringValue ?? ""])
    }
    Console.out(entries.isEmpty ? "\(ns)/\(name) has no rollouts yet." : table(rows))
    return 0
  }

  static let wait = Command(name: "wait", summary: "wait until a version is rolled out (for CI)", usage: """
    Usage: kcd wait NAMESPACE/NAME --version V [--timeout 10m] [--kubeconfig F] [--context C]

    Blocks until the KCD reports version V rolled out (exit 0), or its rollout failed or was
    rolled back (exit 1), or the timeout passes (exit 1). Prints progress while it waits.
    """) { args in
    let a = try Arguments(args, valueFlags: connectionFlags.union(["version", "timeout"]))
    let (ns, name) = try target(a)
    guard let version = a.value("version"), !version.isEmpty else { throw UsageError("--version is required") }
    let timeout = try seconds(a.value("timeout") ?? "10m")
    let kube = try client(a)
    let deadline = monotonicSeconds() + timeout
    var lastLine = ""
    while true {
      var line = "waiting for \(ns)/\(name) to report \(version)"
      do throws(KubeError) {
        let s = try kube.get(.kcds, namespace: ns, name: name)["status"]
        // The last rollout's version and verdict: after a rollback currVersion names what runs
        // again, while the version asked about is the one that failed.
        let current = s["rollout"]["version"].stringValue ?? s["currVersion"].stringValue ?? ""
        let status = s["rollout"]["result"].stringValue ?? s["currStatus"].stringValue ?? ""
        if current == version {
          switch status {
          case "Success": Console.out("\(ns)/\(name): \(version) rolled out"); return 0
          case "Failed", "RolledBack":
            Console.err("kcd: \(ns)/\(name): \(version) \(status == "Failed" ? "failed" : "was rolled back"): \(s["message"].stringValue ?? "")")
            return 1
          default: line = "\(ns)/\(name): \(version) is \(status.isEmpty ? "starting" : status.lowercased()): \(s["message"].stringValue ?? "")"
          }
        } else if !current.isEmpty {
          line = "\(ns)/\(name) is at \(current) (\(status)); waiting for \(version)"
        }
      } catch {
        if error.isNotFound { Console.err("kcd: \(ns)/\(name) not found"); return 1 }
        line = "cannot read \(ns)/\(name) (\(error.description)); retrying"
      }
      if line != lastLine { Console.out(line); lastLine = line }
      if monotonicSeconds() >= deadline {
        Console.err("kcd: timed out after \(Int(timeout)) s waiting for \(ns)/\(name) to roll out \(version)")
        return 1
      }
      usleep(1_000_000)
    }
  }

  /// `90s`, `10m`, `1h`, or plain seconds.
  static func seconds(_ text: String) throws(UsageError) -> Double {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var number = text[...]
    var scale = 1.0
    if let last = text.last, let u = units[last] { scale = u; number = text.dropLast() }
    guard let v = Double(number), v.isFinite, v > 0, v * scale <= 86400 * 7 else { throw UsageError("--timeout must look like 90s, 10m or 1h (at most a week), got \"\(text)\"") }
    return v * scale
  }

  static func duration(_ d: Double) -> String {
    let s = max(0, Int(d))
    if s < 120 { return "\(s)s" }
    if s < 7200 { return "\(s / 60)m" }
    if s < 172_800 { return "\(s / 3600)h" }
    return "\(s / 86400)d"
  }
}
