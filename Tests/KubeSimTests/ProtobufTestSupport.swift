#if canImport(Glibc)
import Glibc
#endif
import KcdHTTP
import KcdJSON
import KcdTestSupport
import Testing

@testable import KubeSim

/// Helpers for the protobuf suites: captured kubectl bodies, envelopes, and requests that carry
/// protobuf instead of the harness's JSON.
enum ProtobufSupport {
  static let mediaType = "application/vnd.kubernetes.protobuf"
  /// What client-go sends when it prefers protobuf.
  static let clientGoAccept = "application/vnd.kubernetes.protobuf,application/json"

  /// A body kubectl sent, captured raw (`Fixtures/protobuf/*.pb`).
  static func fixture(_ name: String) -> [UInt8] {
    let fd = open(TestEnvironment.packageRoot + "/Tests/KubeSimTests/Fixtures/protobuf/" + name, O_RDONLY)
    guard fd >= 0 else { return [] }
    defer { close(fd) }
    var out: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 4096)
    while true {
      let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
      if n <= 0 { return out }
      out += chunk[0..<n]
    }
  }

  /// The envelope of a JSON object, encoded with KubeSim's own table for its kind.
  static func body(_ object: JSON) -> [UInt8] {
    let apiVersion = object["apiVersion"].stringValue ?? "", kind = object["kind"].stringValue ?? ""
    let message = ProtoKinds.message(apiVersion: apiVersion, kind: kind)!
    return KubernetesEnvelope(apiVersion: apiVersion, kind: kind, raw: ProtoJSONEncoder.encode(object, as: message)).encoded
  }

  /// An envelope decoded back to JSON (with apiVersion and kind from the envelope).
  static func json(_ bytes: [UInt8]) throws -> JSON {
    let envelope = try KubernetesEnvelope(decoding: bytes)
    let message = try #require(ProtoKinds.message(apiVersion: envelope.apiVersion, kind: envelope.kind))
    var object = try ProtoJSONDecoder.decode(envelope.raw, as: message)
    object["apiVersion"] = .string(envelope.apiVersion)
    object["kind"] = .string(envelope.kind)
    return object
  }

  static func request(_ sim: SimHarness, _ method: String, _ target: String, body: [UInt8] = [], contentType: String = mediaType,
                      accept: String = clientGoAccept) -> HTTPResponse {
    var headers: HTTPHeaders = ["Host": "kubesim.test", "Authorization": "Bearer \(SimHarness.token)", "Accept": accept]
    if !body.isEmpty { headers.add("Content-Type", contentType) }
    return sim.api.handle(HTTPRequest(method: method, target: target, headers: headers, body: body))
  }

  /// JSON → protobuf → JSON with one message table.
  static func roundTrip(_ object: JSON, _ message: ProtoMessage) throws -> JSON {
    try ProtoJSONDecoder.decode(ProtoJSONEncoder.encode(object, as: message), as: message)
  }
}
