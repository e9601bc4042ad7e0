import KcdHTTP
import KcdJSON

/// Protobuf bodies and answers for built-in kinds, as kube-apiserver serves them to client-go:
/// kubectl 1.32+ sends `kubectl create …` bodies as protobuf and asks for protobuf back.
extension ResourceHandler {
  static let protobufMediaType = "application/vnd.kubernetes.protobuf"

  /// What the CRD handler accepts: custom resources have no protobuf form.
  static let customResourceBodyTypes = ["application/json", "application/yaml"]

  /// The body as JSON when it came as protobuf; nil for any other content type. Errors read as
  /// the apiserver's (`transformDecodeError`).
  func protobufBody() throws(StatusError) -> JSON? {
    guard Self.mediaType(request.headers["Content-Type"]) == Self.protobufMediaType else { return nil }
    if type.isCustom { throw .unsupportedMediaType(Self.protobufMediaType, accepted: Self.customResourceBodyTypes) }
    let target = path.subresource == "scale" ? (kind: "Scale", apiVersion: "autoscaling/v1") : (kind: type.kind, apiVersion: type.groupVersion)
    let envelope: KubernetesEnvelope
    do throws(ProtoError) { envelope = try KubernetesEnvelope(decoding: request.body) } catch {
      throw .badRequest("the object provided is unrecognized (must be of type \(target.kind)): \(error.message) (\(Self.summary(request.body)))")
    }
    let apiVersion = envelope.apiVersion.isEmpty ? target.apiVersion : envelope.apiVersion
    let kind = envelope.kind.isEmpty ? target.kind : envelope.kind
    guard let message = ProtoKinds.message(apiVersion: apiVersion, kind: kind) else {
      throw StatusError(code: 415, reason: "UnsupportedMediaType",
                        message: "KubeSim has no protobuf schema for \(apiVersion) \(kind): send it as application/json")
    }
    do throws(ProtoError) {
      var object = try ProtoJSONDecoder.decode(envelope.raw, as: message)
      object["apiVersion"] = .string(apiVersion)
      object["kind"] = .string(kind)
      return object
    } catch {
      let version = apiVersion.split(separator: "/").last.map(String.init) ?? apiVersion
      throw .badRequest("\(kind) in version \"\(version)\" cannot be handled as a \(target.kind): \(error.message)")
    }
  }

  /// True when protobuf is the first media type in Accept, as client-go's
  /// `application/vnd.kubernetes.protobuf,application/json`; a Table (`as=…`) never is.
  var prefersProtobuf: Bool {
    guard let first = request.headers["Accept"]?.split(separator: ",").first else { return false }
    let parameters = first.split(separator: ";").dropFirst()
    return Self.mediaType(String(first)) == Self.protobufMediaType && !parameters.contains { $0.trimmingSpaces().hasPrefix("as=") }
  }

  /// The answer in protobuf when the client prefers it and KubeSim knows the kind; JSON otherwise
  /// (custom resources, kinds without a table), which client-go accepts as well.
  func negotiated(_ status: Int, _ answer: JSON) -> HTTPResponse {
    let object = store.version.setsSelfLink ? SelfLink.stamp(answer, type: type, requestPath: request.path) : answer
    guard !type.isCustom, prefersProtobuf else { return .json(status, object) }
    let apiVersion = object["apiVersion"].stringValue ?? type.groupVersion
    let kind = object["kind"].stringValue ?? type.kind
    guard let message = ProtoKinds.message(apiVersion: apiVersion, kind: kind) else { return .json(status, object) }
    let envelope = KubernetesEnvelope(apiVersion: apiVersion, kind: kind, raw: ProtoJSONEncoder.encode(object, as: message))
    return HTTPResponse(status: status, headers: ["Content-Type": Self.protobufMediaType], body: envelope.encoded)
  }

  static func mediaType(_ header: String?) -> String {
    (header ?? "").split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
  }

  /// The apiserver's `summarizeData`: the first 30 bytes, in hex unless they look like JSON.
  static func summary(_ body: [UInt8]) -> String {
    if body.isEmpty { return "<empty>" }
    let head = body.prefix(30)
    let text = body.first == UInt8(ascii: "{") ? String(decoding: head, as: UTF8.self)
      : head.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    return body.count > 30 ? text + " ..." : text
  }
}
