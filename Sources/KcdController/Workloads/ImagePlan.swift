import KcdHooks
import KcdJSON

/// Which containers of a workload take the new image, and the strategic merge patch that sets
/// them (containers merged by name, siblings untouched, change-cause recorded).
public struct ImagePlan: Sendable, Equatable {
  public var containers: [String]
  public var image: String

  /// The pinned reference kcd writes: `<imageRepo>:<version>@<digest>`.
  public static func pinnedImage(repository: String, version: String, digest: String) -> String {
    "\(repository):\(version)@\(digest)"
  }

  /// The repository part of an image reference (no tag, no digest), canonical.
  public static func repository(ofImage image: String) -> String { RepositoryName.normalize(image) }

  /// Containers to update: the one named in the spec, or every container running `repository`.
  public static func containers(in template: JSON, spec: KCDSpec) -> [String] {
    let list = template["spec"]["containers"].arrayValue ?? []
    if let name = spec.containerName {
      return list.contains { $0["name"].stringValue == name } ? [name] : []
    }
    return list.compactMap { c in
      guard let image = c["image"].stringValue, let name = c["name"].stringValue else { return nil }
      return repository(ofImage: image) == spec.repository ? name : nil
    }
  }

  /// Current images of the named containers.
  public static func images(in template: JSON, containers: [String]) -> [String: String] {
    var out: [String: String] = [:]
    for c in template["spec"]["containers"].arrayValue ?? [] {
      if let n = c["name"].stringValue, containers.contains(n), let i = c["image"].stringValue { out[n] = i }
    }
    return out
  }

  /// Whether the template already runs the image in every planned container.
  public func isApplied(to template: JSON) -> Bool {
    let current = ImagePlan.images(in: template, containers: containers)
    return containers.allSatisfy { current[$0] == image }
  }

  /// The strategic merge patch for a workload whose pod template is at `templatePath`.
  public func patch(changeCause: String, templatePath: [String] = ["spec", "template"]) -> JSON {
    ImagePlan.patch(images: containers.map { ($0, image) }, changeCause: changeCause, templatePath: templatePath)
  }

  /// Containers of `template` that run this plan's image and had a recorded image before it,
  /// mapped back to that image: what a rollback restores (a container someone else has since
  /// changed is left alone).
  public func restorable(in template: JSON, previous: [String: String]) -> [String: String] {
    let current = ImagePlan.images(in: template, containers: containers)
    return previous.filter { current[$0.key] == image && $0.value != image }
  }

  /// The strategic merge patch that sets each named container's image, and nothing else.
  public static func patch(images: [(container: String, image: String)], changeCause: String, templatePath: [String] = ["spec", "template"]) -> JSON {
    let containerPatches: [JSON] = images.map { ["name": .string($0.container), "image": .string($0.image)] }
    var p: JSON = ["metadata": ["annotations": ["kubernetes.io/change-cause": .string(changeCause)]]]
    p[path: templatePath + ["spec", "containers"]] = .array(containerPatches)
    return p
  }
}
