import KcdHTTP
import KcdJSON

/// PATCH with the four content types; strategic merge is refused on custom resources with the
/// apiserver's exact 415, and server-side apply is served as a documented subset.
extension ResourceHandler {
  static let customResourcePatchTypes = ["application/json-patch+json", "application/merge-patch+json", "application/apply-patch+yaml"]

  enum PatchKind { case json, merge, strategic, apply }

  func patchKind() throws(StatusError) -> PatchKind {
    let contentType = (request.headers["Content-Type"] ?? "").split(separator: ";").first.map { $0.trimmingSpaces().lowercased() } ?? ""
    switch contentType {
    case "application/json-patch+json": return .json
    case "application/merge-patch+json": return .merge
    case "application/strategic-merge-patch+json":
      if type.isCustom { throw StatusError.unsupportedMediaType(contentType, accepted: Self.customResourcePatchTypes) }
      return .strategic
    case "application/apply-patch+yaml": return .apply
    default:
      throw StatusError.unsupportedMediaType(contentType, accepted: type.isCustom ? Self.customResourcePatchTypes
        : ["application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json", "application/apply-patch+yaml"])
    }
  }

  static func apply(_ kind: PatchKind, _ patch: JSON, to document: JSON, custom: Bool) throws(StatusError) -> JSON {
    do {
      switch kind {
      case .json: return try JSONPatch.apply(patch, to: document)
      case .merge:
        guard case .object = patch else { throw PatchError(kind: .malformed, message: "a merge patch must be a JSON object") }
        return MergePatch.apply(patch, to: document)
      case .strategic: return try StrategicMergePatch.apply(patch, to: document)
      case .apply:
        return custom ? MergePatch.apply(patch, to: document) : try StrategicMergePatch.apply(patch, to: document)
      }
    } catch let e as PatchError {
      switch e.kind {
      case .malformed: throw StatusError.badRequest(e.message)
      case .unprocessable:
        // The apiserver's NewGenericServerResponse(422): a fixed message, the detail as a cause.
        throw StatusError(code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request",
                          details: ["causes": [["reason": "UnexpectedServerResponse", "message": .string(e.message)]]])
      case .tooLarge: throw StatusError(code: 413, reason: "RequestEntityTooLarge", message: e.message)
      }
    } catch {
      throw StatusError.badRequest("\(error)")
    }
  }

  func patch() throws(StatusError) -> HTTPResponse {
    guard let name = path.name else { throw StatusError.methodNotAllowed() }
    let kind = try patchKind()
    let patch: JSON
    do { patch = try JSON.parse(request.body) } catch {
      if kind == .apply { throw .badRequest("KubeSim accepts apply patches as JSON only: \(error)") }
      if kind == .merge { return try unparsableMergePatch(name: name, error: error) }
      throw .badRequest("error decoding patch: \(error)")
    }
    if kind == .apply {
      guard let manager = request.queryValue("fieldManager"), !manager.isEmpty else {
        throw StatusError(code: 422, reason: "Invalid", message: "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
      }
      if store.get(type, namespace: namespace, name: name) == nil {
        try checkKind(patch)
        return negotiated(201, try store.create(type, namespace: namespace, object: patch, dryRun: dryRun))
      }
    }
    let custom = type.isCustom
    let updated = try store.modify(type, namespace: namespace, name: name, subresource: path.subresource, dryRun: dryRun) {
      (current: JSON) throws(StatusError) -> JSON in
      try ResourceHandler.apply(kind, patch, to: current, custom: custom)
    }
    return negotiated(200, updated)
  }

  /// A merge patch that is not JSON (a syntax error, or bytes after the document) fails inside
  /// the update, after the object was read (so a missing object is still 404): json-patch's
  /// `MergePatch` answers its `ErrBadJSONPatch` ("Invalid JSON Patch"), which
  /// `handlers/patch.go` turns into a 400 since `jsonPatcher.applyJSPatch` checks for it
  /// (`if retErr == jsonpatch.ErrBadJSONPatch`, once json-patch exported it, evanphx/json-patch
  /// #125, 2021). Before that (KubeSim: below 1.22) the error reached the client as a bare
  /// error: `ErrorToAPIStatus` makes it a 500 with no reason; and bodies over 1 MiB were first
  /// decoded by a sanity check that answered 400 "error decoding patch: …".
  func unparsableMergePatch(name: String, error: any Error) throws(StatusError) -> HTTPResponse {
    let fixed = store.version.rejectsBadMergePatchAsBadRequest
    if !fixed && request.body.count > 1024 * 1024 { throw .badRequest("error decoding patch: \(error)") }
    _ = try store.modify(type, namespace: namespace, name: name, subresource: path.subresource, dryRun: dryRun) {
      (_: JSON) throws(StatusError) -> JSON in
      throw fixed ? StatusError.badRequest("Invalid JSON Patch") : StatusError(code: 500, reason: "", message: "Invalid JSON Patch")
    }
    throw .badRequest("Invalid JSON Patch")
  }

  /// The `scale` subresource as autoscaling/v1 Scale.
  func scale(verb: String) throws(StatusError) -> HTTPResponse {
    guard let name = path.name else { return KubeSimAPI.notFoundPath() }
    guard let object = store.get(type, namespace: namespace, name: name) else { throw StatusError.notFound(type, name) }
    switch verb {
    case "get": return negotiated(200, ResourceHandler.scaleObject(object))
    case "update", "patch":
      var target: JSON
      if verb == "update" {
        target = try parseBody()
      } else {
        let kind = try patchKind()
        let patch: JSON
        do { patch = try JSON.parse(request.body) } catch { throw .badRequest("error decoding patch: \(error)") }
        target = try ResourceHandler.apply(kind, patch, to: ResourceHandler.scaleObject(object), custom: false)
      }
      guard let replicas = target["spec"]["replicas"].intValue, replicas >= 0 else {
        throw StatusError.invalid(type, name, [("spec.replicas", "FieldValueInvalid", "Invalid value: must be greater than or equal to 0")])
      }
      let updated = try store.modify(type, namespace: namespace, name: name, dryRun: dryRun) { (current: JSON) throws(StatusError) -> JSON in
        var o = current
        o["spec"]["replicas"] = .int(replicas)
        return o
      }
      return negotiated(200, ResourceHandler.scaleObject(updated))
    default:
      throw StatusError.methodNotAllowed()
    }
  }

  static func scaleObject(_ o: JSON) -> JSON {
    var selector = ""
    if let labels = o["spec"]["selector"]["matchLabels"].objectValue {
      selector = labels.keys.sorted().map { "\($0)=\(labels[$0]!.stringValue ?? "")" }.joined(separator: ",")
    }
    return ["kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": ["name": o["metadata"]["name"], "namespace": o["metadata"]["namespace"], "uid": o["metadata"]["uid"],
                         "resourceVersion": o["metadata"]["resourceVersion"], "creationTimestamp": o["metadata"]["creationTimestamp"]],
            "spec": ["replicas": o["spec"]["replicas"]],
            "status": ["replicas": .int(o["status"]["replicas"].intValue ?? 0), "selector": .string(selector)]]
  }
}
