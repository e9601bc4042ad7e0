import KcdJSON
import KcdTestSupport
import Testing

extension SimProcess {
  /// `kubectl apply -f -` of each document set in turn, each expected to succeed.
  func apply(_ inputs: [String], kubectl: String = Kubectl.machine) throws {
    for input in inputs {
      let r = try self.kubectl(kubectl, ["apply", "-f", "-"], input: input)
      #expect(r.status == 0, "\(r)")
    }
  }

  /// `kubectl get … -o json` parsed; null when it fails.
  func json(_ args: [String], kubectl: String = Kubectl.machine) -> JSON {
    guard let r = try? self.kubectl(kubectl, ["get"] + args + ["-o", "json"]), r.status == 0 else { return .null }
    return (try? JSON.parse(r.stdout)) ?? .null
  }
}

extension KcdProcess {
  /// Waits until ready, then sends a signed CI push of a fresh digest, expected accepted.
  /// Returns the digest.
  func push(repository: String, tag: String, version: String) throws -> String {
    #expect(waitReady(timeout: 20))
    let digest = randomDigest()
    let sent = try send(repository: repository, tag: tag, digest: digest, version: version)
    #expect(sent.status == 0, "\(sent)")
    return digest
  }
}
