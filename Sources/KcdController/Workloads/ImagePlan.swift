import KcdHooks
import KcdJSON

/// Which containers of a workload take the new image, and the strategic merge patch that sets
/// them (containers merged by name, siblings untouched, change-cause recorded).
public struct ImagePlan: Sendable, Equatable {
  public var containers: [String]
  public var image: String

  public init(containers: [String], image: String) {
    self.containers = containers
    self.image = image
  }

  /// The pinned reference kcd writes: `<imageRepo>:<version>@<digest>`.
  public static func pinnedImage(repository: String, version: String, digest: String) -> String {
    "\(repository):\(version)@\(digest)"
  }

  /// The repository part of an image reference (no tag, no digest), canonical.
  public static func repository(ofImage image: String) -> String { RepositoryName.normalize(image) }

  /// Containers to update: the one named in the spec, or every container running `repository`.
  public static func containers(in workload: Workload, spec: KCDSpec) -> [String] {
    if let name = spec.containerName {
      return workload.containers.contains { $0.name == name } ? [name] : []
    }
    return workload.containers.filter { repository(ofImage: $0.image) == spec.repository }.map(\.name)
  }

  /// Whether the workload already runs the image in every planned container.
  public func isApplied(to workload: Workload) -> Bool {
    let current = workload.images(of: containers)
    return containers.allSatisfy { current[$0] == image }
  }

  /// Containers that run this plan's image and had a recorded image before it, mapped back to
  /// that image: what a rollback restores (a container someone else has since changed is left
  /// alone).
  public func restorable(in workload: Workload, previous: [String: String]) -> [String: String] {
    let current = workload.images(of: containers)
    return previous.filter { current[$0.key] == image && $0.value != image }
  }

  /// The strategic merge patch for a workload whose pod template is at `templatePath`.
  public func patch(changeCause: String, templatePath: [String] = ["spec", "template"]) -> JSON {
    ImagePlan.patch(images: containers.map { ($0, image) }, changeCause: changeCause, templatePath: templatePath)
  }

  /// The strategic merge patch that sets each named container's image, and nothing else.
  public static func patch(images: [(container: String, image: String)], changeCause: String, templatePath: [String] = ["spec", "template"]) -> JSON {
    let containerPatches: [JSON] = images.map { ["name": .string($0.container), "image": .string($0.image)] }
    var p: JSON = ["metadata": ["annotations": ["kubernetes.io/change-cause": .string(changeCause)]]]
    p[path: templatePath + ["spec", "containers"]] = .array(containerPatches)
    return p
  }
}
